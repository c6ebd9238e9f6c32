import type {KubeObject} from './object.js'

export interface ResourceInfo {
  /** `''` for the core group. */
  group: string
  version: string
  plural: string
  namespaced: boolean
}

/** The kinds this CLI reads or writes; a fixed table means no discovery requests. */
const RESOURCES: Record<string, ResourceInfo> = {
  Namespace: {group: '', version: 'v1', plural: 'namespaces', namespaced: false},
  ServiceAccount: {group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true},
  Secret: {group: '', version: 'v1', plural: 'secrets', namespaced: true},
  ConfigMap: {group: '', version: 'v1', plural: 'configmaps', namespaced: true},
  Service: {group: '', version: 'v1', plural: 'services', namespaced: true},
  Pod: {group: '', version: 'v1', plural: 'pods', namespaced: true},
  PersistentVolumeClaim: {group: '', version: 'v1', plural: 'persistentvolumeclaims', namespaced: true},
  Event: {group: '', version: 'v1', plural: 'events', namespaced: true},
  PriorityClass: {group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', namespaced: false},
  Endpoints: {group: '', version: 'v1', plural: 'endpoints', namespaced: true},
  ResourceQuota: {group: '', version: 'v1', plural: 'resourcequotas', namespaced: true},
  LimitRange: {group: '', version: 'v1', plural: 'limitranges', namespaced: true},
  StatefulSet: {group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true},
  Deployment: {group: 'apps', version: 'v1', plural: 'deployments', namespaced: true},
  Role: {group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', namespaced: true},
  RoleBinding: {group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', namespaced: true},
  ClusterRole: {group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', namespaced: false},
  ClusterRoleBinding: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterrolebindings',
    namespaced: false,
  },
  NetworkPolicy: {group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', namespaced: true},
  Ingress: {group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', namespaced: true},
  PodDisruptionBudget: {group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespaced: true},
  EndpointSlice: {group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true},
  ServiceMonitor: {group: 'monitoring.coreos.com', version: 'v1', plural: 'servicemonitors', namespaced: true},
  TLSRoute: {group: 'gateway.networking.k8s.io', version: 'v1alpha2', plural: 'tlsroutes', namespaced: true},
}

export function resourceInfo(kind: string, apiVersion?: string): ResourceInfo {
  const known = RESOURCES[kind]
  if (apiVersion === undefined) {
    if (known === undefined) throw new Error(`unknown kind ${kind}`)
    return known
  }
  // The object's own apiVersion wins (e.g. TLSRoute v1 vs v1alpha2); unknown kinds (raw manifests) get the
  // plural the API conventionally forms.
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion]
  return {group, version, plural: known?.plural ?? `${kind.toLowerCase()}s`, namespaced: known?.namespaced ?? true}
}

export function collectionPath(kind: string, namespace?: string, apiVersion?: string): string {
  const info = resourceInfo(kind, apiVersion)
  const prefix = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`
  return info.namespaced && namespace !== undefined
    ? `${prefix}/namespaces/${namespace}/${info.plural}`
    : `${prefix}/${info.plural}`
}

export function objectPath(obj: Pick<KubeObject, 'kind' | 'apiVersion' | 'metadata'>): string {
  return `${collectionPath(obj.kind, obj.metadata.namespace, obj.apiVersion)}/${encodeURIComponent(obj.metadata.name)}`
}

export function isNamespaced(kind: string): boolean {
  return resourceInfo(kind).namespaced
}
