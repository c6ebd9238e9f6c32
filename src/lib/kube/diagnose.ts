import type {KubeClient} from './client.js'
import {collectionPath} from './resources.js'
import {vclusterSelector} from './object.js'

interface Pod {
  metadata: {name: string}
  spec?: {nodeName?: string}
  status?: {
    phase?: string
    conditions?: {type: string; status: string; reason?: string; message?: string}[]
    containerStatuses?: ContainerStatus[]
    initContainerStatuses?: ContainerStatus[]
  }
}

interface ContainerStatus {
  name: string
  ready?: boolean
  restartCount?: number
  state?: {waiting?: {reason?: string; message?: string}; terminated?: {reason?: string; exitCode?: number}}
}

interface Claim {
  metadata: {name: string}
  status?: {phase?: string}
}

interface Event {
  type?: string
  reason?: string
  message?: string
  involvedObject?: {kind?: string; name?: string}
  lastTimestamp?: string
  eventTime?: string
  metadata?: {creationTimestamp?: string}
}

/** The diagnosis runs after a wait has timed out (or in describe): it must not add a wait of its own. */
export const DIAGNOSE_LIMIT_MS = 10_000

/**
 * What a person would dig for when a vCluster does not come up: pods, claims, recent events. Gives up after
 * limitMs (an API server that does not answer is often why the wait timed out) and says so instead.
 */
export async function diagnose(
  client: KubeClient,
  namespace: string,
  name: string,
  limitMs = DIAGNOSE_LIMIT_MS,
): Promise<string[]> {
  const selector = vclusterSelector(name)
  const lists = Promise.all([
    client.request<{items: Pod[]}>({path: collectionPath('Pod', namespace), query: {labelSelector: selector}}),
    client.request<{items: Claim[]}>({
      path: collectionPath('PersistentVolumeClaim', namespace),
      query: {labelSelector: selector},
    }),
    client.request<{items: Event[]}>({path: collectionPath('Event', namespace)}),
  ])
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, limitMs, undefined)))
  try {
    const answer = await Promise.race([lists, late])
    if (answer === undefined) return [`could not look closer: the API server did not answer within ${limitMs / 1000}s`]
    const [pods, claims, events] = answer
    return formatDiagnosis(name, pods.items, claims.items, events.items)
  } finally {
    clearTimeout(timer)
  }
}

export function formatDiagnosis(
  name: string,
  pods: readonly Pod[],
  claims: readonly Claim[],
  events: readonly Event[],
): string[] {
  const lines: string[] = []
  if (pods.length === 0) lines.push('no control-plane pod exists yet')
  for (const pod of pods) lines.push(describePod(pod))
  for (const claim of claims.filter((c) => c.status?.phase !== 'Bound')) {
    lines.push(
      `volume claim ${claim.metadata.name} is ${claim.status?.phase ?? 'Pending'}: no PersistentVolume or storage class provides it`,
    )
  }
  const related = events
    .filter((e) => e.involvedObject?.name?.startsWith(name) === true && e.type === 'Warning')
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .slice(-5)
  for (const e of related)
    lines.push(
      `event ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}: ${e.reason ?? ''}: ${e.message ?? ''}`,
    )
  return lines
}

function eventTime(e: Event): string {
  return e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? ''
}

export function describePod(pod: Pod): string {
  const phase = pod.status?.phase ?? 'Pending'
  const parts = [`pod ${pod.metadata.name}: ${phase}`]
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status !== 'True')
  if (unscheduled !== undefined) parts.push(`not scheduled (${unscheduled.reason ?? ''}: ${unscheduled.message ?? ''})`)
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = c.state?.waiting
    if (waiting?.reason !== undefined)
      parts.push(`container ${c.name} waiting: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`)
    const terminated = c.state?.terminated
    if (terminated !== undefined && terminated.exitCode !== 0)
      parts.push(`container ${c.name} exited ${terminated.exitCode ?? '?'} (${terminated.reason ?? ''})`)
  }
  const notReady = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status !== 'True')
  if (notReady !== undefined && parts.length === 1)
    parts.push(`not ready${notReady.reason ? ` (${notReady.reason})` : ''}`)
  return parts.join('; ')
}

/** kubectl-style one-word status of a pod: Running, Pending, Init:0/1, CrashLoopBackOff, Terminating, ... */
export function podStatus(pod: Pod & {metadata: {deletionTimestamp?: string}}): string {
  if (pod.metadata.deletionTimestamp !== undefined) return 'Terminating'
  const inits = pod.status?.initContainerStatuses ?? []
  const initWaiting = inits.find(
    (c) => c.state?.waiting?.reason !== undefined && c.state.waiting.reason !== 'PodInitializing',
  )
  if (initWaiting !== undefined) return `Init:${initWaiting.state?.waiting?.reason}`
  const initDone = inits.filter((c) => c.state?.terminated?.exitCode === 0).length
  if (inits.length > 0 && initDone < inits.length && pod.status?.phase === 'Pending')
    return `Init:${initDone}/${inits.length}`
  const waiting = (pod.status?.containerStatuses ?? []).find((c) => c.state?.waiting?.reason !== undefined)
  if (waiting !== undefined) return waiting.state?.waiting?.reason ?? 'Waiting'
  return pod.status?.phase ?? 'Pending'
}
