/** When the control plane needs cluster-wide access (a ClusterRole), and the rules it then gets. */
import type {VClusterConfig} from '../config/schema/index.js'
import {
  ALL_VERBS,
  READ_VERBS,
  customResourceRules,
  pluginRules,
  rule,
  userRules,
  type PolicyRule,
} from './rule-helpers.js'
import type {RenderInput} from './types.js'
import {isOn, isSet, present} from './util.js'

function schedulerOn(config: VClusterConfig): boolean {
  return (
    config.controlPlane?.distro?.k8s?.scheduler?.enabled === true ||
    config.controlPlane?.advanced?.virtualScheduler?.enabled === true ||
    config.sync?.toHost?.pods?.hybridScheduling?.enabled === true
  )
}

/** Gateway API sync to the host (the chart's list; ReferenceGrants alone do not count). */
function gatewayToHost(config: VClusterConfig): boolean {
  const api = config.sync?.toHost?.gatewayApi
  return (
    api?.enabled === true ||
    [api?.gateways, api?.httpRoutes, api?.tlsRoutes, api?.backendTLSPolicies].some((s) => s?.enabled === true)
  )
}

/** Settings that read or write cluster-scoped host objects (§3.5 of the upstream reference). */
function syncNeedsClusterRole(config: VClusterConfig): boolean {
  const toHost = config.sync?.toHost
  const fromHost = config.sync?.fromHost
  return (
    [
      toHost?.storageClasses,
      toHost?.persistentVolumes,
      toHost?.priorityClasses,
      toHost?.resourceClaims,
      toHost?.resourceClaimTemplates,
      toHost?.namespaces,
    ].some((s) => s?.enabled === true) ||
    [
      fromHost?.priorityClasses,
      fromHost?.deviceClasses,
      fromHost?.ingressClasses,
      fromHost?.runtimeClasses,
      fromHost?.nodes,
      fromHost?.configMaps,
      fromHost?.secrets,
      fromHost?.gatewayClasses,
      fromHost?.gateways,
    ].some((s) => s?.enabled === true) ||
    [fromHost?.storageClasses, fromHost?.csiNodes, fromHost?.csiDrivers, fromHost?.csiStorageCapacities].some((s) =>
      isOn(s?.enabled),
    ) ||
    isSet(toHost?.customResources) ||
    isSet(fromHost?.customResources) ||
    gatewayToHost(config)
  )
}

function integrationsNeedClusterRole(config: VClusterConfig): boolean {
  const {kubeVirt, externalSecrets, certManager, metricsServer, istio} = config.integrations ?? {}
  return (
    kubeVirt?.enabled === true ||
    externalSecrets?.enabled === true ||
    (certManager?.enabled === true && certManager.sync?.fromHost?.clusterIssuers?.enabled !== false) ||
    (metricsServer?.enabled === true && metricsServer.nodes !== false) ||
    istio?.enabled === true
  )
}

/** `rbac.clusterRole.enabled`: true always, false never, "auto" only when some setting needs it. */
export function needsClusterRole(config: VClusterConfig): boolean {
  const clusterRole = config.rbac?.clusterRole
  const enabled = clusterRole?.enabled ?? 'auto'
  if (isOn(enabled)) return true
  if (enabled !== 'auto') return false
  return (
    isSet(clusterRole?.overwriteRules) ||
    isSet(clusterRole?.extraRules) ||
    pluginRules(config, 'clusterRole').length > 0 ||
    isSet(config.networking?.replicateServices?.fromHost) ||
    config.pro === true ||
    schedulerOn(config) ||
    syncNeedsClusterRole(config) ||
    integrationsNeedClusterRole(config)
  )
}

function nodeRules(config: VClusterConfig): PolicyRule[] {
  const nodes = config.sync?.fromHost?.nodes
  const kubelets = config.networking?.advanced?.proxyKubelets
  const pro = config.pro === true
  return present([
    ...(pro
      ? [
          {
            apiGroups: ['cluster.loft.sh', 'storage.loft.sh'],
            resources: ['features', 'virtualclusters'],
            verbs: READ_VERBS,
          },
          rule('management.loft.sh', ['virtualclusterinstances'], ['get']),
        ]
      : []),
    (pro || nodes?.enabled === true) && rule('', ['pods', 'nodes', 'nodes/status'], ['get', 'watch', 'list']),
    nodes?.enabled === true &&
      (kubelets?.byIP !== false || kubelets?.byHostname !== false) &&
      rule('', ['nodes/metrics', 'nodes/stats', 'nodes/proxy'], ['get']),
    nodes?.enabled === true &&
      nodes.syncBackChanges === true &&
      rule('', ['nodes', 'nodes/status'], ['update', 'patch']),
  ])
}

