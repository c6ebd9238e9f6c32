import {connectKube, type KubeClient, type KubeTarget} from '../kube/client.js'
import {collectionPath, objectPath} from '../kube/resources.js'
import {waitForReady} from '../kube/wait.js'
import {DEADLINE_POLICY, withDeadline, type Deadline, type DeadlineOptions} from '../kube/deadline.js'
import type {ProgressSink} from '../ui/progress.js'
import {deleteCollection} from './delete.js'
import {MANAGED_BY_LABEL as SYNCED_BY_LABEL} from './delete-cluster.js'
import {findVCluster, type FoundVCluster} from './find.js'
import {checkOperation} from './permissions.js'
import {deleteRights, removalFor} from './delete-rights.js'
import {reviewRules} from '../kube/preflight.js'
import {disconnectContext, isVClusterContext} from '../kubeconfig/contexts.js'
import {readKubeconfigSet} from '../kubeconfig/edit.js'
import type {NamedEntry} from '../kubeconfig/resolve.js'
import {etcdSelector} from '../kube/object.js'

/** Upstream's paused marker (list shows `Paused`), plus where we remember the replica count. */
export const PAUSED_ANNOTATION = 'loft.sh/paused'
export const REPLICAS_ANNOTATION = 'loft.sh/paused-replicas'
/** When it was paused; upstream sets it on pause and removes it on resume, so do we (either CLI resumes the other's). */
export const PAUSED_DATE_ANNOTATION = 'loft.sh/paused-date'

export interface PauseResult {
  name: string
  namespace: string
  action: 'paused' | 'resumed' | 'unchanged'
  replicas: number
  readyAfterMs?: number
  /** The context pause switched to, when the current one pointed at the paused vCluster. */
  switchedTo?: string
}

/** A kubeconfig whose current context points at a paused vCluster would only time out; switch back. */
async function switchAwayFrom(files: readonly string[], name: string, namespace: string): Promise<string | undefined> {
  const set = await readKubeconfigSet(files)
  const entry = set.entry('contexts', set.currentContext())
  if (entry === undefined || !isVClusterContext(entry as NamedEntry, {name, namespace})) return undefined
  return (await disconnectContext(files)).to
}

/**
 * Scales the control plane (and a deployed etcd) to zero, remembering the replica count, and deletes the workloads
 * the vCluster synced into the host namespace (the vCluster recreates them on resume).
 */
export async function pauseVCluster(kube: KubeTarget, name: string, options: PauseOptions = {}): Promise<PauseResult> {
  const say = options.onProgress ?? (() => {})
  // After the scale-down wait, the synced pods are deleted and the context switched: cleanup after the wait.
  const bound: DeadlineOptions = {what: `pause of vCluster ${name}`, endsWith: 'cleanup'}
  return withVCluster(kube, name, options.timeoutMs, bound, async (client, found, deadline) => {
    const annotations = found.workload.metadata.annotations ?? {}
    if (annotations[PAUSED_ANNOTATION] === 'true')
      return {
        name,
        namespace: found.namespace,
        action: 'unchanged',
        replicas: Number(annotations[REPLICAS_ANNOTATION] ?? 1),
      }
    const replicas = found.workload.spec?.replicas ?? 1
    const review = reviewRules(client, found.namespace)
    await checkOperation(client, 'pause', {name, namespace: found.namespace, workloadKind: found.workload.kind}, review)
    await scale(client, found, 0, {
      [PAUSED_ANNOTATION]: 'true',
      [REPLICAS_ANNOTATION]: String(replicas),
      [PAUSED_DATE_ANNOTATION]: new Date().toISOString(),
    })
    await scaleEtcd(client, found, 0)
    say({kind: 'done', message: `scaled vCluster ${name} to zero`})
    // As upstream: only once the control plane's pods are gone, or a syncer still running recreates the workloads
    // deleted next (seen with the real vCluster, issue 13).
    say({kind: 'wait', message: `waiting for the pods of vCluster ${name} to stop`})
    await waitForScaledDown(client, found, deadline.remainingMs())
    say({kind: 'step', message: `deleting the workloads vCluster ${name} synced`})
    // The pods the vCluster synced carry vcluster.loft.sh/managed-by=<name> (not our app.kubernetes.io/managed-by, as
    // pause used before: the real vCluster's workloads then stayed on the host, issue 13). One request with
    // deletecollection where the review grants it, else one per pod (namespace users often hold only delete): asked
    // first, so no request is refused.
    const how = await removalFor(deleteRights(client, found.namespace, review), 'Pod')
    await deleteCollection(client, 'Pod', found.namespace, `${SYNCED_BY_LABEL}=${name}`, how)
    const switchedTo = await switchAwayFrom(client.selection.files, name, found.namespace)
    return {
      name,
      namespace: found.namespace,
      action: 'paused',
      replicas,
      ...(switchedTo === undefined ? {} : {switchedTo}),
    }
  })
}

