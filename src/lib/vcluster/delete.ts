import {NotFoundError} from '../errors.js'
import {connectKube, type KubeClient, type KubeTarget} from '../kube/client.js'
import {CREATED_ANNOTATION} from '../kube/namespace.js'
import {collectionPath} from '../kube/resources.js'
import {existsSync} from 'node:fs'
import {isVClusterContext, removeVClusterContexts, type VClusterRef} from '../kubeconfig/contexts.js'
import {readKubeconfigSet} from '../kubeconfig/edit.js'
import {
  deleteClusterScoped,
  reachOf,
  surveyClusterScoped,
  surveyIncomplete,
  type ClusterReach,
  type LeftBehind,
} from './delete-cluster.js'
import {deleteOwnObjects, deleteSyncedObjects, handleClaims} from './delete-namespaced.js'
import {deleteRights, type DeleteRights} from './delete-rights.js'
import {waitUntilGone} from './delete-wait.js'
import {findVCluster, findVClusters, type FoundVCluster} from './find.js'
import {deleteHelmRelease, installedByHelm} from './helm-release.js'
import {checkOperation} from './permissions.js'
import {vclusterSelector} from '../kube/object.js'
import {missingPermissionsError, reviewRules, type RulesReview} from '../kube/preflight.js'
import {withDeadline, type Deadline} from '../kube/deadline.js'
import type {ProgressSink} from '../ui/progress.js'

// pause removes the pods the vCluster synced the same way.
export {deleteCollection} from './delete-namespaced.js'

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

const NOTHING: ClusterReach = {clusterRole: false, priorityClasses: false, namespaces: false}

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
    // The user's rights where the vCluster most likely is, asked while it is looked for.
    const likely = options.kube.namespace ?? client.selection.namespace
    const review = reviewRules(client, likely)
    let found: FoundVCluster
    try {
      found = await findVCluster(client, options.name, options.kube.namespace)
    } catch (error) {
      const rest =
        error instanceof NotFoundError
          ? await leftoversOf(client, options.name, deleteRights(client, likely, review), likely)
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
    const rules = found.namespace === likely ? review : reviewRules(client, found.namespace)
    return await deleteFound(client, found, options, deadline, rules)
  } finally {
    client.close()
  }
}

/**
 * A delete that was interrupted after the workload went leaves its Secrets and claims behind; the re-run the
 * interrupt message suggests must find and finish them rather than answer "not found".
 */
async function leftoversOf(
  client: KubeClient,
  name: string,
  rights: DeleteRights,
  namespace: string,
): Promise<FoundVCluster | undefined> {
  const query = {labelSelector: vclusterSelector(name), limit: '1'}
  const lists = await Promise.all(
    ['Secret', 'PersistentVolumeClaim', 'Service'].map(async (kind) =>
      (await rights.may(kind, 'list'))
        ? client.request<{items: unknown[]} | undefined>({path: collectionPath(kind, namespace), query, allow: [404]})
        : undefined,
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
  review: Promise<RulesReview>,
): Promise<DeleteResult> {
  const {name, namespace} = found
  const ref = {name, namespace}
  const say = (message: string) => options.onProgress?.({kind: 'done', message})
  options.onProgress?.({kind: 'step', message: `deleting vCluster ${name} in namespace ${namespace}`})
  const rights = deleteRights(client, namespace, review)
  // Before anything is deleted: one message with every missing right, not a half-deleted vCluster. Cluster-wide
  // rights are not among them: what they would remove is listed now where the user may and, where not, named in a
  // warning.
  const target = {name, namespace, workloadKind: found.workload.kind, keepClaims: options.keepPvc === true}
  const [, , survey] = await Promise.all([
    checkOperation(client, 'delete', target, review),
    options.deleteNamespace === true ? mayDeleteNamespace(rights, name, namespace) : undefined,
    surveyClusterScoped(client, ref, rights),
  ])
  const reach = surveyIncomplete(survey) ? await reachOf(client, name, namespace) : NOTHING
  await deleteOwnObjects(client, ref, rights)
  const [leftBehind] = await Promise.all([
    deleteClusterScoped(client, ref, survey, reach, rights),
    // Made by upstream's CLI or helm: helm's record goes too, as `helm uninstall` would remove it.
    ...(installedByHelm(found.workload.metadata) ? [deleteHelmRelease(client, name, namespace)] : []),
  ])
  const keptClaims = await handleClaims(client, ref, options.keepPvc === true, rights)
  const namespaceDeleted = await maybeDeleteNamespace(client, ref, options.deleteNamespace === true, say, rights)
  // What the vCluster synced into its namespace, unless the namespace went: it takes them all with it, as upstream's
  // delete leaves them to it.
  if (!namespaceDeleted) await deleteSyncedObjects(client, ref, rights)
  say(`deleted the objects of vCluster ${name}`)
  if (keptClaims.length === 0) say('deleted its volume claims')
  if (namespaceDeleted) say(`deleted namespace ${namespace}`)
  if (options.wait !== false) {
    options.onProgress?.({kind: 'wait', message: `waiting until everything of vCluster ${name} is gone`})
    const keep = options.keepPvc === true
    await waitUntilGone(client, {...ref, keptClaims: keep, namespaceDeleted, rights, timeoutMs: deadline.remainingMs()})
    say('nothing of it is left')
  }
  const removedContexts = await removeContexts(client.selection.files, {
    ...ref,
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

/** --delete-namespace the user may not carry out is refused before anything is deleted. */
async function mayDeleteNamespace(rights: DeleteRights, name: string, namespace: string): Promise<void> {
  if (await rights.mayOwnNamespace('delete')) return
  throw missingPermissionsError(namespace, [{group: '', resource: 'namespaces', verb: 'delete'}], {
    outcome: 'nothing was changed',
    hint: `Ask your cluster admin for delete on namespace ${namespace}, or run \`vcluster delete ${name} -n ${namespace}\` without --delete-namespace.`,
  })
}

/** Never while another vCluster lives there (one made by upstream's CLI, say): upstream's delete keeps it too. */
async function maybeDeleteNamespace(
  client: KubeClient,
  {name, namespace}: {name: string; namespace: string},
  asked: boolean,
  say: (m: string) => void,
  rights: DeleteRights,
): Promise<boolean> {
  const path = `/api/v1/namespaces/${namespace}`
  const ns = (await rights.mayOwnNamespace('get'))
    ? await client.request<{metadata: {annotations?: Record<string, string>}} | undefined>({path, allow: [404]})
    : undefined
  const createdByUs = ns?.metadata.annotations?.[CREATED_ANNOTATION] === 'true'
  if (!asked && !createdByUs) return false
  if (ns === undefined && !asked) return false
  if (!(await rights.mayOwnNamespace('delete'))) {
    say(`kept namespace ${namespace}: you may not delete it`)
    return false
  }
  const others = (await findVClusters(client, {namespace})).filter((v) => v.name !== name).map((v) => v.name)
  if (others.length > 0) {
    say(`kept namespace ${namespace}: vCluster ${others.join(', ')} is still in it`)
    return false
  }
  await client.request({method: 'DELETE', path, allow: [404]})
  return true
}
