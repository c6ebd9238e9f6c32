import {connectKube, type KubeTarget} from '../kube/client.js'
import {collectionPath} from '../kube/resources.js'
import {backingStoreType} from '../manifests/index.js'
import {findVCluster} from './find.js'
import {statusOf} from './list.js'
import {readStoredConfig} from './stored-config.js'
import {currentRelease, helmReleases, installedByHelm} from './helm-release.js'
import {diagnose} from '../kube/diagnose.js'
import {vclusterSelector} from '../kube/object.js'
import {withDeadline} from '../kube/deadline.js'
import {redactSecrets} from '../secrets/redact.js'

export interface Description {
  name: string
  namespace: string
  status: string
  /** Why it is not running, when it is not. */
  reason?: string[]
  vclusterVersion: string
  kubernetesVersion: string
  backingStore: string
  kind: 'StatefulSet' | 'Deployment'
  replicas: number
  exposure: {serviceType: string; addresses: string[]; extraSANs: string[]}
  created: string
  images: {container: string; image: string}[]
  /** What the user set (the stored user values; helm's for a vCluster helm installed), secrets masked unless asked. */
  config: Record<string, unknown>
  /** Where config has a secret masked (secrets/redact.ts), so the reader knows what was left out. */
  secretsMasked?: string[]
  /** helm's release, when helm (upstream's CLI) installed it and still holds its record. */
  helm?: {release: string; revision: number; status: string; chart: {name: string; version: string}}
}

interface Service {
  spec?: {type?: string; clusterIP?: string}
  status?: {loadBalancer?: {ingress?: {ip?: string; hostname?: string}[]}}
}

/**
 * Everything about one vCluster a person asks first, from a handful of requests, bounded by --timeout (the
 * diagnosis of a vCluster that is not running keeps to its own limit inside it).
 */
export function describeVCluster(
  kube: KubeTarget,
  name: string,
  options: {timeoutMs?: number; showSecrets?: boolean} = {},
): Promise<Description> {
  return withDeadline(options.timeoutMs, {what: `describe of vCluster ${name}`}, async () => {
    const described = await describeNow(kube, name)
    if (options.showSecrets === true) return described
    // Secrets in the values are printed only when asked for (--show-secrets): describe is often shared or logged.
    const {value, masked} = redactSecrets(described.config)
    return {...described, config: value, ...(masked.length > 0 ? {secretsMasked: masked} : {})}
  })
}

async function describeNow(kube: KubeTarget, name: string): Promise<Description> {
  const client = await connectKube(kube)
  try {
    const found = await findVCluster(client, name, kube.namespace)
    const {namespace, workload} = found
    const [pods, stored, service, releases] = await Promise.all([
      client.request<{items: never[]}>({
        path: collectionPath('Pod', namespace),
        query: {labelSelector: vclusterSelector(name)},
      }),
      readStoredConfig(client, name, namespace),
      client.request<Service | undefined>({path: `${collectionPath('Service', namespace)}/${name}`, allow: [404, 403]}),
      installedByHelm(workload.metadata) ? helmReleases(client, name, namespace) : [],
    ])
    const release = currentRelease(releases)
    const status = statusOf(found, pods.items)
    const spec = (workload.spec?.template?.spec ?? {}) as {
      containers?: {name: string; image?: string}[]
      initContainers?: {name: string; image?: string}[]
    }
    const images = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => ({
      container: c.name,
      image: c.image ?? '',
    }))
    const tag = (container: string) =>
      images
        .find((i) => i.container === container)
        ?.image.split(':')
        .pop() ?? ''
    const resolved = (stored?.resolved ?? {}) as never
    const extraSANs =
      (stored?.resolved as {controlPlane?: {proxy?: {extraSANs?: string[]}}} | undefined)?.controlPlane?.proxy
        ?.extraSANs ?? []
    const ingress = service?.status?.loadBalancer?.ingress ?? []
    return {
      name,
      namespace,
      status,
      ...(status === 'Running' || status === 'Paused' || status === 'ScaledDown'
        ? {}
        : {reason: await diagnose(client, namespace, name)}),
      vclusterVersion: tag('syncer'),
      kubernetesVersion: tag('kubernetes'),
      backingStore: stored === undefined ? 'unknown' : backingStoreType(resolved),
      kind: workload.kind,
      replicas: workload.spec?.replicas ?? 1,
      exposure: {
        serviceType: service?.spec?.type ?? 'none',
        addresses: ingress.map((i) => i.ip ?? i.hostname ?? '').filter((a) => a !== ''),
        extraSANs,
      },
      created: workload.metadata.creationTimestamp ?? '',
      images,
      // Made by upstream's CLI or helm: what its user set is in helm's record, not in vc-config-<name>.
      config: release?.values ?? stored?.values ?? {},
      ...(release === undefined
        ? {}
        : {helm: {release: release.name, revision: release.revision, status: release.status, chart: release.chart}}),
    }
  } finally {
    client.close()
  }
}
