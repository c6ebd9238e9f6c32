/** `sync.fromHost`: resources synced from the host cluster into the virtual cluster (read-only there). */
import {autoSyncSwitch, autoSyncSwitchWithSelector, labelSelector, mappings, patches, syncSwitch, syncSwitchWithSelector} from './common.js'
import {bool, closed, mapOf, object, oneOf, partlyKnown, removed, required, stringMap} from './helpers.js'

const nodes = closed(
  {
    enabled: bool(false, 'Syncs real host nodes; otherwise vCluster shows fake nodes.'),
    syncBackChanges: bool(false, 'Syncs label and taint changes back to the host nodes.'),
    clearImageStatus: bool(false, 'Hides the image list of synced nodes.'),
    selector: closed(
      {
        all: bool(false, 'Syncs all nodes, not only the ones running virtual pods.'),
        labels: stringMap({}, 'Only nodes with these labels are synced; also used as node selector for pods.'),
      },
      'Which nodes are synced.',
    ),
    patches: patches(),
  },
  'Nodes of the host cluster.',
)

function withMappings(description: string) {
  return closed(
    {
      enabled: bool(false, 'Syncs this resource from the host.'),
      patches: patches(),
      mappings: mappings('Host-to-virtual name mappings of the objects to sync.', true),
    },
    description,
  )
}

const customResource = object(
  {
    enabled: required(bool('Syncs this custom resource from the host.')),
    scope: required(oneOf(['Namespaced', 'Cluster'], 'Scope of the resource.')),
    patches: patches(),
    mappings: mappings('Host-to-virtual name mappings for namespaced resources.'),
  },
  'One custom resource synced from the host.',
)

export const fromHost = closed(
  {
    nodes,
    events: syncSwitch('Events of synced objects.', true),
    ingressClasses: syncSwitchWithSelector('IngressClasses of the host.', false),
    runtimeClasses: syncSwitchWithSelector('RuntimeClasses of the host.', false),
    priorityClasses: syncSwitchWithSelector('PriorityClasses of the host.', false),
    storageClasses: autoSyncSwitchWithSelector('StorageClasses of the host.', 'auto'),
    csiNodes: autoSyncSwitch('CSINodes of the host.', 'auto'),
    csiDrivers: autoSyncSwitch('CSIDrivers of the host.', 'auto'),
    csiStorageCapacities: autoSyncSwitch('CSIStorageCapacities of the host.', 'auto'),
    customResources: mapOf(customResource, 'Custom resources to sync read-only from the host, keyed by "plural.group".'),
    volumeSnapshotClasses: removed('Removed in vCluster 0.36; the chart rejects the key. Remove it.'),
    configMaps: withMappings('ConfigMaps of the host.'),
    secrets: withMappings('Secrets of the host.'),
    deviceClasses: syncSwitchWithSelector('DeviceClasses of the host (pro).', false),
    gatewayClasses: syncSwitchWithSelector('GatewayClasses of the host.', false),
    gateways: partlyKnown(
      {
        enabled: bool(false, 'Syncs Gateways from the host.'),
        patches: patches(),
        selector: labelSelector('Only Gateways matching this selector are synced.'),
        mappings: mappings('Host-to-virtual name mappings of the Gateways to sync.'),
      },
      'Gateways of the host, so virtual routes can attach to them.',
    ),
  },
  'Resources synced from the host cluster to the virtual cluster.',
)
