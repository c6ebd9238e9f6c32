/** Object names the upstream chart and the vCluster syncer agree on; other commands look objects up by them. */
import type {VClusterConfig} from '../config/schema/index.js'

/** Secret holding the config the syncer reads (`config.yaml`). */
export const configSecretName = (name: string): string => `vc-config-${name}`

/** Secret the syncer writes the admin kubeconfig into (key `config`). */
export const kubeconfigSecretName = (name: string): string => `vc-${name}`

/** Secret the syncer keeps its PKI in. */
export const certsSecretName = (name: string): string => `${name}-certs`

export const headlessServiceName = (name: string): string => `${name}-headless`

export const etcdName = (name: string): string => `${name}-etcd`

export const etcdHeadlessServiceName = (name: string): string => `${name}-etcd-headless`

export const roleName = (name: string): string => `vc-${name}`

/** Like Helm's `trunc 63 | trimSuffix "-"`: object names and label values stop at 63 characters. */
export function truncateName(value: string, max = 63): string {
  const cut = value.slice(0, max)
  return cut.endsWith('-') ? cut.slice(0, -1) : cut
}

/** The ClusterRole (and binding) for cluster-wide access, e.g. `vc-my-vc-v-team-a`. */
export const clusterRoleName = (name: string, namespace: string): string => truncateName(`vc-${name}-v-${namespace}`)

/** The ClusterRole that replaces the Role when namespaces are synced (multi-namespace mode). */
export const multiNamespaceRoleName = (name: string, namespace: string): string =>
  truncateName(`vc-mn-${name}-v-${namespace}`)

/** The control plane's ServiceAccount: `controlPlane.advanced.serviceAccount.name`, else `vc-<name>`. */
export function serviceAccountName(config: VClusterConfig, name: string): string {
  const custom = config.controlPlane?.advanced?.serviceAccount?.name
  return custom !== undefined && custom !== '' ? custom : `vc-${name}`
}

/** The ServiceAccount synced workloads run as: `workloadServiceAccount.name`, else `vc-workload-<name>`. */
export function workloadServiceAccountName(config: VClusterConfig, name: string): string {
  const custom = config.controlPlane?.advanced?.workloadServiceAccount?.name
  return custom !== undefined && custom !== '' ? custom : `vc-workload-${name}`
}
