/** `integrations`: reuse of operators running on the host cluster. */
import {enableSwitch, labelSelector, labelsOnlySelector} from './common.js'
import {bool, closed, int, str} from './helpers.js'

function apiService(description: string) {
  return closed(
    {
      service: closed(
        {
          name: str('Name of the host service.'),
          namespace: str('Namespace of the host service.'),
          port: int('Target port on the host service.'),
        },
        'The host service behind the API.',
      ),
    },
    description,
  )
}

function selectorSwitch(description: string, def?: boolean) {
  return closed(
    {
      enabled: def === undefined ? bool('Turns this on.') : bool(def, 'Turns this on.'),
      selector: labelSelector('Only objects matching this selector are synced.'),
    },
    description,
  )
}

const metricsServer = closed(
  {
    enabled: bool(false, 'Proxies the metrics API of the host metrics-server into the virtual cluster.'),
    apiService: apiService('Where the metrics-server runs; metrics-server in kube-system by default.'),
    nodes: bool(true, 'Proxies node metrics.'),
    pods: bool(true, 'Proxies pod metrics.'),
  },
  'Reuse of the host metrics-server.',
)

const kubeVirt = closed(
  {
    enabled: bool(false, 'Makes the host KubeVirt available inside the virtual cluster.'),
    apiService: apiService('Where virt-api runs; virt-api in kubevirt by default.'),
    webhook: enableSwitch('Reuse of the KubeVirt webhooks inside the virtual cluster.', true),
    sync: closed(
      {
        dataVolumes: enableSwitch('Syncing of DataVolumes.', false),
        virtualMachineInstanceMigrations: enableSwitch('Syncing of VirtualMachineInstanceMigrations.', true),
        virtualMachineInstances: enableSwitch('Syncing of VirtualMachineInstances.', true),
        virtualMachines: enableSwitch('Syncing of VirtualMachines.', true),
        virtualMachineClones: enableSwitch('Syncing of VirtualMachineClones.', true),
        virtualMachinePools: enableSwitch('Syncing of VirtualMachinePools.', true),
      },
      'Which KubeVirt resources are synced.',
    ),
  },
  'Reuse of a host KubeVirt.',
)

const externalSecrets = closed(
  {
    enabled: bool(false, 'Makes the host External Secrets Operator available inside the virtual cluster.'),
    version: str('Version of the operator API to use; the storage version when empty.'),
    webhook: enableSwitch('Reuse of the operator webhooks inside the virtual cluster.', false),
    sync: closed(
      {
        toHost: closed(
          {
            externalSecrets: closed(
              {selector: labelSelector('Only ExternalSecrets matching this selector are synced.')},
              'ExternalSecrets synced to the host.',
            ),
            stores: selectorSwitch('SecretStores synced to the host and back.', false),
          },
          'Resources synced from the virtual cluster to the host.',
        ),
        fromHost: closed(
          {clusterStores: selectorSwitch('ClusterSecretStores synced from the host.', false)},
          'Resources synced from the host into the virtual cluster.',
        ),
      },
      'Which External Secrets resources are synced.',
    ),
  },
  'Reuse of a host External Secrets Operator.',
)

const certManager = closed(
  {
    enabled: bool(false, 'Makes the host cert-manager available inside the virtual cluster.'),
    sync: closed(
      {
        toHost: closed(
          {
            certificates: enableSwitch('Syncing of Certificates to the host.', true),
            issuers: enableSwitch('Syncing of Issuers to the host.', true),
          },
          'cert-manager resources synced to the host.',
        ),
        fromHost: closed(
          {
            clusterIssuers: closed(
              {
                enabled: bool(true, 'Syncs ClusterIssuers from the host.'),
                selector: labelsOnlySelector('Which ClusterIssuers are synced.', true),
              },
              'ClusterIssuers synced from the host.',
            ),
          },
          'cert-manager resources synced from the host.',
        ),
      },
      'Which cert-manager resources are synced.',
    ),
  },
  'Reuse of a host cert-manager.',
)

const istio = closed(
  {
    enabled: bool(false, 'Syncs Istio resources to the host Istio.'),
    sync: closed(
      {
        toHost: closed(
          {
            destinationRules: enableSwitch('Syncing of DestinationRules.', true),
            gateways: enableSwitch('Syncing of Istio Gateways.', true),
            virtualServices: enableSwitch('Syncing of VirtualServices.', true),
          },
          'Istio resources synced to the host.',
        ),
      },
      'Which Istio resources are synced.',
    ),
  },
  'Reuse of a host Istio.',
)

const netris = closed(
  {
    enabled: bool('Configures Netris networking for the virtual cluster.'),
    connector: str('Name of the Netris connector.'),
    kubeVip: closed(
      {
        serverCluster: str('Name of the Netris server cluster.'),
        bridge: str('Bridge interface name.'),
        ipRange: str('IP range for kube-vip.'),
      },
      'kube-vip settings for Netris.',
    ),
  },
  'Netris integration.',
)

export const integrations = closed(
  {
    metricsServer,
    kubeVirt,
    externalSecrets,
    certManager,
    istio,
    netris,
    argoCD: closed(
      {
        enabled: bool('Registers the virtual cluster with Argo CD through the platform.'),
        connector: str('Name of the Argo CD connector.'),
      },
      'Argo CD integration (platform).',
    ),
  },
  'Integrations with operators running on the host cluster.',
)
