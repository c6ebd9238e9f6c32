/**
 * Host namespaces a vCluster imported (namespace sync, annotated `vcluster.loft.sh/object-imported: "true"`) are not
 * the vCluster's to delete: as upstream's CleanupSyncedNamespaces does, they and every object in them only lose the
 * labels and annotations that start with `vcluster.loft.sh/`.
 */
import type {KubeClient} from '../kube/client.js'
import {collectionPath} from '../kube/resources.js'

export const IMPORTED_ANNOTATION = 'vcluster.loft.sh/object-imported'
const PREFIX = 'vcluster.loft.sh/'

interface Meta {
  name: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

interface ResourceList {
  resources?: {name: string; namespaced: boolean; verbs: string[]}[]
}

/** A JSON patch removing the vCluster's labels and annotations; undefined when there are none. */
export function vclusterMetadataPatch(meta: Meta): {op: 'remove'; path: string}[] | undefined {
  const pointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1')
  const ops = (field: 'labels' | 'annotations') =>
    Object.keys(meta[field] ?? {})
      .filter((k) => k.startsWith(PREFIX))
      .map((k) => ({op: 'remove' as const, path: `/metadata/${field}/${pointer(k)}`}))
  const patch = [...ops('labels'), ...ops('annotations')]
  return patch.length === 0 ? undefined : patch
}

async function clearObject(client: KubeClient, path: string, meta: Meta): Promise<void> {
  const patch = vclusterMetadataPatch(meta)
  if (patch === undefined) return
  await client.request({method: 'PATCH', path, body: patch, contentType: 'application/json-patch+json', allow: [404]})
}

/**
 * Objects first, the namespace last: the namespace keeps its marker label until its objects are clean, so a delete
 * that stops half-way finds it again when run again.
 */
export async function clearImportedNamespace(client: KubeClient, ns: {metadata: Meta}): Promise<void> {
  const collections = await namespacedCollections(client)
  await Promise.all(
    collections.map(async (prefix) => {
      const path = `${prefix.api}/namespaces/${ns.metadata.name}/${prefix.plural}`
      const list = await client.request<{items: {metadata: Meta}[]} | undefined>({path, allow: [403, 404, 405]})
      await Promise.all(
        (list?.items ?? []).map((o) =>
          clearObject(client, `${path}/${encodeURIComponent(o.metadata.name)}`, o.metadata),
        ),
      )
    }),
  )
  await clearObject(client, `${collectionPath('Namespace')}/${ns.metadata.name}`, ns.metadata)
}

const discovered = new WeakMap<KubeClient, Promise<{api: string; plural: string}[]>>()

/**
 * Every namespaced kind that can be listed and patched (discovery, preferred versions, as upstream): any of them may
 * carry the vCluster's metadata. Asked once per command, however many namespaces were imported.
 */
function namespacedCollections(client: KubeClient): Promise<{api: string; plural: string}[]> {
  const known = discovered.get(client)
  if (known !== undefined) return known
  const found = (async () => {
    const [core, groups] = await Promise.all([
      client.request<ResourceList>({path: '/api/v1'}),
      client.request<{groups: {preferredVersion: {groupVersion: string}}[]}>({path: '/apis'}),
    ])
    const apis = await Promise.all(
      groups.groups.map(async (g) => {
        const api = `/apis/${g.preferredVersion.groupVersion}`
        return {api, list: await client.request<ResourceList | undefined>({path: api, allow: [403, 404, 503]})}
      }),
    )
    return [{api: '/api/v1', list: core}, ...apis].flatMap(({api, list}) =>
      (list?.resources ?? [])
        .filter((r) => r.namespaced && !r.name.includes('/') && r.verbs.includes('list') && r.verbs.includes('patch'))
        .map((r) => ({api, plural: r.name})),
    )
  })()
  discovered.set(client, found)
  return found
}
