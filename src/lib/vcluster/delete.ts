import {ForbiddenError, NotFoundError, TimeoutError} from '../errors.js'
import {connectKube, type KubeClient, type KubeTarget} from '../kube/client.js'
import {CREATED_ANNOTATION} from '../kube/namespace.js'
import {collectionPath, objectPath} from '../kube/resources.js'
import {existsSync} from 'node:fs'
import {isVClusterContext, removeVClusterContexts, type VClusterRef} from '../kubeconfig/contexts.js'
import {readKubeconfigSet} from '../kubeconfig/edit.js'
import {
  clusterLeftovers,
  deleteClusterScoped,
  reachOf,
  surveyClusterScoped,
  type ClusterReach,
  type LeftBehind,
} from './delete-cluster.js'
import {findVCluster, findVClusters, type FoundVCluster} from './find.js'
import {deleteHelmRelease, installedByHelm} from './helm-release.js'
import {checkOperation} from './permissions.js'
import {vclusterSelector} from '../kube/object.js'
import {withDeadline, type Deadline} from '../kube/deadline.js'
import type {ProgressSink} from '../ui/progress.js'

export interface DeleteOptions {
  name: string
  kube: KubeTarget
  keepPvc?: boolean
  deleteNamespace?: boolean
  ignoreNotFound?: boolean
  wait?: boolean
  /** --timeout: bounds the whole delete; the wait until everything is gone gets what is left (kube/deadline.ts). */
  timeoutMs?: number
  onProgress?: ProgressSink
}

export interface DeleteResult {
  name: string
  namespace?: string
  deleted: boolean
  namespaceDeleted: boolean
  keptClaims: string[]
  removedContexts: string[]
  /** Cluster-scoped objects the vCluster may have made that this user could not remove; each with an admin's command. */
  leftBehind: LeftBehind[]
}

/** Namespaced kinds the CLI creates, or the vCluster syncs into the host namespace, that delete removes. */
const OWN_KINDS = [
  'StatefulSet',
  'Deployment',
  'Service',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Secret',
  'ConfigMap',
  'ResourceQuota',
  'LimitRange',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'Ingress',
]
const COREDNS_SELECTOR = 'k8s-app=vcluster-kube-dns'
const SYNCED_KINDS = [
  'Pod',
  'Service',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'EndpointSlice',
  'PersistentVolumeClaim',
  'ServiceAccount',
  'Ingress',
  'NetworkPolicy',
  'PodDisruptionBudget',
]

/**
 * Removes everything create made and everything the vCluster synced into its namespace, then confirms nothing
 * labelled as the vCluster's remains. Idempotent: a second run finds nothing and (with --ignore-not-found) succeeds.
 */
export function deleteVCluster(options: DeleteOptions): Promise<DeleteResult> {
  // Removing the kubeconfig contexts follows the wait until everything is gone: cleanup after the wait.
  const bound = {
    what: `delete of vCluster ${options.name}`,
    endsWith: 'cleanup' as const,
    hint: 'Run the delete again: it picks up where it stopped.',
  }
  return withDeadline(options.timeoutMs, bound, (deadline) => deleteBounded(options, deadline))
}

async function deleteBounded(options: DeleteOptions, deadline: Deadline): Promise<DeleteResult> {
  const client = await connectKube(options.kube)
  try {
    let found: FoundVCluster
    try {
      found = await findVCluster(client, options.name, options.kube.namespace)
    } catch (error) {
      const rest =
        error instanceof NotFoundError
          ? await leftoversOf(client, options.name, options.kube.namespace ?? client.selection.namespace)
          : undefined
      if (rest !== undefined) found = rest
      else if (error instanceof NotFoundError && options.ignoreNotFound === true)
        return {
          name: options.name,
          deleted: false,
          namespaceDeleted: false,
          keptClaims: [],
          removedContexts: [],
          leftBehind: [],
        }
      else throw error
    }
    return await deleteFound(client, found, options, deadline)
  } finally {
    client.close()
  }
}

/**
 * A delete that was interrupted after the workload went leaves its Secrets and claims behind; the re-run the
 * interrupt message suggests must find and finish them rather than answer "not found".
 */
