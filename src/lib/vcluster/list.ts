import {ForbiddenError} from '../errors.js'
import {connectKube, type KubeClient, type KubeTarget} from '../kube/client.js'
import {withDeadline} from '../kube/deadline.js'
import {podStatus} from '../kube/pod-status.js'
import {collectionPath} from '../kube/resources.js'
import {contextNameFor} from '../kubeconfig/names.js'
import {findVClusters, type FoundVCluster} from './find.js'
import {vclusterSelector} from '../kube/object.js'
import {compareStrings} from '../compare.js'

/** One row of `vcluster list`; JSON keys match the upstream CLI so existing scripts keep working. */
export interface VClusterListItem {
  Name: string
  Namespace: string
  Status: string
  Version: string
  Connected: boolean
  Created: string
  AgeSeconds: number
}

export interface ListResult {
  items: VClusterListItem[]
  /** The namespace asked for; absent for all namespaces. */
  namespace?: string
  /** Set when listing all namespaces was forbidden and only the current namespace was searched. */
  fellBackToNamespace?: string
}

interface Pod {
  metadata: {
    name: string
    namespace: string
    labels?: Record<string, string>
    creationTimestamp?: string
    deletionTimestamp?: string
  }
  status?: Record<string, unknown>
}

/**
 * `vcluster list`: every namespace unless `-n` (and not `-A`) names one (NAMESPACE_RULES.list, names.ts), bounded by
 * --timeout.
 */
export function listVClustersAt(
  kube: KubeTarget,
  options: {allNamespaces?: boolean; timeoutMs?: number} = {},
): Promise<ListResult> {
  const namespace = options.allNamespaces === true ? undefined : kube.namespace
  return withDeadline(options.timeoutMs, {what: 'listing vClusters'}, async () => {
    const client = await connectKube(kube)
    const result = await listVClusters(client, {namespace}).finally(() => client.close())
    return namespace === undefined ? result : {...result, namespace}
  })
}

/** Lists vClusters with a fixed number of requests: workloads and pods by label, joined in memory. */
export async function listVClusters(
  client: KubeClient,
  options: {namespace?: string; now?: Date},
): Promise<ListResult> {
  try {
    return {items: await listIn(client, options.namespace, options.now)}
  } catch (error) {
    if (!(error instanceof ForbiddenError) || options.namespace !== undefined) throw error
    const fallback = client.selection.namespace
    return {items: await listIn(client, fallback, options.now), fellBackToNamespace: fallback}
  }
}

async function listIn(
  client: KubeClient,
  namespace: string | undefined,
  now = new Date(),
): Promise<VClusterListItem[]> {
  const [found, pods] = await Promise.all([
    findVClusters(client, {namespace}),
    client.request<{items: Pod[]}>({
      path: collectionPath('Pod', namespace),
      query: {labelSelector: vclusterSelector()},
    }),
  ])
  const podsByRelease = new Map<string, Pod[]>()
  for (const pod of pods.items) {
    const key = `${pod.metadata.namespace}/${pod.metadata.labels?.release ?? ''}`
    podsByRelease.set(key, [...(podsByRelease.get(key) ?? []), pod])
  }
  const connected = (v: FoundVCluster) =>
    client.currentContext === contextNameFor(v.name, v.namespace, client.selection.contextName)
  return found.map((v) => toItem(v, podsByRelease.get(`${v.namespace}/${v.name}`) ?? [], connected(v), now))
}

function toItem(v: FoundVCluster, pods: Pod[], connected: boolean, now: Date): VClusterListItem {
  const created = v.workload.metadata.creationTimestamp ?? now.toISOString()
  return {
    Name: v.name,
    Namespace: v.namespace,
    Status: statusOf(v, pods),
    Version: syncerVersion(v),
    Connected: connected,
    Created: created,
    AgeSeconds: Math.max(0, Math.floor((now.getTime() - Date.parse(created)) / 1000)),
  }
}

export function statusOf(v: FoundVCluster, pods: Pod[]): string {
  const annotations = v.workload.metadata.annotations ?? {}
  if (annotations['loft.sh/paused'] === 'true' || v.workload.metadata.labels?.['loft.sh/sleep-mode'] === 'true')
    return 'Paused'
  if (pods.length === 0) return (v.workload.spec?.replicas ?? 1) === 0 ? 'ScaledDown' : 'Pending'
  // Several pods (HA): the worst one tells the story; a Running one only if all are.
  const statuses = pods
    .sort((a, b) => compareStrings(a.metadata.name, b.metadata.name))
    .map((p) => podStatus(p as never))
  return statuses.find((s) => s !== 'Running') ?? 'Running'
}

function syncerVersion(v: FoundVCluster): string {
  const containers = v.workload.spec?.template?.spec?.containers ?? []
  const syncer = containers.find((c) => c.name === 'syncer') ?? containers[0]
  const parts = (syncer?.image ?? '').split('/').pop()?.split(':') ?? []
  return parts.length === 2 ? (parts[1] as string) : ''
}
