/** `sync.toHost`: resources synced from the virtual cluster to the host cluster. */
import {autoSyncSwitch, image, mappings, patches, removedSwitch, resources, syncSwitch} from './common.js'
import {bool, closed, mapOf, object, removed, required, str, stringMap, strList} from './helpers.js'

const pods = closed(
  {
    enabled: bool(true, 'Syncs pods to the host.'),
    translateImage: stringMap({}, 'Rewrites images of synced pods, from virtual image to host image.'),
    enforceTolerations: strList([], 'Tolerations added to every synced pod, e.g. "key=value:NoSchedule".'),
    useSecretsForSATokens: bool(false, 'Stores service account tokens in secrets instead of pod annotations.'),
    runtimeClassName: str('', 'Runtime class set on every synced pod.'),
    priorityClassName: str('', 'Priority class set on every synced pod.'),
    rewriteHosts: closed(
      {
        enabled: bool(true, 'Adds an init container that rewrites /etc/hosts of StatefulSet pods to the virtual FQDN.'),
        initContainer: closed(
          {
            image: image('Image of the init container.', {
              registry: 'mirror.gcr.io',
              repository: 'library/alpine',
              tag: '3.20',
            }),
            resources: resources('Resources of the init container.', {
              limits: {cpu: '30m', memory: '64Mi'},
              requests: {cpu: '30m', memory: '64Mi'},
            }),
          },
          'The init container that rewrites /etc/hosts.',
        ),
      },
      'Rewriting /etc/hosts of StatefulSet pods.',
    ),
    patches: patches(),
    hybridScheduling: closed(
      {
        enabled: bool(false, 'Lets pods be scheduled by host schedulers as well as the virtual one (pro).'),
        hostSchedulers: strList([], 'Names of schedulers that run on the host cluster.'),
      },
      'Hybrid scheduling of pods.',
    ),
  },
  'Pods created in the virtual cluster.',
)

function syncAll(description: string) {
  return closed(
    {
      enabled: bool(true, 'Syncs this resource to the host.'),
      all: bool(false, 'Syncs every object, not only the ones pods use.'),
      patches: patches(),
    },
    description,
  )
}

const REMOVED = 'Removed in vCluster 0.36; the chart rejects the key. Remove it.'

const customResource = object(
  {
    enabled: required(bool('Syncs this custom resource to the host.')),
    scope: str('Scope of the resource; Namespaced when empty, and only Namespaced is supported.'),
    patches: patches(),
  },
  'One custom resource synced to the host.',
)

// Upstream marks namespaces.enabled as required, but Helm validates after merging the chart defaults (which set
// it), so a values file may leave it out; it is optional here because values are validated before defaults.
const namespaces = closed(
  {
    enabled: bool(false, 'Syncs namespaces to the host (multi-namespace mode); cannot change later.'),
    patches: patches(),
    mappings: mappings('Virtual-to-host namespace name mappings; cannot change later.'),
    mappingsOnly: bool(false, 'Only allows namespaces that a mapping covers; cannot change later.'),
    extraLabels: stringMap('Extra labels for the namespaces created on the host.'),
  },
  'Namespaces created in the virtual cluster.',
)

const gatewayApi = closed(
  {
    enabled: bool('Umbrella switch: syncs Gateways and HTTPRoutes to the host and imports the host GatewayClasses.'),
    patches: patches(),
    gateways: syncSwitch('Gateways created in the virtual cluster.', false),
    httpRoutes: syncSwitch('HTTPRoutes created in the virtual cluster.', false),
    tlsRoutes: syncSwitch('TLSRoutes created in the virtual cluster.', false),
    backendTLSPolicies: syncSwitch('BackendTLSPolicies created in the virtual cluster.', false),
    referenceGrants: autoSyncSwitch(
      'ReferenceGrants created in the virtual cluster; "auto" follows the route syncing.',
      'auto',
    ),
  },
  'Gateway API resources created in the virtual cluster.',
)

export const toHost = closed(
  {
    pods,
    secrets: syncAll('Secrets created in the virtual cluster.'),
    configMaps: syncAll('ConfigMaps created in the virtual cluster.'),
    ingresses: syncSwitch('Ingresses created in the virtual cluster.', false),
    services: syncSwitch('Services created in the virtual cluster.', true),
    endpoints: syncSwitch('Endpoints created in the virtual cluster.', true),
    endpointSlices: syncSwitch('EndpointSlices created in the virtual cluster.', true),
    networkPolicies: syncSwitch('NetworkPolicies created in the virtual cluster.', false),
    persistentVolumeClaims: syncSwitch('PersistentVolumeClaims created in the virtual cluster.', true),
    persistentVolumes: syncSwitch('PersistentVolumes created in the virtual cluster.', false),
    volumeSnapshots: removed(removedSwitch(), REMOVED),
    volumeSnapshotContents: removed(removedSwitch(), REMOVED),
    storageClasses: syncSwitch('StorageClasses created in the virtual cluster.', false),
    serviceAccounts: syncSwitch('ServiceAccounts created in the virtual cluster.', false),
    podDisruptionBudgets: syncSwitch('PodDisruptionBudgets created in the virtual cluster.', false),
    priorityClasses: syncSwitch('PriorityClasses created in the virtual cluster.', false),
    customResources: mapOf(
      customResource,
      'Custom resources to sync to the host, keyed by "plural.group"; the CRD is copied from the host.',
    ),
    namespaces,
    resourceClaims: syncSwitch('ResourceClaims created in the virtual cluster (pro).', false),
    resourceClaimTemplates: syncSwitch('ResourceClaimTemplates created in the virtual cluster (pro).', false),
    gatewayApi,
  },
  'Resources synced from the virtual cluster to the host cluster.',
)
