/** Apply order and dependency waves. */
import type {KubeObject} from './types.js'

/** Kinds nothing else we render must exist before (bindings need their role; pods need SA, Secret, policies). */
const INDEPENDENT = new Set([
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'Role',
  'ClusterRole',
  'Service',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodDisruptionBudget',
  'Ingress',
  'TLSRoute',
  'ServiceMonitor',
])

function isControlPlaneWorkload(object: KubeObject): boolean {
  return (object.kind === 'StatefulSet' || object.kind === 'Deployment') && object.metadata.labels?.app === 'vcluster'
}

/**
 * 0: objects with no dependencies; 1: bindings (creating one needs its role to exist), etcd and anything else;
 * 2: the control plane, last, so its pods start with their ServiceAccount, config, RBAC, Services, quota and
 * limit range in place (a LimitRange only applies to pods created after it).
 */
function waveOf(object: KubeObject): number {
  if (isControlPlaneWorkload(object)) return 2
  return INDEPENDENT.has(object.kind) ? 0 : 1
}

/** Groups objects into waves to apply one after the other; the objects of a wave can go in parallel. */
export function applyWaves(objects: readonly KubeObject[]): KubeObject[][] {
  const waves: KubeObject[][] = [[], [], []]
  for (const object of objects) waves[waveOf(object)]?.push(object)
  return waves.filter((wave) => wave.length > 0)
}

/** Roles before bindings, keeping the relative order within each group. */
export function rolesThenBindings(objects: readonly KubeObject[]): KubeObject[] {
  const isBinding = (o: KubeObject) => o.kind.endsWith('Binding')
  return [...objects.filter((o) => !isBinding(o)), ...objects.filter(isBinding)]
}
