/**
 * What an upgrade changes: the live objects we own for a vCluster, each rendered object against the server's dry run
 * of its apply, and what the new config no longer renders.
 */
import {createHash} from 'node:crypto'
import {stringify} from 'yaml'
import {MASK, redactSecrets} from '../secrets/redact.js'
import {applyObject} from '../kube/apply.js'
import type {KubeClient} from '../kube/client.js'
import {collectionPath, objectPath, resourceInfo} from '../kube/resources.js'
import {clusterRoleName, type KubeObject} from '../manifests/index.js'
import {lineDiff} from '../ui/diff.js'

export interface ObjectChange {
  kind: string
  name: string
  action: 'create' | 'update' | 'delete' | 'unchanged'
  /** Unified diff lines of the object's YAML (Secret data and config secrets shown as hashes, never their content). */
  diff: string[]
}

/** The change to one object: its live state (from the lists, else read), against the server's dry run of the apply. */
export async function changeOf(client: KubeClient, object: KubeObject, owned: KubeObject[]): Promise<ObjectChange> {
  const listed = owned.find(
    (o) =>
      o.kind === object.kind &&
      o.metadata.name === object.metadata.name &&
      o.metadata.namespace === object.metadata.namespace,
  )
  const [live, dry] = await Promise.all([
    listed ?? client.request<KubeObject | undefined>({path: objectPath(object), allow: [404, 403]}),
    applyObject(client, object, {dryRun: true}),
  ])
  const before = live === undefined ? '' : normalizedYaml(live)
  const after = normalizedYaml(dry)
  const action = live === undefined ? 'create' : before === after ? 'unchanged' : 'update'
  return {
    kind: object.kind,
    name: object.metadata.name,
    action,
    diff: action === 'unchanged' ? [] : lineDiff(before, after),
  }
}

/**
 * YAML without server bookkeeping, with Secret data and every config secret elsewhere (src/lib/secrets/redact.ts: an
 * env var's password, an --oidc-client-secret argument) as short hashes: the diff is printed as progress, which the
 * user did not ask to see secrets in, and a changed secret still shows as a change (and is applied).
 */
export function normalizedYaml(object: KubeObject): string {
  const {status: _status, ...rest} = object as KubeObject & {status?: unknown}
  const metadata = {...rest.metadata}
  for (const key of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'])
    delete metadata[key]
  const clean: Record<string, unknown> = {...rest, metadata}
  if (object.kind === 'Secret' && typeof object.data === 'object' && object.data !== null) {
    clean.data = Object.fromEntries(
      Object.entries(object.data as Record<string, string>).map(([k, v]) => [k, hashed(v)]),
    )
  }
  return stringify(hashMasked(clean, redactSecrets(clean).value), {lineWidth: 0, sortMapEntries: true})
}

function hashed(value: string): string {
  return `<sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)}>`
}

/** The redacted copy with each masked value replaced by the hash of the original beside it. */
function hashMasked(original: unknown, redacted: unknown): unknown {
  if (redacted === MASK && original !== MASK) return hashed(String(original))
  if (Array.isArray(redacted)) return redacted.map((r, i) => hashMasked((original as unknown[])[i], r))
  if (redacted !== null && typeof redacted === 'object') {
    const from = original as Record<string, unknown>
    return Object.fromEntries(Object.entries(redacted).map(([k, r]) => [k, hashMasked(from[k], r)]))
  }
  return redacted
}

const OWNED_KINDS = [
  'Service',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Secret',
  'ResourceQuota',
  'LimitRange',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'Ingress',
  'StatefulSet',
  'Deployment',
]

/** Everything carrying our labels for this vCluster: the live state for the diff, and what may have to go. */
export async function ownedObjects(client: KubeClient, name: string, namespace: string): Promise<KubeObject[]> {
  const selector = `release=${name},app.kubernetes.io/managed-by=vcluster-cli`
  const lists = await Promise.all([
    ...OWNED_KINDS.map((kind) => list(client, kind, namespace, selector)),
    list(client, 'ClusterRole', undefined, selector),
    list(client, 'ClusterRoleBinding', undefined, selector),
  ])
  return lists.flat()
}

/** Objects we made earlier that the new config no longer renders, e.g. a ClusterRole no longer needed. */
export function staleObjects(
  owned: KubeObject[],
  namespace: string,
  name: string,
  objects: KubeObject[],
): KubeObject[] {
  const wanted = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`))
  // A ClusterRole is ours only under this vCluster's name-and-namespace name (same-named vClusters elsewhere).
  const ours = (o: KubeObject) =>
    o.metadata.namespace === namespace || o.metadata.name === clusterRoleName(name, namespace)
  return owned.filter((o) => !wanted.has(`${o.kind}/${o.metadata.name}`) && ours(o))
}

async function list(
  client: KubeClient,
  kind: string,
  namespace: string | undefined,
  labelSelector: string,
): Promise<KubeObject[]> {
  const result = await client.request<{items: KubeObject[]} | undefined>({
    path: collectionPath(kind, namespace),
    query: {labelSelector},
    allow: [403, 404],
  })
  const info = resourceInfo(kind)
  const apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`
  return (result?.items ?? []).map((o) => ({...o, kind, apiVersion}))
}
