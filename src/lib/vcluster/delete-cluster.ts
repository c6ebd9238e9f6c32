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
 * Read only when a cluster-wide list was refused, so a namespace-scoped user is warned about what the vCluster may
 * really have made (by default nothing: no warning), not about every kind there is. Found with a list (delete's own
 * right), before the Secret is deleted.
 */
export async function reachOf(client: KubeClient, name: string, namespace: string): Promise<ClusterReach> {
  const list = await client.request<{items: {data?: Record<string, string>}[]} | undefined>({
    path: collectionPath('Secret', namespace),
    query: {fieldSelector: `metadata.name=${configSecretName(name)}`},
    allow: [403],
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

/** The cluster-scoped objects to remove, listed before anything is deleted; undefined where listing was forbidden. */
export interface ClusterSurvey {
  clusterRoles?: {kind: 'ClusterRole' | 'ClusterRoleBinding'; name: string}[]
  priorityClasses?: string[]
  namespaces?: Item[]
}

/** Three requests, in parallel: ClusterRoles and bindings (by release label), PriorityClasses and namespaces (by marker). */
export async function surveyClusterScoped(client: KubeClient, name: string, namespace: string): Promise<ClusterSurvey> {
  const marker = managedBySelector(name, namespace)
  const list = (kind: string, labelSelector: string) =>
    client
      .request<{items: Item[]} | undefined>({path: collectionPath(kind), query: {labelSelector}, allow: [403]})
      .then((l) => l?.items)
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
): Promise<LeftBehind[]> {
  const left: LeftBehind[] = []
  const marker = managedBySelector(ref.name, ref.namespace)
  const roleNames = [clusterRoleName(ref.name, ref.namespace), multiNamespaceRoleName(ref.name, ref.namespace)]
  if (survey.clusterRoles === undefined && reach.clusterRole) left.push(clusterRolesLeft(roleNames))
  if (survey.priorityClasses === undefined && reach.priorityClasses) left.push(priorityClassesLeft(marker))
  if (survey.namespaces === undefined && reach.namespaces) left.push(namespacesLeft(marker))
  const refused = await Promise.all([
    ...(survey.clusterRoles ?? []).map((o) => removed(client, `${collectionPath(o.kind)}/${o.name}`)),
    ...(survey.priorityClasses ?? []).map((n) =>
      removed(client, `${collectionPath('PriorityClass')}/${encodeURIComponent(n)}`),
    ),
  ])
  if (refused.slice(0, survey.clusterRoles?.length ?? 0).includes(false)) left.push(clusterRolesLeft(roleNames))
  if (refused.slice(survey.clusterRoles?.length ?? 0).includes(false)) left.push(priorityClassesLeft(marker))
  const namespacesDone = await Promise.all((survey.namespaces ?? []).map((ns) => removeSyncedNamespace(client, ns)))
  if (namespacesDone.includes(false)) left.push(namespacesLeft(marker))
  return left
}

/** Deletes one object; false when that is forbidden. */
async function removed(client: KubeClient, path: string): Promise<boolean> {
  try {
    await client.request({method: 'DELETE', path, allow: [404]})
    return true
  } catch (error) {
    if (error instanceof ForbiddenError) return false
    throw error
  }
}

async function removeSyncedNamespace(client: KubeClient, ns: Item): Promise<boolean> {
  try {
    if (ns.metadata.annotations?.[IMPORTED_ANNOTATION] === 'true') await clearImportedNamespace(client, ns)
    else
      await client.request({method: 'DELETE', path: `${collectionPath('Namespace')}/${ns.metadata.name}`, allow: [404]})
    return true
  } catch (error) {
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

/**
 * The marker-labelled cluster-scoped objects still there, for delete's final check. A PriorityClass found is deleted
 * again: the syncer may have made it anew while it was stopping. What may not be listed or deleted counts as gone
 * (the warning names it already), and so does a labelled namespace that is not being deleted (an imported one
 * whose clean-up was refused).
 */
export async function clusterLeftovers(client: KubeClient, name: string, namespace: string): Promise<string[]> {
  const marker = managedBySelector(name, namespace)
  const list = (kind: string) =>
    client.request<{items: (Item & {metadata: {deletionTimestamp?: string}})[]} | undefined>({
      path: collectionPath(kind),
      query: {labelSelector: marker},
      allow: [403],
    })
  const [priorityClasses, namespaces] = await Promise.all([list('PriorityClass'), list('Namespace')])
  const again = await Promise.all(
    (priorityClasses?.items ?? []).map(async (o) =>
      (await removed(client, `${collectionPath('PriorityClass')}/${encodeURIComponent(o.metadata.name)}`))
        ? [`PriorityClass/${o.metadata.name}`]
        : [],
    ),
  )
  const terminating = (namespaces?.items ?? [])
    .filter((o) => o.metadata.deletionTimestamp !== undefined)
    .map((o) => `Namespace/${o.metadata.name}`)
  return [...again.flat(), ...terminating]
}
