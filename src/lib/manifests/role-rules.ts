/** Rules of the control plane's Role `vc-<name>` in the vCluster namespace. */
import type {VClusterConfig} from '../config/schema/index.js'
import {embeddedEtcd} from './store.js'
import type {RenderInput} from './types.js'
import {
  ALL_VERBS,
  READ_VERBS,
  customResourceRules,
  pluginRules,
  rule,
  userRules,
  type PolicyRule,
} from './rule-helpers.js'
import {hostMinor, isOn, present} from './util.js'

/** What the syncer needs to run pods and their objects in the namespace. */
function coreRules(input: RenderInput): PolicyRule[] {
  const minor = hostMinor(input.hostVersion)
  // As the chart: only on hosts of 1.35 or newer (with private nodes too); an unreadable host version leaves it out.
  const resize = minor !== undefined && minor >= 35 && rule('', ['pods/resize'], ['patch', 'update'])
  if (input.config.privateNodes?.enabled === true) {
    // With private nodes nothing runs on the host: only its own config and state are written.
    return present([
      rule('', ['secrets', 'configmaps'], ALL_VERBS),
      rule('', ['services', 'pods', 'persistentvolumeclaims'], READ_VERBS),
      resize,
    ])
  }
  const podResources = [
    'configmaps',
    'secrets',
    'services',
    'pods',
    'pods/attach',
    'pods/portforward',
    'pods/exec',
    'persistentvolumeclaims',
  ]
  return present([
    rule('', podResources, ALL_VERBS),
    rule('', ['pods/status', 'pods/ephemeralcontainers'], ['patch', 'update']),
    resize,
  ])
}

function baseRules(config: VClusterConfig): PolicyRule[] {
  const toHost = config.sync?.toHost
  return present([
    rule('apps', ['statefulsets', 'replicasets', 'deployments'], ['get', 'list', 'watch', 'patch', 'update']),
    rule('', ['endpoints', 'pods/log'], READ_VERBS),
    rule('', ['events'], ['create', 'get', 'list', 'watch']),
    rule('events.k8s.io', ['events'], ['create', 'get', 'list', 'watch']),
    toHost?.endpoints?.enabled !== false && rule('', ['endpoints'], ['create', 'delete', 'patch', 'update']),
    toHost?.endpointSlices?.enabled !== false &&
      rule('discovery.k8s.io', ['endpointslices'], ['create', 'list', 'get', 'delete', 'patch', 'update', 'watch']),
  ])
}

/** Rules for optional syncers: each resource synced to the host needs full rights on it. In the chart's order. */
function syncRules(config: VClusterConfig): PolicyRule[] {
  const toHost = config.sync?.toHost
  const replicas = config.controlPlane?.statefulSet?.highAvailability?.replicas ?? 1
  const metrics = config.integrations?.metricsServer
  return present([
    // Leader election among replicas (and embedded etcd's member management) uses leases.
    (replicas > 1 || embeddedEtcd(config) || config.privateNodes?.enabled === true) &&
      rule('coordination.k8s.io', ['leases'], ALL_VERBS),
    metrics?.enabled === true && metrics.pods === true && rule('metrics.k8s.io', ['pods'], ['get', 'list']),
    toHost?.ingresses?.enabled === true && rule('networking.k8s.io', ['ingresses'], ALL_VERBS),
    ...gatewayRules(config),
    toHost?.networkPolicies?.enabled === true && rule('networking.k8s.io', ['networkpolicies'], ALL_VERBS),
    toHost?.resourceClaims?.enabled === true && rule('resource.k8s.io', ['resourceclaims'], ALL_VERBS),
    toHost?.resourceClaims?.enabled === true && rule('resource.k8s.io', ['resourceclaims/status'], ['patch', 'update']),
    toHost?.resourceClaimTemplates?.enabled === true && rule('resource.k8s.io', ['resourceclaimtemplates'], ALL_VERBS),
    toHost?.serviceAccounts?.enabled === true && rule('', ['serviceaccounts'], ALL_VERBS),
    toHost?.podDisruptionBudgets?.enabled === true && rule('policy', ['poddisruptionbudgets'], ALL_VERBS),
  ])
}

