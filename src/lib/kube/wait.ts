import {TimeoutError} from '../errors.js'
import type {KubeClient} from './client.js'
import {diagnose} from './diagnose.js'
import {collectionPath} from './resources.js'
import {keepWatching} from './watch.js'
import {vclusterSelector} from './object.js'

export type ProgressEvent =
  | {type: 'pod-scheduled'; pod: string; node: string}
  | {type: 'volume-bound'; claim: string}
  | {type: 'container-waiting'; pod: string; reason: string}
  | {type: 'ready'; afterMs: number}
  | {type: 'rewatch'; reason: string}

export interface WaitOptions {
  namespace: string
  name: string
  kind: 'StatefulSet' | 'Deployment'
  timeoutMs: number
  onProgress?: (event: ProgressEvent) => void
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
      once(`s/${pod.metadata.name}`, () => options.onProgress?.({type: 'pod-scheduled', pod: pod.metadata.name, node}))
    for (const c of pod.status?.containerStatuses ?? []) {
      const reason = c.state?.waiting?.reason
      if (reason !== undefined && reason !== 'ContainerCreating')
        once(`w/${pod.metadata.name}/${reason}`, () =>
          options.onProgress?.({type: 'container-waiting', pod: pod.metadata.name, reason}),
        )
    }
  }
  const onClaim = (_t: string, obj: unknown) => {
    const claim = obj as {metadata: {name: string}; status?: {phase?: string}}
    if (claim.status?.phase === 'Bound')
      once(`b/${claim.metadata.name}`, () => options.onProgress?.({type: 'volume-bound', claim: claim.metadata.name}))
  }
  // Three watches see one outage: report it once per second at most.
  let lastRewatch = 0
  const onRewatch = (reason: string) => {
    if (Date.now() - lastRewatch > 1000) options.onProgress?.({type: 'rewatch', reason})
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
  options.onProgress?.({type: 'ready', afterMs})
  return {afterMs}
}
