/**
 * What a vCluster leaves outside its own namespace, which upstream's delete (pkg/cli/delete_helm.go) removes too:
 * the PriorityClasses and namespaces its syncer made (sync.toHost.priorityClasses / namespaces), labelled
 * `vcluster.loft.sh/managed-by=<SafeConcatName(namespace, "x", name)>`, and the control plane's ClusterRole and
 * ClusterRoleBinding. A user with rights in the namespace only may not even list them: delete then still succeeds
 * and names, for a cluster admin, what it could not remove (docs/decisions.md, "Cluster-scoped leftovers").
 */
import {createHash} from 'node:crypto'
import {parse} from 'yaml'
import type {VClusterConfig} from '../config/schema/index.js'
import {ForbiddenError} from '../errors.js'
import type {KubeClient} from '../kube/client.js'
import {collectionPath} from '../kube/resources.js'
import {needsClusterRole} from '../manifests/cluster-rules.js'
import {CONFIG_KEY} from '../manifests/config-secret.js'
import {clusterRoleName, configSecretName, multiNamespaceRoleName} from '../manifests/names.js'
import {clearImportedNamespace, IMPORTED_ANNOTATION} from './delete-imported.js'
import type {DeleteRights} from './delete-rights.js'
import {vclusterSelector} from '../kube/object.js'

export const MANAGED_BY_LABEL = 'vcluster.loft.sh/managed-by'

/**
 * upstream's translate.SafeConcatName: the parts joined by `-`; longer than 63 characters, the first 52, `-` and 10
 * hex digits of the whole name's SHA-256 (then `.-` becomes `-`), so the label value stays valid and unique.
 */
export function safeConcatName(...parts: string[]): string {
  const full = parts.join('-')
  if (full.length <= 63) return full
  const digest = createHash('sha256').update(full).digest('hex').slice(0, 10)
  return `${full.slice(0, 52)}-${digest}`.replaceAll('.-', '-')
}

/** The label selector of what the vCluster's syncer made on the host. */
export function managedBySelector(name: string, namespace: string): string {
  return `${MANAGED_BY_LABEL}=${safeConcatName(namespace, 'x', name)}`
}

/** What the vCluster may have made outside its namespace, from its stored config (everything when that is unknown). */
export interface ClusterReach {
  clusterRole: boolean
  priorityClasses: boolean
  namespaces: boolean
}

const EVERYTHING: ClusterReach = {clusterRole: true, priorityClasses: true, namespaces: true}

/**
 * Read only when the user may not list a cluster-scoped kind, so a namespace-scoped user is warned about what the
 * vCluster may really have made (by default nothing: no warning), not about every kind there is. Found with a list
 * (delete's own right, in its preflight), before the Secret is deleted.
 */
export async function reachOf(client: KubeClient, name: string, namespace: string): Promise<ClusterReach> {
  const list = await client.request<{items: {data?: Record<string, string>}[]} | undefined>({
    path: collectionPath('Secret', namespace),
    query: {fieldSelector: `metadata.name=${configSecretName(name)}`},
  })
  const data = list?.items[0]?.data?.[CONFIG_KEY]
  if (data === undefined) return EVERYTHING
  try {
    const config = (parse(Buffer.from(data, 'base64').toString('utf8')) ?? {}) as VClusterConfig
    const namespaces = config.sync?.toHost?.namespaces?.enabled === true
    return {
      clusterRole: namespaces || needsClusterRole(config),
      priorityClasses: config.sync?.toHost?.priorityClasses?.enabled === true,
      namespaces,
    }
  } catch {
    return EVERYTHING // a config we cannot read tells us nothing: name every kind
  }
}

/** Something delete could not remove (or even look for), and the command a cluster admin runs instead. */
export interface LeftBehind {
  what: string
  command: string
}

interface Item {
  metadata: {name: string; labels?: Record<string, string>; annotations?: Record<string, string>}
}

/** The cluster-scoped objects to remove, listed before anything is deleted; undefined where the user may not list. */
export interface ClusterSurvey {
  clusterRoles?: {kind: 'ClusterRole' | 'ClusterRoleBinding'; name: string}[]
  priorityClasses?: string[]
  namespaces?: Item[]
}

/**
 * Up to four requests, in parallel: ClusterRoles and bindings (by release label), PriorityClasses and namespaces (by
 * marker), each only where the user may list it cluster-wide.
 */