/**
 * Gateway API objects synced to the host, one rule per resource as the chart. ReferenceGrants are synced (full
 * rights) with namespace sync, with Istio, or when forced on; with single-namespace sync they are only read.
 */
function gatewayRules(config: VClusterConfig): PolicyRule[] {
  const api = config.sync?.toHost?.gatewayApi
  const all = api?.enabled === true
  const routes =
    all ||
    api?.httpRoutes?.enabled === true ||
    api?.tlsRoutes?.enabled === true ||
    api?.backendTLSPolicies?.enabled === true
  const syncGrants =
    (routes && config.sync?.toHost?.namespaces?.enabled === true) ||
    config.integrations?.istio?.enabled === true ||
    isOn(api?.referenceGrants?.enabled)
  return present([
    (all || api?.gateways?.enabled === true) && rule('gateway.networking.k8s.io', ['gateways'], ALL_VERBS),
    (all || api?.httpRoutes?.enabled === true) && rule('gateway.networking.k8s.io', ['httproutes'], ALL_VERBS),
    api?.tlsRoutes?.enabled === true && rule('gateway.networking.k8s.io', ['tlsroutes'], ALL_VERBS),
    api?.backendTLSPolicies?.enabled === true && rule('gateway.networking.k8s.io', ['backendtlspolicies'], ALL_VERBS),
    syncGrants
      ? rule('gateway.networking.k8s.io', ['referencegrants'], ALL_VERBS)
      : routes && rule('gateway.networking.k8s.io', ['referencegrants'], READ_VERBS),
  ])
}

function integrationRules(config: VClusterConfig): PolicyRule[] {
  const {kubeVirt, externalSecrets, certManager, istio} = config.integrations ?? {}
  const certs = certManager?.sync?.toHost
  return present([
    ...(kubeVirt?.enabled === true
      ? [
          rule('subresources.kubevirt.io', ['*'], ALL_VERBS),
          rule('pool.kubevirt.io', ['virtualmachinepools', 'virtualmachinepools/status'], ALL_VERBS),
          rule('clone.kubevirt.io', ['virtualmachineclones', 'virtualmachineclones/status'], ALL_VERBS),
          rule('cdi.kubevirt.io', ['datavolumes', 'datavolumes/status'], ALL_VERBS),
          rule('kubevirt.io', kubeVirtResources, ALL_VERBS),
        ]
      : []),
    externalSecrets?.enabled === true && rule('external-secrets.io', ['externalsecrets'], ALL_VERBS),
    externalSecrets?.enabled === true &&
      externalSecrets.sync?.toHost?.stores?.enabled === true &&
      rule('external-secrets.io', ['secretstores'], ALL_VERBS),
    certManager?.enabled === true &&
      certs?.certificates?.enabled === true &&
      rule('cert-manager.io', ['certificates'], ALL_VERBS),
    certManager?.enabled === true &&
      certs?.issuers?.enabled === true &&
      rule('cert-manager.io', ['issuers'], ALL_VERBS),
    istio?.enabled === true &&
      rule('networking.istio.io', ['destinationrules', 'gateways', 'serviceentries', 'virtualservices'], ALL_VERBS),
    (config.experimental?.nodeMonitors ?? []).length > 0 &&
      rule('monitoring.coreos.com', ['servicemonitors'], ALL_VERBS),
  ])
}

const kubeVirtResources = [
  'virtualmachines',
  'virtualmachines/status',
  'virtualmachineinstances',
  'virtualmachineinstances/status',
  'virtualmachineinstancemigrations',
  'virtualmachineinstancemigrations/status',
]

/** `rbac.role.overwriteRules` replaces everything; otherwise built-in rules, then plugin and extra rules. */
export function roleRules(input: RenderInput): PolicyRule[] {
  const role = input.config.rbac?.role
  if ((role?.overwriteRules ?? []).length > 0) return userRules(role?.overwriteRules)
  const config = input.config
  return [
    ...coreRules(input),
    ...baseRules(config),
    ...syncRules(config),
    ...integrationRules(config),
    ...customResourceRules(config.sync?.toHost?.customResources, ALL_VERBS),
    ...pluginRules(config, 'role'),
    ...userRules(role?.extraRules),
  ]
}
