import type {KubeClient} from './client.js'
import {redactText} from '../secrets/redact.js'
import {vclusterSelector} from './object.js'
import {collectionPath} from './resources.js'
import {compareStrings} from '../compare.js'
import {type ContainerStatus, describePod, type Pod, type Terminated} from './pod-status.js'

/** The last lines a container wrote, or why they could not be read. */
export interface LogTail {
  pod: string
  container: string
  /** The lines are from the start before the current one (`kubectl logs --previous`). */
  previous: boolean
  /** The container is running now (else the current log is that of its last, ended start). */
  running?: boolean
  lines: string[]
  unreadable?: string
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

/** The diagnosis, and whether a container of the vCluster is failing (isFailing), which waiting does not cure. */
export interface Diagnosis {
  lines: string[]
  failing: boolean
}

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
  return (await examine(client, namespace, name, limitMs)).lines
}

/** diagnose() with whether the vCluster is failing, for the readiness wait's hint. */
export async function examine(
  client: KubeClient,
  namespace: string,
  name: string,
  limitMs = DIAGNOSE_LIMIT_MS,
): Promise<Diagnosis> {
  const until = Date.now() + limitMs
  const selector = vclusterSelector(name)
  const lists = Promise.all([
    client.request<{items: Pod[]}>({path: collectionPath('Pod', namespace), query: {labelSelector: selector}}),
    client.request<{items: Claim[]}>({
      path: collectionPath('PersistentVolumeClaim', namespace),
      query: {labelSelector: selector},
    }),
    client.request<{items: Event[]}>({path: collectionPath('Event', namespace)}),
  ])
  const answer = await within(lists, limitMs)
  if (answer === undefined)
    return {lines: [`could not look closer: the API server did not answer within ${limitMs / 1000}s`], failing: false}
  const [pods, claims, events] = answer
  const started = pods.items.filter((pod) => syncerStatus(pod) !== undefined && hasStarted(syncerStatus(pod)))
  const tails = await within(Promise.all(started.map((pod) => readLogTail(client, namespace, pod))), until - Date.now())
  const logs =
    tails ??
    started.map((pod) => ({
      pod: pod.metadata.name,
      container: SYNCER,
      previous: false,
      lines: [],
      unreadable: 'the API server did not answer in time',
    }))
  return {
    lines: formatDiagnosis(name, pods.items, claims.items, events.items, {namespace, logs}),
    failing: pods.items.some(isFailing),
  }
}

/** The container that runs the vCluster (syncer and control plane in one). */
const SYNCER = 'syncer'
/** Enough lines for the reason and what led to it; `kubectl logs` (a next step) has the rest. */
export const LOG_TAIL_LINES = 15
const LOG_LINE_CHARS = 400

function syncerStatus(pod: Pod): ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((c) => c.name === SYNCER)
}

function hasStarted(c: ContainerStatus | undefined): boolean {
  return (
    c !== undefined &&
    ((c.restartCount ?? 0) > 0 || c.state?.running !== undefined || c.state?.terminated !== undefined)
  )
}

/** The current start's last lines; the previous start's when the current one has written nothing yet. */
async function readLogTail(client: KubeClient, namespace: string, pod: Pod): Promise<LogTail> {
  const podName = pod.metadata.name
  const read = (previous: boolean) =>
    client.request<string>({
      path: `${collectionPath('Pod', namespace)}/${encodeURIComponent(podName)}/log`,
      query: {container: SYNCER, tailLines: LOG_TAIL_LINES, limitBytes: 64 * 1024, previous: previous || undefined},
      responseType: 'text',
    })
  const running = syncerStatus(pod)?.state?.running !== undefined
  const tail: LogTail = {pod: podName, container: SYNCER, previous: false, running, lines: []}
  try {
    tail.lines = splitLog(await read(false))
  } catch (error) {
    // A container waiting to restart has no current log: the API server refuses it (400).
    tail.unreadable = (error as Error).message
  }
  if (tail.lines.length > 0 || (syncerStatus(pod)?.restartCount ?? 0) === 0) return tail
  try {
    return {...tail, previous: true, lines: splitLog(await read(true)), unreadable: undefined}
  } catch (error) {
    return {...tail, unreadable: (error as Error).message}
  }
}

