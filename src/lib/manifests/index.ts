/**
 * Renders the host-cluster objects of a virtual cluster, as the upstream chart would with the same values, as
 * plain data for server-side apply. Pure: no cluster access, no I/O.
 */
import {configHash, configSecret, configYaml} from './config-secret.js'
import {controlPlaneWorkload} from './control-plane.js'
import {etcdServices, etcdWorkload} from './etcd.js'
import {ingress, serviceMonitor, tlsRoute} from './exposure.js'
import {hostManifests} from './host-manifests.js'
import {networkPolicies} from './network-policies.js'
import {rolesThenBindings} from './order.js'
import {limitRange, podDisruptionBudget, resourceQuota} from './policies.js'
import {clusterRoleObjects, platformSecretObjects, roleObjects} from './rbac.js'
import {serviceAccounts} from './service-accounts.js'
import {controlPlaneService, headlessService} from './services.js'
import type {KubeObject, RenderInput} from './types.js'
import {present} from './util.js'

export type {KubeObject, RenderInput} from './types.js'
export {applyWaves} from './order.js'
export {backingStoreType, persistenceEnabled, workloadKind, type BackingStoreType} from './store.js'
export {commonLabels, selectorLabels, MANAGED_BY, MANAGED_BY_LABEL} from './labels.js'
export {isClusterScoped} from './scope.js'
export {CONFIG_KEY, USER_VALUES_KEY, configHash, configYaml} from './config-secret.js'
export {kubernetesImage, syncerImage} from './images.js'
export {
  certsSecretName,
  clusterRoleName,
  configSecretName,
  etcdName,
  headlessServiceName,
  kubeconfigSecretName,
  serviceAccountName,
  workloadServiceAccountName,
} from './names.js'

/**
 * Every object, in apply order: ServiceAccounts, the config Secret, roles, bindings, Services (and what routes to
 * them), etcd, policies, raw host manifests, then the control-plane StatefulSet or Deployment.
 */
export function renderManifests(input: RenderInput): KubeObject[] {
  const configText = configYaml(input)
  return [
    ...serviceAccounts(input),
    configSecret(input, configText),
    ...rolesThenBindings([...roleObjects(input), ...clusterRoleObjects(input), ...platformSecretObjects(input)]),
    ...present([controlPlaneService(input), headlessService(input)]),
    ...etcdServices(input),
    ...present([ingress(input), tlsRoute(input), serviceMonitor(input)]),
    ...etcdWorkload(input),
    ...networkPolicies(input),
    ...present([resourceQuota(input), limitRange(input), podDisruptionBudget(input)]),
    ...hostManifests(input),
    controlPlaneWorkload(input, configHash(input)),
  ]
}
