import {ForbiddenError, NotFoundError} from '../errors.js'
import type {KubeClient} from '../kube/client.js'
import {collectionPath} from '../kube/resources.js'
import {vclusterSelector} from '../kube/object.js'
import {compareStrings} from '../compare.js'

export interface Workload {
  kind: 'StatefulSet' | 'Deployment'
  metadata: {
    name: string
    namespace: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    creationTimestamp?: string
    generation?: number
  }
  spec?: {
    replicas?: number
    template?: {spec?: {containers?: {name: string; image?: string}[]}}
    volumeClaimTemplates?: {metadata?: {name?: string}}[]
  }
  status?: Record<string, unknown>
}

export interface FoundVCluster {
  name: string
  namespace: string
  workload: Workload
}

export interface Scope {
  /** Undefined means all namespaces. */
  namespace?: string
}

/**
 * Finds vClusters as upstream does: StatefulSets, then Deployments, labelled app=vcluster; the name is the
 * `release` label. Two LIST requests whatever the count. Also finds vClusters made by the upstream CLI or chart.
 */
export async function findVClusters(client: KubeClient, scope: Scope): Promise<FoundVCluster[]> {
  const query = {labelSelector: vclusterSelector()}
  const [sets, deployments] = await Promise.all([
    client.request<{items: Workload[]}>({path: collectionPath('StatefulSet', scope.namespace), query}),
    client.request<{items: Workload[]}>({path: collectionPath('Deployment', scope.namespace), query}),
  ])
  const found: FoundVCluster[] = []
  const add = (kind: Workload['kind'], items: Workload[]) => {
    for (const w of items) {
      const release = w.metadata.labels?.release
      if (release === undefined || release === '') continue
      found.push({name: release, namespace: w.metadata.namespace, workload: {...w, kind}})
    }
  }
  add('StatefulSet', sets.items)
  add('Deployment', deployments.items)
  return found.sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name))
}

/** Finds one vCluster by name in a namespace, or across namespaces the user may list when none is given. */
export async function findVCluster(
  client: KubeClient,
  name: string,
  namespace: string | undefined,
): Promise<FoundVCluster> {
  let all: FoundVCluster[]
  try {
    all = await findVClusters(client, {namespace})
  } catch (error) {
    if (!(error instanceof ForbiddenError) || namespace !== undefined) throw error
    all = await findVClusters(client, {namespace: client.selection.namespace})
  }
  const matches = all.filter((v) => v.name === name)
  if (matches.length === 1) return matches[0] as FoundVCluster
  if (matches.length > 1) {
    throw new NotFoundError(
      `vCluster ${name} exists in several namespaces: ${matches.map((m) => m.namespace).join(', ')}`,
      `Pick one with -n.`,
    )
  }
  const where = namespace === undefined ? 'any namespace you can list' : `namespace ${namespace}`
  const others = all.map((v) => `${v.name} (${v.namespace})`).join(', ')
  throw new NotFoundError(
    `vCluster ${name} not found in ${where}`,
    others === '' ? 'Run `vcluster list -A` to see the vClusters you can reach.' : `Found: ${others}.`,
  )
}
