import {TimeoutError} from '../errors.js'
import type {KubeClient} from './client.js'
import {diagnose} from './diagnose.js'
import {collectionPath} from './resources.js'
import {keepWatching} from './watch.js'
import {vclusterSelector} from './object.js'
import {seconds, type ProgressSink} from '../ui/progress.js'

export interface WaitOptions {
  namespace: string
  name: string
  kind: 'StatefulSet' | 'Deployment'
  /** What is left of the operation's --timeout (deadline.remainingMs(), lib/kube/deadline.ts). */
  timeoutMs: number
  onProgress?: ProgressSink
  /** The words of the wait: `waiting for the rollout` / `rolled out` (default: vCluster NAME to be ready / ready). */
  words?: {waiting: string; ready: string}
}

interface Workload {
  metadata: {name: string; generation?: number}
  spec?: {replicas?: number}
  status?: {
    observedGeneration?: number
    readyReplicas?: number
    updatedReplicas?: number
    availableReplicas?: number
    currentRevision?: string
    updateRevision?: string
  }
}

export function isWorkloadReady(kind: 'StatefulSet' | 'Deployment', w: Workload): boolean {
  const want = w.spec?.replicas ?? 1
  const s = w.status ?? {}
  if ((s.observedGeneration ?? 0) < (w.metadata.generation ?? 0)) return false
  if (want === 0) return true
  if (kind === 'StatefulSet')
    return (s.readyReplicas ?? 0) >= want && (s.updatedReplicas ?? 0) >= want && s.currentRevision === s.updateRevision
  return (s.updatedReplicas ?? 0) >= want && (s.availableReplicas ?? 0) >= want
}

/**
 * Waits with watches (workload, its pods, its claims), reporting progress; on timeout throws a TimeoutError
 * carrying the diagnosis a person would dig for.
 */
export async function waitForReady(client: KubeClient, options: WaitOptions): Promise<{afterMs: number}> {
  const started = Date.now()
  const abort = new AbortController()
  const {namespace, name, kind} = options
  const selector = vclusterSelector(name)
  const seen = new Set<string>()
  const once = (key: string, fn: () => void) => {
    if (!seen.has(key)) {
      seen.add(key)
      fn()
    }
  }
  const words = options.words ?? {waiting: `waiting for vCluster ${name} to be ready`, ready: `vCluster ${name} ready`}
  // Each milestone ends the current step (progress.ts); the wait goes on, so it is reported again.
  const report = (kind: 'done' | 'warn', message: string) => {
    options.onProgress?.({kind, message})
    options.onProgress?.({kind: 'wait', message: words.waiting})
  }
  options.onProgress?.({kind: 'wait', message: words.waiting})
  let ready = false
  const timer = setTimeout(() => abort.abort(), options.timeoutMs)
  const onWorkload = (_t: string, obj: unknown) => {
    if (isWorkloadReady(kind, obj as Workload)) {
      ready = true
      abort.abort()
    }
  }
  const onPod = (_t: string, obj: unknown) => {
    const pod = obj as {
      metadata: {name: string}
      spec?: {nodeName?: string}
      status?: {containerStatuses?: {state?: {waiting?: {reason?: string}}}[]}
    }
    const node = pod.spec?.nodeName
    if (node !== undefined)
      once(`s/${pod.metadata.name}`, () => report('done', `pod ${pod.metadata.name} scheduled on ${node}`))
    for (const c of pod.status?.containerStatuses ?? []) {
      const reason = c.state?.waiting?.reason
      if (reason !== undefined && reason !== 'ContainerCreating')
        once(`w/${pod.metadata.name}/${reason}`, () => report('warn', `pod ${pod.metadata.name}: ${reason}`))
    }
  }
  const onClaim = (_t: string, obj: unknown) => {
    const claim = obj as {metadata: {name: string}; status?: {phase?: string}}
    if (claim.status?.phase === 'Bound')
      once(`b/${claim.metadata.name}`, () => report('done', `volume ${claim.metadata.name} bound`))
  }
  // Three watches see one outage: report it once per second at most.
  let lastRewatch = 0
  const onRewatch = (reason: string) => {
    if (Date.now() - lastRewatch > 1000)
      report('warn', `lost the host cluster's API (${reason.split('\n')[0]}); still waiting`)
    lastRewatch = Date.now()
  }
  try {
    await Promise.all(
      [
        keepWatching(
          client,
          collectionPath(kind, namespace),
          {fieldSelector: `metadata.name=${name}`},
          onWorkload,
          abort.signal,
          {onRewatch},
        ),
        keepWatching(client, collectionPath('Pod', namespace), {labelSelector: selector}, onPod, abort.signal, {
          onRewatch,
        }),
        keepWatching(
          client,
          collectionPath('PersistentVolumeClaim', namespace),
          {labelSelector: selector},
          onClaim,
          abort.signal,
          {onRewatch},
        ),
      ].map((p) =>
        p.catch((error: unknown) => {
          abort.abort()
          if (!ready) throw error
        }),
      ),
    )
  } finally {
    clearTimeout(timer)
  }
  if (!ready) {
    // The API server may be what is down: the timeout still stands, with what could be found out.
    const lines = await diagnose(client, namespace, name).catch((error: unknown) => [
      `could not look closer: ${(error as Error).message}`,
    ])
    throw new TimeoutError(
      `vCluster ${name} in namespace ${namespace} was not ready after ${Math.round(options.timeoutMs / 1000)}s:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
      `Wait longer: vcluster create ${name} -n ${namespace} --timeout 10m (it converges)\nOr remove it:  vcluster delete ${name} -n ${namespace}`,
    )
  }
  const afterMs = Date.now() - started
  options.onProgress?.({kind: 'done', message: `${words.ready} after ${seconds(afterMs)}`})
  return {afterMs}
}