async function leftoversOf(client: KubeClient, name: string, namespace: string): Promise<FoundVCluster | undefined> {
  const query = {labelSelector: vclusterSelector(name), limit: '1'}
  const lists = await Promise.all(
    ['Secret', 'PersistentVolumeClaim', 'Service'].map((kind) =>
      client.request<{items: unknown[]} | undefined>({path: collectionPath(kind, namespace), query, allow: [403, 404]}),
    ),
  )
  if (lists.every((l) => (l?.items.length ?? 0) === 0)) return undefined
  return {name, namespace, workload: {kind: 'StatefulSet', metadata: {name, namespace}}}
}

async function deleteFound(
  client: KubeClient,
  found: FoundVCluster,
  options: DeleteOptions,
  deadline: Deadline,
): Promise<DeleteResult> {
  const {name, namespace} = found
  const say = (message: string) => options.onProgress?.({kind: 'done', message})
  options.onProgress?.({kind: 'step', message: `deleting vCluster ${name} in namespace ${namespace}`})
  // Before anything is deleted: one message with every missing right, not a half-deleted vCluster. Cluster-wide
  // rights are not among them: what they would remove is listed now and, where refused, named in a warning.
  const [, survey] = await Promise.all([
    checkOperation(client, 'delete', {
      name,
      namespace,
      workloadKind: found.workload.kind,
      keepClaims: options.keepPvc === true,
    }),
    surveyClusterScoped(client, name, namespace),
  ])
  const refused =
    survey.clusterRoles === undefined || survey.priorityClasses === undefined || survey.namespaces === undefined
  const reach: ClusterReach = refused
    ? await reachOf(client, name, namespace)
    : {clusterRole: false, priorityClasses: false, namespaces: false}
  // The control plane's objects and those of its external etcd (app=vcluster-etcd), in one request per kind.
  await Promise.all(OWN_KINDS.map((kind) => deleteCollection(client, kind, namespace, ownSelector(name))))
  const [leftBehind] = await Promise.all([
    deleteClusterScoped(client, {name, namespace}, survey, reach),
    ...[`vc-${name}`, `${name}-certs`, `vc-config-${name}`, `vc-workload-${name}`].map((secret) =>
      deleteNamed(client, 'Secret', namespace, secret),
    ),
    // Made by upstream's CLI or helm: helm's record goes too, as `helm uninstall` would remove it.
    ...(installedByHelm(found.workload.metadata) ? [deleteHelmRelease(client, name, namespace)] : []),
  ])
  const keptClaims = await handleClaims(client, name, namespace, options.keepPvc === true)
  const namespaceDeleted = await maybeDeleteNamespace(client, {name, namespace}, options.deleteNamespace === true, say)
  // What the vCluster synced into its namespace, one request per kind (14), unless the namespace went: it takes
  // them all with it, as upstream's delete leaves them to it.
  if (!namespaceDeleted)
    await Promise.all([
      ...SYNCED_KINDS.map((kind) => deleteCollection(client, kind, namespace, `vcluster.loft.sh/managed-by=${name}`)),
      // CoreDNS is deployed apart from the chart (upstream's coredns.DeleteCoreDNSComponents removes these three).
      ...['Deployment', 'Pod', 'Service'].map((kind) => deleteCollection(client, kind, namespace, COREDNS_SELECTOR)),
    ])
  say(`deleted the objects of vCluster ${name}`)
  if (keptClaims.length === 0) say('deleted its volume claims')
  if (namespaceDeleted) say(`deleted namespace ${namespace}`)
  if (options.wait !== false) {
    options.onProgress?.({kind: 'wait', message: `waiting until everything of vCluster ${name} is gone`})
    await confirmGone(client, name, namespace, deadline.remainingMs(), options.keepPvc === true)
    say('nothing of it is left')
  }
  const removedContexts = await removeContexts(client.selection.files, {
    name,
    namespace,
    hostContext: client.selection.contextName,
  })
  if (removedContexts.length > 0) say(`removed kubeconfig context ${removedContexts.join(', ')}`)
  return {name, namespace, deleted: true, namespaceDeleted, keptClaims, removedContexts, leftBehind}
}

/** Removes the vCluster's contexts (reached through this host context); files without one are not rewritten. */
async function removeContexts(files: readonly string[], ref: VClusterRef): Promise<string[]> {
  const existing = files.filter((f) => existsSync(f))
  const probe = await readKubeconfigSet(existing)
  const any = probe.names('contexts').some((n) => isVClusterContext(probe.entry('contexts', n) ?? {name: n}, ref))
  return any ? removeVClusterContexts(existing, ref) : []
}

