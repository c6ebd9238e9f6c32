import {TimeoutError} from '../errors.js'
import type {KubeClient} from './client.js'
import {examine, type Diagnosis} from './diagnose.js'
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
  /** The command that waits longer, for the timeout's hint (default: `vcluster create ... --timeout 10m`). */
  waitLonger?: string
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
  const words = options.words ?? {waiting: `waiting for vCluster ${name} to be ready`, ready: `vCluster ${name} ready`}
  const seen = milestones(options.onProgress, words.waiting)
  let ready = false
  const timer = setTimeout(() => abort.abort(), options.timeoutMs)
  const onWorkload = (_t: string, obj: unknown) => {
    if (isWorkloadReady(kind, obj as Workload)) {
      ready = true
      abort.abort()
    }
  }
  const watch = (path: string, query: Record<string, string>, onEvent: (t: string, o: unknown) => void) =>
    keepWatching(client, path, query, onEvent, abort.signal, {onRewatch: seen.rewatch}).catch((error: unknown) => {
      abort.abort()
      if (!ready) throw error
    })
  try {
    await Promise.all([
      watch(collectionPath(kind, namespace), {fieldSelector: `metadata.name=${name}`}, onWorkload),
      watch(collectionPath('Pod', namespace), {labelSelector: selector}, seen.pod),
      watch(collectionPath('PersistentVolumeClaim', namespace), {labelSelector: selector}, seen.claim),
    ])
  } finally {
    clearTimeout(timer)
  }
  if (!ready) {
    // The API server may be what is down: the timeout still stands, with what could be found out.
    const diagnosis = await examine(client, namespace, name).catch(
      (error: unknown): Diagnosis => ({lines: [`could not look closer: ${(error as Error).message}`], failing: false}),
    )
    throw new TimeoutError(
      `vCluster ${name} in namespace ${namespace} was not ready after ${Math.round(options.timeoutMs / 1000)}s:\n${diagnosis.lines.map((l) => `  - ${l}`).join('\n')}`,
      timeoutHint(options, diagnosis.failing),
    )
  }
  const afterMs = Date.now() - started
  options.onProgress?.({kind: 'done', message: `${words.ready} after ${seconds(afterMs)}`})
  return {afterMs}
}

/**
 * What to do after the wait ran out. A vCluster that is only slow converges, so waiting longer is the way; one that
 * is failing (a crash loop, an error exit) does not, and its next steps (the log, describe, delete) are already in
 * the diagnosis: the hint points at the reason in its log and the config that causes it.
 */
export function timeoutHint(options: Pick<WaitOptions, 'name' | 'namespace' | 'waitLonger'>, failing: boolean): string {
  const {name, namespace} = options
  if (failing)
    return (
      `Waiting longer is unlikely to help: vCluster ${name} failed at start. Its log above says why, most often a value\n` +
      `in its config; fix that and apply it: vcluster upgrade ${name} -n ${namespace} -f vcluster.yaml`
    )
  const waitLonger = options.waitLonger ?? `vcluster create ${name} -n ${namespace} --timeout 10m (it converges)`
  return `Wait longer: ${waitLonger}\nOr remove it:  vcluster delete ${name} -n ${namespace}`
}

/**
 * The milestones of a readiness wait, each reported once: a pod scheduled, a claim bound, a container waiting for a
 * reason worth a look (ImagePullBackOff), a lost watch (three watches see one outage: once a second at most). Each
 * ends the current step (progress.ts); the wait goes on, so it is reported again.
 */
function milestones(onProgress: ProgressSink | undefined, waiting: string) {
  const seen = new Set<string>()
  const report = (key: string, kind: 'done' | 'warn', message: string) => {
    if (seen.has(key)) return
    seen.add(key)
    onProgress?.({kind, message})
    onProgress?.({kind: 'wait', message: waiting})
  }
  onProgress?.({kind: 'wait', message: waiting})
  let lastRewatch = 0
  return {
    pod: (_t: string, obj: unknown) => {
      const pod = obj as {
        metadata: {name: string}
        spec?: {nodeName?: string}
        status?: {containerStatuses?: {state?: {waiting?: {reason?: string}}}[]}
      }
      const {name} = pod.metadata
      const node = pod.spec?.nodeName
      if (node !== undefined) report(`s/${name}`, 'done', `pod ${name} scheduled on ${node}`)
      for (const c of pod.status?.containerStatuses ?? []) {
        const reason = c.state?.waiting?.reason
        if (reason !== undefined && reason !== 'ContainerCreating')
          report(`w/${name}/${reason}`, 'warn', `pod ${name}: ${reason}`)
      }
    },
    claim: (_t: string, obj: unknown) => {
      const claim = obj as {metadata: {name: string}; status?: {phase?: string}}
      if (claim.status?.phase === 'Bound')
        report(`b/${claim.metadata.name}`, 'done', `volume ${claim.metadata.name} bound`)
    },
    rewatch: (reason: string) => {
      if (Date.now() - lastRewatch > 1000) {
        seen.delete('rewatch')
        report('rewatch', 'warn', `lost the host cluster's API (${reason.split('\n')[0]}); still waiting`)
      }
      lastRewatch = Date.now()
    },
  }
}
