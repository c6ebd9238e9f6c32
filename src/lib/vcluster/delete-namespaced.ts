/**
 * Removing what a vCluster has in its own namespace: what create made (by its labels) and what the syncer made there,
 * each kind the way the user's rights allow (delete-rights.ts), so that no request is refused.
 */
import {ForbiddenError} from '../errors.js'
import type {KubeClient} from '../kube/client.js'
import {collectionPath, objectPath} from '../kube/resources.js'
import {removalFor, type DeleteRights, type Removal} from './delete-rights.js'

/** Namespaced kinds the CLI creates, or the vCluster syncs into the host namespace, that delete removes. */
export const OWN_KINDS = [
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

/** The control plane's objects and those of its external etcd (app=vcluster-etcd). */
export function ownSelector(name: string): string {
  return `app in (vcluster,vcluster-etcd),release=${name}`
}

/** create's objects, one request per kind (13), and its Secrets by name. */
export async function deleteOwnObjects(
  client: KubeClient,
  {name, namespace}: {name: string; namespace: string},
  rights: DeleteRights,
): Promise<void> {
  await Promise.all([
    ...OWN_KINDS.map(async (kind) =>
      deleteCollection(client, kind, namespace, ownSelector(name), await removalFor(rights, kind)),
    ),
    ...[`vc-${name}`, `${name}-certs`, `vc-config-${name}`, `vc-workload-${name}`].map((secret) =>
      client.request({
        method: 'DELETE',
        path: objectPath({kind: 'Secret', apiVersion: 'v1', metadata: {name: secret, namespace}}),
        allow: [404],
      }),
    ),
  ])
}

/** What the vCluster synced into its namespace, one request per kind (14), CoreDNS's three included. */
export async function deleteSyncedObjects(
  client: KubeClient,
  {name, namespace}: {name: string; namespace: string},
  rights: DeleteRights,
): Promise<void> {
  const remove = async (kind: string, selector: string) =>
    deleteCollection(client, kind, namespace, selector, await removalFor(rights, kind))
  await Promise.all([
    ...SYNCED_KINDS.map((kind) => remove(kind, `vcluster.loft.sh/managed-by=${name}`)),
    // CoreDNS is deployed apart from the chart (upstream's coredns.DeleteCoreDNSComponents removes these three).
    ...['Deployment', 'Pod', 'Service'].map((kind) => remove(kind, COREDNS_SELECTOR)),
  ])
}

/** The claims go with the vCluster, or (--keep-pvc) are listed to be named as kept. */
export async function handleClaims(
  client: KubeClient,
  {name, namespace}: {name: string; namespace: string},
  keep: boolean,
  rights: DeleteRights,
): Promise<string[]> {
  if (!keep) {
    const how = await removalFor(rights, 'PersistentVolumeClaim')
    await deleteCollection(client, 'PersistentVolumeClaim', namespace, ownSelector(name), how)
    return []
  }
  const list = await client.request<{items: {metadata: {name: string}}[]}>({
    path: collectionPath('PersistentVolumeClaim', namespace),
    query: {labelSelector: ownSelector(name)},
  })
  return list.items.map((c) => c.metadata.name)
}

/**
 * Deletes by label in one request where `deletecollection` is granted; else (the vCluster Role gives none, nor does
 * the Role `create --print-role` prints) lists and deletes one by one. `how` comes from the user's rights
 * (delete-rights.ts), asked before, so no request here is refused.
 */
export async function deleteCollection(
  client: KubeClient,
  kind: string,
  namespace: string,
  labelSelector: string,
  how: Removal,
): Promise<void> {
  if (how === 'skip') return
  const path = collectionPath(kind, namespace)
  if (how === 'collection') {
    await client.request({
      method: 'DELETE',
      path,
      query: {labelSelector, propagationPolicy: 'Background'},
      allow: [404, 405],
    })
    return
  }
  const list = await client.request<{items: {metadata: {name: string}}[]} | undefined>({
    path,
    query: {labelSelector},
    allow: [404],
  })
  const items = list?.items ?? []
  if (how === 'list-only' && items.length > 0)
    throw new ForbiddenError(
      `you may not delete ${kind} ${items.map((o) => o.metadata.name).join(', ')} in namespace ${namespace}`,
      `Ask your cluster admin for delete on ${kind} there, or to delete them: kubectl -n ${namespace} delete ${kind.toLowerCase()} -l '${labelSelector}'. Then run the delete again.`,
    )
  await Promise.all(
    items.map((o) =>
      client.request({
        method: 'DELETE',
        path: `${path}/${encodeURIComponent(o.metadata.name)}`,
        query: {propagationPolicy: 'Background'},
        allow: [404],
      }),
    ),
  )
}