function splitLog(text: string): string[] {
  return text
    .split('\n')
    .map((l) => stripControls(l).trimEnd())
    .filter((l) => l !== '')
    .slice(-LOG_TAIL_LINES)
    .map((l) => redactText(l.length > LOG_LINE_CHARS ? `${l.slice(0, LOG_LINE_CHARS)}...` : l))
}

/** A log is not ours to let drive the terminal: colour codes (zap's console encoder) and other controls go. */
function stripControls(line: string): string {
  return line.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
}

/** The promise's value, or undefined once ms have passed (the diagnosis never adds a wait of its own). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms), undefined)))
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

export function formatDiagnosis(
  name: string,
  pods: readonly Pod[],
  claims: readonly Claim[],
  events: readonly Event[],
  found: {namespace?: string; logs?: readonly LogTail[]} = {},
): string[] {
  const lines: string[] = []
  if (pods.length === 0) lines.push('no control-plane pod exists yet')
  for (const pod of pods) lines.push(describePod(pod), ...describeRestarts(pod))
  for (const claim of claims.filter((c) => c.status?.phase !== 'Bound')) {
    lines.push(
      `volume claim ${claim.metadata.name} is ${claim.status?.phase ?? 'Pending'}: no PersistentVolume or storage class provides it`,
    )
  }
  const related = events
    .filter((e) => e.involvedObject?.name?.startsWith(name) === true && e.type === 'Warning')
    .sort((a, b) => compareStrings(eventTime(a), eventTime(b)))
    .slice(-5)
  for (const e of related)
    lines.push(
      `event ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}: ${e.reason ?? ''}: ${e.message ?? ''}`,
    )
  for (const tail of found.logs ?? []) lines.push(describeLogTail(tail))
  if (found.namespace !== undefined && pods.some(isFailing)) lines.push(nextSteps(name, found.namespace, pods))
  return lines
}

/** Restart count and how the last start ended: a crash loop shows here before its back-off hides it. */
function describeRestarts(pod: Pod): string[] {
  return (pod.status?.containerStatuses ?? []).flatMap((c) => {
    const restarts = c.restartCount ?? 0
    const last = c.lastState?.terminated
    if (restarts === 0 && last === undefined) return []
    const ended =
      last === undefined
        ? ''
        : `; the last start ended with exit code ${last.exitCode ?? '?'} (${last.reason ?? 'no reason given'})${terminationMessage(last)}`
    return [`container ${c.name} restarted ${restarts} time${restarts === 1 ? '' : 's'}${ended}`]
  })
}

/** The kubelet's or the container's own last words: one line, masked as log lines are. */
function terminationMessage(t: Terminated): string {
  const message = splitLog(t.message ?? '').join(' / ')
  return message === '' ? '' : `: ${message}`
}

function describeLogTail(tail: LogTail): string {
  const which = tail.previous ? 'its previous start' : tail.running ? 'its current start' : 'its last start'
  if (tail.lines.length === 0)
    return `log of ${tail.pod}/${tail.container}: ${tail.unreadable === undefined ? `nothing written in ${which}` : `not readable (${tail.unreadable})`}`
  // One entry, the lines indented under it: the log stays a block wherever the diagnosis is shown.
  return `last ${tail.lines.length} log lines of ${tail.pod}/${tail.container} (${which}, secrets masked):\n${tail.lines.map((l) => `      ${l}`).join('\n')}`
}

/** The one test of a failing vCluster: it decides both the next steps and the wait's hint (kube/wait.ts). */
function isFailing(pod: Pod): boolean {
  const failed = (t: Terminated | undefined) => t !== undefined && t.exitCode !== 0
  return (pod.status?.containerStatuses ?? []).some(
    (c) =>
      (c.restartCount ?? 0) > 0 ||
      c.state?.waiting?.reason === 'CrashLoopBackOff' ||
      failed(c.state?.terminated) ||
      failed(c.lastState?.terminated),
  )
}

function nextSteps(name: string, namespace: string, pods: readonly Pod[]): string {
  const pod = pods.find(isFailing)?.metadata.name ?? `${name}-0`
  return [
    'next steps:',
    `      the whole log of the last failed start: kubectl logs -n ${namespace} ${pod} -c ${SYNCER} --previous`,
    `      the vCluster's state: vcluster describe ${name} -n ${namespace}`,
    `      or undo: vcluster delete ${name} -n ${namespace}`,
  ].join('\n')
}

function eventTime(e: Event): string {
  return e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? ''
}
