/** `sync.fromHost`: resources synced from the host cluster into the virtual cluster (read-only there). */
import {
  autoSyncSwitch,
  autoSyncSwitchWithSelector,
  labelSelector,
  mappings,
  patches,
  removedSwitch,
  syncSwitch,
  syncSwitchWithSelector,
} from './common.js'
import {bool, closed, list, mapOf, object, removed, required, str, stringMap, strList} from './helpers.js'

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

function routeNamespacePolicy(description: string) {
  return closed(
    {
      from: str('Where routes may come from, e.g. Same, All or Selector.'),
      selector: labelSelector('Namespaces routes may come from, with from: Selector.'),
    },
    description,
  )
}

const customResource = object(
  {
    enabled: required(bool('Syncs this custom resource from the host.')),
    scope: required(str('Scope of the resource: Namespaced or Cluster.')),
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
    customResources: mapOf(
      customResource,
      'Custom resources to sync read-only from the host, keyed by "plural.group".',
    ),
    volumeSnapshotClasses: removed(removedSwitch(), 'Removed in vCluster 0.36; the chart rejects the key. Remove it.'),
    configMaps: withMappings('ConfigMaps of the host.'),
    secrets: withMappings('Secrets of the host.'),
    deviceClasses: syncSwitchWithSelector('DeviceClasses of the host (pro).', false),
    gatewayClasses: syncSwitchWithSelector('GatewayClasses of the host.', false),
    gateways: closed(
      {
        enabled: bool(false, 'Syncs Gateways from the host.'),
        patches: patches(),
        selector: labelSelector('Only Gateways matching this selector are synced.'),
        mappings: mappings('Host-to-virtual name mappings of the Gateways to sync.'),
        allowedRoutes: closed(
          {
            defaultVirtualNamespacePolicy: routeNamespacePolicy(
              'Which virtual namespaces may attach routes to an imported Gateway.',
            ),
            overrides: list(
              object(
                {
                  hostNamespace: str('Namespace of the host Gateway this override is for.'),
                  name: str('Name of the host Gateway this override is for.'),
                  virtualNamespacePolicy: routeNamespacePolicy(
                    'Which virtual namespaces may attach routes to this Gateway.',
                  ),
                  allowedHostnames: strList('Hostnames routes attached to this Gateway may use.'),
                },
                'The route policy of one host Gateway.',
              ),
              'Route policies for single Gateways, instead of the default.',
            ),
          },
          'The allowedRoutes policy shown on imported Gateways and enforced for routes.',
        ),
        status: closed(
          {exposeAddresses: bool('Shows the host Gateway addresses in the imported status.')},
          'How Gateway status is mirrored.',
        ),
        metadata: closed(
          {exposeSourceGateway: bool('Shows which host Gateway an imported one comes from.')},
          'Which metadata of the host Gateway is visible.',
        ),
        sanitize: closed(
          {
            certificateRefs: bool('Hides the host TLS certificate references.'),
            infrastructure: bool('Hides the host Gateway infrastructure settings.'),
          },
          'Which sensitive host fields are hidden from the virtual cluster.',
        ),
      },
      'Gateways of the host, so virtual routes can attach to them.',
    ),
  },
  'Resources synced from the host cluster to the virtual cluster.',
)