/** Storage, class and scheduling objects read from (or written to) the host, in the chart's order. */
function classRules(config: VClusterConfig): PolicyRule[] {
  const toHost = config.sync?.toHost
  const fromHost = config.sync?.fromHost
  const watch = ['get', 'watch', 'list']
  return present([
    schedulerOn(config) &&
      rule('storage.k8s.io', ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities'], watch),
    isOn(fromHost?.storageClasses?.enabled) && rule('storage.k8s.io', ['storageclasses'], watch),
    isOn(fromHost?.csiNodes?.enabled) && rule('storage.k8s.io', ['csinodes'], watch),
    isOn(fromHost?.csiDrivers?.enabled) && rule('storage.k8s.io', ['csidrivers'], watch),
    isOn(fromHost?.csiStorageCapacities?.enabled) && rule('storage.k8s.io', ['csistoragecapacities'], watch),
    // Two rules, as the chart writes them.
    toHost?.persistentVolumes?.enabled === true && rule('', ['persistentvolumes'], ['get', 'list']),
    toHost?.persistentVolumes?.enabled === true &&
      rule('', ['persistentvolumes'], ['create', 'delete', 'patch', 'update', 'watch']),
    fromHost?.ingressClasses?.enabled === true && rule('networking.k8s.io', ['ingressclasses'], watch),
    (fromHost?.gatewayClasses?.enabled === true ||
      fromHost?.gateways?.enabled === true ||
      toHost?.gatewayApi?.enabled === true) &&
      rule('gateway.networking.k8s.io', ['gatewayclasses'], watch),
    fromHost?.gateways?.enabled === true && rule('gateway.networking.k8s.io', ['gateways'], watch),
    fromHost?.runtimeClasses?.enabled === true && rule('node.k8s.io', ['runtimeclasses'], watch),
    toHost?.storageClasses?.enabled === true &&
      rule('storage.k8s.io', ['storageclasses'], ['create', 'delete', 'patch', 'update', 'get', 'watch', 'list']),
    (toHost?.priorityClasses?.enabled === true || fromHost?.priorityClasses?.enabled === true) &&
      rule('scheduling.k8s.io', ['priorityclasses'], ALL_VERBS),
    (toHost?.resourceClaims?.enabled === true ||
      toHost?.resourceClaimTemplates?.enabled === true ||
      fromHost?.deviceClasses?.enabled === true) &&
      rule('resource.k8s.io', ['deviceclasses'], watch),
  ])
}

/** Services replicated from the host, synced namespaces, and the integrations' cluster-wide objects. */
function integrationRules(config: VClusterConfig): PolicyRule[] {
  const {kubeVirt, externalSecrets, certManager, metricsServer, istio} = config.integrations ?? {}
  const fromHost = config.sync?.fromHost
  const crds =
    kubeVirt?.enabled === true ||
    externalSecrets?.enabled === true ||
    certManager?.enabled === true ||
    isSet(config.sync?.toHost?.customResources) ||
    isSet(fromHost?.customResources) ||
    istio?.enabled === true ||
    fromHost?.gateways?.enabled === true ||
    fromHost?.gatewayClasses?.enabled === true ||
    gatewayToHost(config)
  const webhooks =
    (kubeVirt?.enabled === true && kubeVirt.webhook?.enabled === true) ||
    (externalSecrets?.enabled === true && externalSecrets.webhook?.enabled === true)
  return present([
    isSet(config.networking?.replicateServices?.fromHost) &&
      rule('', ['services', 'endpoints'], ['get', 'watch', 'list']),
    config.sync?.toHost?.namespaces?.enabled === true &&
      rule('', ['namespaces', 'serviceaccounts'], ['create', 'delete', 'patch', 'update', 'get', 'watch', 'list']),
    metricsServer?.enabled === true &&
      metricsServer.nodes === true &&
      rule('metrics.k8s.io', ['nodes'], ['get', 'list']),
    webhooks &&
      rule(
        'admissionregistration.k8s.io',
        ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
        READ_VERBS,
      ),
    crds && rule('apiextensions.k8s.io', ['customresourcedefinitions'], READ_VERBS),
    externalSecrets?.enabled === true &&
      externalSecrets.sync?.fromHost?.clusterStores?.enabled === true &&
      rule('external-secrets.io', ['clustersecretstores'], READ_VERBS),
    certManager?.enabled === true &&
      certManager.sync?.fromHost?.clusterIssuers?.enabled === true &&
      rule('cert-manager.io', ['clusterissuers'], READ_VERBS),
  ])
}

/**
 * Reading host ConfigMaps or Secrets into the vCluster: the source namespaces, list/watch of the kind, and get
 * limited to the mapped names unless a mapping takes every name ("*").
 */
function fromHostObjectRules(input: RenderInput, kind: 'configmaps' | 'secrets'): PolicyRule[] {
  const sync = input.config.sync?.fromHost?.[kind === 'configmaps' ? 'configMaps' : 'secrets']
  const byName = sync?.mappings?.byName ?? {}
  if (sync?.enabled !== true || Object.keys(byName).length === 0) return []
  const namespaces = new Set<string>()
  const names = new Set<string>()
  let allNames = false
  for (const key of Object.keys(byName)) {
    const parts = key.split('/')
    const namespace = parts[0] ?? ''
    const objectName = parts[parts.length - 1] ?? ''
    namespaces.add(namespace === '' ? input.namespace : namespace)
    if (objectName === '*') allNames = true
    else names.add(objectName)
  }
  const getRule: PolicyRule = rule('', [kind], ['get'])
  if (!allNames) getRule.resourceNames = [...names].sort()
  return [
    {...rule('', ['namespaces'], READ_VERBS), resourceNames: [...namespaces].sort()},
    rule('', [kind], ['list', 'watch']),
    getRule,
  ]
}

/** `rbac.clusterRole.overwriteRules` replaces everything; otherwise built-in rules, then plugin and extra rules. */
export function clusterRoleRules(input: RenderInput): PolicyRule[] {
  const config = input.config
  const clusterRole = config.rbac?.clusterRole
  if (isSet(clusterRole?.overwriteRules)) return userRules(clusterRole?.overwriteRules)
  return [
    ...nodeRules(config),
    ...classRules(config),
    ...integrationRules(config),
    ...fromHostObjectRules(input, 'configmaps'),
    ...fromHostObjectRules(input, 'secrets'),
    ...customResourceRules(config.sync?.fromHost?.customResources, READ_VERBS),
    ...pluginRules(config, 'clusterRole'),
    ...userRules(clusterRole?.extraRules),
  ]
}