/** Scales back to the remembered replica count and waits until ready. */
export async function resumeVCluster(
  kube: KubeTarget,
  name: string,
  options: ResumeOptions = {},
): Promise<PauseResult> {
  const bound: DeadlineOptions = {what: `resume of vCluster ${name}`, endsWith: 'diagnosis'}
  return withVCluster(kube, name, options.timeoutMs, bound, async (client, found, deadline) =>
    resumeFound(client, found, {...options, timeoutMs: deadline.remainingMs()}),
  )
}

export interface PauseOptions {
  /** --timeout: bounds the whole pause (lib/kube/deadline.ts). */
  timeoutMs?: number
  onProgress?: ProgressSink
}

export interface ResumeOptions extends PauseOptions {
  wait?: boolean
}

export async function resumeFound(
  client: KubeClient,
  found: FoundVCluster,
  options: ResumeOptions,
): Promise<PauseResult> {
  const annotations = found.workload.metadata.annotations ?? {}
  const {name, namespace} = found
  if (annotations[PAUSED_ANNOTATION] !== 'true' && (found.workload.spec?.replicas ?? 1) > 0)
    return {name, namespace, action: 'unchanged', replicas: found.workload.spec?.replicas ?? 1}
  await checkOperation(client, 'resume', {name, namespace, workloadKind: found.workload.kind})
  const replicas = Math.max(1, Number(annotations[REPLICAS_ANNOTATION] ?? 1))
  await scaleEtcd(client, found, 1)
  await scale(client, found, replicas, {
    [PAUSED_ANNOTATION]: null,
    [REPLICAS_ANNOTATION]: null,
    [PAUSED_DATE_ANNOTATION]: null,
  })
  options.onProgress?.({kind: 'done', message: `scaled vCluster ${name} to ${replicas}`})
  if (options.wait === false) return {name, namespace, action: 'resumed', replicas}
  const {afterMs} = await waitForReady(client, {
    namespace,
    name,
    kind: found.workload.kind,
    timeoutMs: options.timeoutMs ?? DEADLINE_POLICY.defaultTimeoutMs,
    onProgress: options.onProgress,
  })
  return {name, namespace, action: 'resumed', replicas, readyAfterMs: afterMs}
}

/** Finds the vCluster and runs fn on it, the whole bounded by --timeout. */
function withVCluster<T>(
  kube: KubeTarget,
  name: string,
  timeoutMs: number | undefined,
  bound: DeadlineOptions,
  fn: (client: KubeClient, found: FoundVCluster, deadline: Deadline) => Promise<T>,
): Promise<T> {
  return withDeadline(timeoutMs, bound, async (deadline) => {
    const client = await connectKube(kube)
    try {
      return await fn(client, await findVCluster(client, name, kube.namespace), deadline)
    } finally {
      client.close()
    }
  })
}

/** A merge patch of replicas and annotations (null removes an annotation). */
async function scale(
  client: KubeClient,
  found: FoundVCluster,
  replicas: number,
  annotations: Record<string, string | null>,
): Promise<void> {
  const {kind, metadata} = found.workload
  await client.request({
    method: 'PATCH',
    path: objectPath({kind, apiVersion: 'apps/v1', metadata: {name: metadata.name, namespace: found.namespace}}),
    body: {metadata: {annotations}, spec: {replicas}},
    contentType: 'application/merge-patch+json',
  })
}

/** Upstream polls status.replicas == 0 every second for up to 3 minutes; then deletes the workloads anyway. */
const SCALE_DOWN_POLL_MS = 500
const SCALE_DOWN_LIMIT_MS = 180_000

async function waitForScaledDown(client: KubeClient, found: FoundVCluster, remainingMs: number): Promise<void> {
  const {kind, metadata} = found.workload
  const path = objectPath({kind, apiVersion: 'apps/v1', metadata: {name: metadata.name, namespace: found.namespace}})
  const deadline = Date.now() + Math.min(SCALE_DOWN_LIMIT_MS, remainingMs)
  while (Date.now() < deadline) {
    const w = await client.request<{status?: {replicas?: number}} | undefined>({path, allow: [404]})
    if ((w?.status?.replicas ?? 0) === 0) return
    await new Promise((resolve) => setTimeout(resolve, SCALE_DOWN_POLL_MS))
  }
}

async function scaleEtcd(client: KubeClient, found: FoundVCluster, replicas: number): Promise<void> {
  const sets = await client.request<{items: {metadata: {name: string}; spec?: {replicas?: number}}[]}>({
    path: collectionPath('StatefulSet', found.namespace),
    query: {labelSelector: etcdSelector(found.name)},
  })
  await Promise.all(
    sets.items.map((s) =>
      client.request({
        method: 'PATCH',
        path: `${collectionPath('StatefulSet', found.namespace)}/${s.metadata.name}`,
        body: {spec: {replicas: replicas === 0 ? 0 : Math.max(replicas, s.spec?.replicas ?? 1)}},
        contentType: 'application/merge-patch+json',
      }),
    ),
  )
}