/**
 * Deletes by label in one request; where only `delete` is granted (the vCluster Role gives no `deletecollection`,
 * and neither does the Role `create --print-role` prints), lists and deletes one by one. A kind the user may not
 * even list is skipped: the user cannot have made any, nor can the vCluster have synced any (its Role holds only
 * rights the user held, the API server's escalation check sees to that).
 */
export async function deleteCollection(
  client: KubeClient,
  kind: string,
  namespace: string,
  labelSelector: string,
): Promise<void> {
  const path = collectionPath(kind, namespace)
  try {
    await client.request({
      method: 'DELETE',
      path,
      query: {labelSelector, propagationPolicy: 'Background'},
      allow: [404, 405],
    })
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error
    const list = await client.request<{items: {metadata: {name: string}}[]} | undefined>({
      path,
      query: {labelSelector},
      allow: [403, 404],
    })
    await Promise.all(
      (list?.items ?? []).map((o) =>
        client.request({
          method: 'DELETE',
          path: `${path}/${encodeURIComponent(o.metadata.name)}`,
          query: {propagationPolicy: 'Background'},
          allow: [404],
        }),
      ),
    )
  }
}

async function deleteNamed(client: KubeClient, kind: string, namespace: string, name: string): Promise<void> {
  await client.request({
    method: 'DELETE',
    path: objectPath({kind, apiVersion: 'v1', metadata: {name, namespace}}),
    allow: [404],
  })
}

function ownSelector(name: string): string {
  return `app in (vcluster,vcluster-etcd),release=${name}`
}

async function handleClaims(client: KubeClient, name: string, namespace: string, keep: boolean): Promise<string[]> {
  if (!keep) {
    await deleteCollection(client, 'PersistentVolumeClaim', namespace, ownSelector(name))
    return []
  }
  const list = await client.request<{items: {metadata: {name: string}}[]}>({
    path: collectionPath('PersistentVolumeClaim', namespace),
    query: {labelSelector: ownSelector(name)},
  })
  return list.items.map((c) => c.metadata.name)
}

/** Never while another vCluster lives there (one made by upstream's CLI, say): upstream's delete keeps it too. */
async function maybeDeleteNamespace(
  client: KubeClient,
  {name, namespace}: {name: string; namespace: string},
  asked: boolean,
  say: (m: string) => void,
): Promise<boolean> {
  const ns = await client.request<{metadata: {annotations?: Record<string, string>}} | undefined>({
    path: `/api/v1/namespaces/${namespace}`,
    allow: [403, 404],
  })
  const createdByUs = ns?.metadata.annotations?.[CREATED_ANNOTATION] === 'true'
  if (!asked && !createdByUs) return false
  if (ns === undefined && !asked) return false
  const others = (await findVClusters(client, {namespace})).filter((v) => v.name !== name).map((v) => v.name)
  if (others.length > 0) {
    say(`kept namespace ${namespace}: vCluster ${others.join(', ')} is still in it`)
    return false
  }
  await client.request({method: 'DELETE', path: `/api/v1/namespaces/${namespace}`, allow: [404]})
  return true
}

/**
 * Polls (briefly) until nothing labelled as the vCluster's remains, in its namespace and cluster-wide (what its
 * syncer made); deletion is asynchronous (finalizers, GC, a syncer still stopping).
 */
async function confirmGone(
  client: KubeClient,
  name: string,
  namespace: string,
  timeoutMs: number,
  keptClaims: boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const kinds = [
    'StatefulSet',
    'Deployment',
    'Pod',
    'Service',
    'Secret',
    ...(keptClaims ? [] : ['PersistentVolumeClaim']),
  ]
  for (;;) {
    const [lists, outside] = await Promise.all([
      Promise.all(
        kinds.map((kind) =>
          client.request<{items: {metadata: {name: string}}[]} | undefined>({
            path: collectionPath(kind, namespace),
            query: {labelSelector: `release=${name}`},
            allow: [404],
          }),
        ),
      ),
      clusterLeftovers(client, name, namespace),
    ])
    const left = [...lists.flatMap((l, i) => (l?.items ?? []).map((o) => `${kinds[i]}/${o.metadata.name}`)), ...outside]
    if (left.length === 0) return
    if (Date.now() > deadline) {
      throw new TimeoutError(
        `vCluster ${name} is deleted, but these are still going away: ${left.join(', ')}`,
        `Check them with kubectl -n ${namespace} get ${left[0]}, or run the delete again.`,
      )
    }
    await new Promise((r) => setTimeout(r, 500))
  }
}