export async function surveyClusterScoped(
  client: KubeClient,
  {name, namespace}: {name: string; namespace: string},
  rights: DeleteRights,
): Promise<ClusterSurvey> {
  const marker = managedBySelector(name, namespace)
  const list = async (kind: string, labelSelector: string) =>
    (await rights.may(kind, 'list'))
      ? (await client.request<{items: Item[]}>({path: collectionPath(kind), query: {labelSelector}})).items
      : undefined
  const ours = new Set([clusterRoleName(name, namespace), multiNamespaceRoleName(name, namespace)])
  const release = vclusterSelector(name)
  const [bindings, roles, priorityClasses, namespaces] = await Promise.all([
    list('ClusterRoleBinding', release),
    list('ClusterRole', release),
    list('PriorityClass', marker),
    list('Namespace', marker),
  ])
  const named = (kind: 'ClusterRole' | 'ClusterRoleBinding', items: Item[]) =>
    items.filter((o) => ours.has(o.metadata.name)).map((o) => ({kind, name: o.metadata.name}))
  return {
    clusterRoles:
      bindings === undefined || roles === undefined
        ? undefined
        : [...named('ClusterRoleBinding', bindings), ...named('ClusterRole', roles)],
    priorityClasses: priorityClasses?.map((o) => o.metadata.name),
    namespaces,
  }
}

/** Whether a namespace-scoped user's survey missed a kind, so the stored config must say what may be left. */
export function surveyIncomplete(survey: ClusterSurvey): boolean {
  return survey.clusterRoles === undefined || survey.priorityClasses === undefined || survey.namespaces === undefined
}

/**
 * Removes what the survey found: namespaces the vCluster created are deleted, namespaces it imported only lose its
 * labels and annotations (and so do their objects), as upstream's CleanupSyncedNamespaces does. Returns what is left:
 * what could not be listed (when the vCluster may have made such objects) or not deleted.
 */
export async function deleteClusterScoped(
  client: KubeClient,
  ref: {name: string; namespace: string},
  survey: ClusterSurvey,
  reach: ClusterReach,
  rights: DeleteRights,
): Promise<LeftBehind[]> {
  const left: LeftBehind[] = []
  const marker = managedBySelector(ref.name, ref.namespace)
  const roleNames = [clusterRoleName(ref.name, ref.namespace), multiNamespaceRoleName(ref.name, ref.namespace)]
  if (survey.clusterRoles === undefined && reach.clusterRole) left.push(clusterRolesLeft(roleNames))
  if (survey.priorityClasses === undefined && reach.priorityClasses) left.push(priorityClassesLeft(marker))
  if (survey.namespaces === undefined && reach.namespaces) left.push(namespacesLeft(marker))
  const refused = await Promise.all([
    ...(survey.clusterRoles ?? []).map((o) => removed(client, rights, o.kind, o.name)),
    ...(survey.priorityClasses ?? []).map((n) => removed(client, rights, 'PriorityClass', n)),
  ])
  if (refused.slice(0, survey.clusterRoles?.length ?? 0).includes(false)) left.push(clusterRolesLeft(roleNames))
  if (refused.slice(survey.clusterRoles?.length ?? 0).includes(false)) left.push(priorityClassesLeft(marker))
  const namespacesDone = await Promise.all(
    (survey.namespaces ?? []).map((ns) => removeSyncedNamespace(client, ns, rights)),
  )
  if (namespacesDone.includes(false)) left.push(namespacesLeft(marker))
  return left
}

/** Deletes one cluster-scoped object; false when the user may not. */
export async function removed(client: KubeClient, rights: DeleteRights, kind: string, name: string): Promise<boolean> {
  if (!(await rights.may(kind, 'delete'))) return false
  await client.request({method: 'DELETE', path: `${collectionPath(kind)}/${encodeURIComponent(name)}`, allow: [404]})
  return true
}

/** A namespace the vCluster created is deleted, one it imported cleared; false when the user may not. */
async function removeSyncedNamespace(client: KubeClient, ns: Item, rights: DeleteRights): Promise<boolean> {
  if (ns.metadata.annotations?.[IMPORTED_ANNOTATION] !== 'true')
    return removed(client, rights, 'Namespace', ns.metadata.name)
  if (!(await rights.may('Namespace', 'patch'))) return false
  try {
    await clearImportedNamespace(client, ns)
    return true
  } catch (error) {
    // The namespace's objects are patched with the user's rights there, which a cluster-wide right does not imply.
    if (error instanceof ForbiddenError) return false
    throw error
  }
}

const clusterRolesLeft = (names: string[]): LeftBehind => ({
  what: `ClusterRole and ClusterRoleBinding ${names.join(' or ')}`,
  command: `kubectl delete clusterrolebinding,clusterrole ${names.join(' ')} --ignore-not-found`,
})

const priorityClassesLeft = (marker: string): LeftBehind => ({
  what: `PriorityClasses labelled ${marker}`,
  command: `kubectl delete priorityclasses -l ${marker}`,
})

const namespacesLeft = (marker: string): LeftBehind => ({
  what: `namespaces labelled ${marker} (those annotated ${IMPORTED_ANNOTATION}=true were imported: remove only the vcluster.loft.sh/ labels and annotations there)`,
  command: `kubectl get namespaces -l ${marker} -L ${MANAGED_BY_LABEL}`,
})
