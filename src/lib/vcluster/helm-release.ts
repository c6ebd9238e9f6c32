// Helm's record of a vCluster made by upstream's CLI (`vcluster create` runs `helm upgrade --install`) or by helm
// itself: the release Secrets `sh.helm.release.v1.<name>.v<revision>` (type helm.sh/release.v1, labels owner=helm,
// name=<name>, status, version) in the vCluster's namespace. Each holds the release as JSON, gzipped, base64-encoded
// (inside the Secret's own base64): chart metadata, the user-supplied values (`config`) and the rendered manifest.
//
// We never write these. `delete` removes them with the vCluster (else `helm list` shows a release whose objects are
// gone, and a later `helm install` of the same name fails), `upgrade` refuses while helm owns the vCluster (decision
// in docs/decisions.md), and `describe` shows the values upstream stored there.
import {gunzipSync} from 'node:zlib'
import {ConflictError} from '../errors.js'
import type {KubeClient} from '../kube/client.js'
import {collectionPath} from '../kube/resources.js'

export const HELM_RELEASE_TYPE = 'helm.sh/release.v1'

/**
 * Helm's marks on what it installed: the chart's `heritage: Helm` label, and helm's own managed-by label and
 * release annotation. Only such a vCluster can have a release record, so ours cost no extra request.
 */
export function installedByHelm(metadata: {labels?: Record<string, string>; annotations?: Record<string, string>}) {
  const labels = metadata.labels ?? {}
  return (
    labels.heritage === 'Helm' ||
    labels['app.kubernetes.io/managed-by'] === 'Helm' ||
    metadata.annotations?.['meta.helm.sh/release-name'] !== undefined
  )
}

/** Helm's labels on its release Secrets. */
export function helmReleaseSelector(name: string): string {
  return `owner=helm,name=${name}`
}

export interface HelmRelease {
  name: string
  namespace: string
  revision: number
  /** deployed, superseded, failed, pending-install, ... */
  status: string
  chart: {name: string; version: string}
  /** What the user gave helm (-f/--set); upstream's create puts the user's vcluster.yaml here. */
  values: Record<string, unknown>
  /** The Secret holding this revision. */
  secret: string
}

interface ReleaseSecret {
  type?: string
  metadata: {name: string; labels?: Record<string, string>}
  data?: {release?: string}
}

interface ReleaseJson {
  name?: string
  namespace?: string
  version?: number
  info?: {status?: string}
  chart?: {metadata?: {name?: string; version?: string}}
  config?: Record<string, unknown> | null
}

/** Helm's encoding: base64 of the gzipped JSON (helm 3 also reads it un-gzipped; so do we). */
export function decodeRelease(encoded: string): ReleaseJson {
  const bytes = Buffer.from(encoded, 'base64')
  const json = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes
  return JSON.parse(json.toString('utf8')) as ReleaseJson
}

/** The chart names a vCluster release is made from (the OSS chart, and the platform's). */
const VCLUSTER_CHARTS = new Set(['vcluster', 'vcluster-pro', 'vcluster-k8s', 'vcluster-k0s', 'vcluster-eks'])

/** One revision, from its Secret; undefined for a Secret that is not a readable vCluster release. */
export function parseReleaseSecret(secret: ReleaseSecret, namespace: string): HelmRelease | undefined {
  if (secret.type !== HELM_RELEASE_TYPE || secret.data?.release === undefined) return undefined
  let release: ReleaseJson
  try {
    // Secret data is base64 over helm's own base64.
    release = decodeRelease(Buffer.from(secret.data.release, 'base64').toString('utf8'))
  } catch {
    return undefined
  }
  const chart = {name: release.chart?.metadata?.name ?? '', version: release.chart?.metadata?.version ?? ''}
  if (!VCLUSTER_CHARTS.has(chart.name)) return undefined
  const labels = secret.metadata.labels ?? {}
  return {
    name: release.name ?? labels.name ?? '',
    namespace: release.namespace ?? namespace,
    revision: release.version ?? Number(labels.version ?? 0),
    status: release.info?.status ?? labels.status ?? '',
    chart,
    values: release.config ?? {},
    secret: secret.metadata.name,
  }
}

/** Every readable revision of helm's vCluster release `name` in the namespace, newest first; [] when there is none. */
export async function helmReleases(client: KubeClient, name: string, namespace: string): Promise<HelmRelease[]> {
  const list = await client.request<{items: ReleaseSecret[]} | undefined>({
    path: collectionPath('Secret', namespace),
    query: {labelSelector: helmReleaseSelector(name)},
    // A user who may not list Secrets cannot have made the release either (helm needs them).
    allow: [403, 404],
  })
  return (list?.items ?? [])
    .map((s) => parseReleaseSecret(s, namespace))
    .filter((r): r is HelmRelease => r !== undefined && r.name === name)
    .sort((a, b) => b.revision - a.revision)
}

/** The revision helm considers current: the newest deployed one, else the newest. */
export function currentRelease(releases: readonly HelmRelease[]): HelmRelease | undefined {
  return releases.find((r) => r.status === 'deployed') ?? releases[0]
}

/**
 * `upgrade` refuses a vCluster helm owns: applying our render would fork it from helm's record, and helm's next
 * upgrade (upstream's `vcluster create --upgrade`) would three-way-merge against a manifest that no longer exists.
 */
export function helmOwnedError(release: HelmRelease): ConflictError {
  const {name, namespace} = release
  return new ConflictError(
    `vCluster ${name} is owned by helm: release ${name} revision ${release.revision} (${release.status}, chart ` +
      `${release.chart.name}-${release.chart.version}) in namespace ${namespace}, made by upstream's vcluster CLI ` +
      'or by helm; vcluster-ts does not upgrade what helm owns',
    `Upgrade it with the tool that made it: vcluster create ${name} -n ${namespace} --upgrade -f vcluster.yaml ` +
      `(upstream's CLI), or helm upgrade ${name} <chart> -n ${namespace} --reuse-values. To hand it over to ` +
      `vcluster-ts instead, remove helm's record (kubectl -n ${namespace} delete secret -l ${helmReleaseSelector(name)}), ` +
      `then run vcluster upgrade ${name} -n ${namespace}: it keeps the config the vCluster runs with.`,
  )
}

/** Throws helmOwnedError when helm holds a vCluster release by this name in the namespace. */
export async function refuseHelmOwned(client: KubeClient, name: string, namespace: string): Promise<void> {
  const release = currentRelease(await helmReleases(client, name, namespace))
  if (release !== undefined) throw helmOwnedError(release)
}

/**
 * Deletes helm's record of the vCluster release (every revision), only Secrets that decode as a vCluster chart's
 * release: a release of some other chart that happens to share the name is left alone. Returns the Secrets deleted.
 */
export async function deleteHelmRelease(client: KubeClient, name: string, namespace: string): Promise<string[]> {
  const releases = await helmReleases(client, name, namespace)
  await Promise.all(
    releases.map((r) =>
      client.request({
        method: 'DELETE',
        path: `${collectionPath('Secret', namespace)}/${encodeURIComponent(r.secret)}`,
        allow: [404],
      }),
    ),
  )
  return releases.map((r) => r.secret)
}
