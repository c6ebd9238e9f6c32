/** `privateNodes` and `controlPlane.standalone`: real nodes joined into the virtual cluster. */
import {pullPolicy, taint} from './common.js'
import {bool, closed, int, list, mapOf, object, openObject, required, str, stringMap, strList} from './helpers.js'

const mirrorHost = {
  server: str('Server of the mirror, e.g. https://registry-1.docker.io.'),
  caCert: strList('Paths to CA certificates for the mirror.'),
  skipVerify: bool('Skips certificate verification and allows plain HTTP.'),
  capabilities: strList('Capabilities of the mirror; pull and resolve when empty.'),
  overridePath: bool('Uses the server path as is instead of appending /v2.'),
}

const containerd = closed(
  {
    enabled: bool('Installs and configures containerd on the node.'),
    registry: closed(
      {
        configPath: str('Path of the containerd registry configuration.'),
        mirrors: mapOf(
          object(
            {...mirrorHost, hosts: list(object(mirrorHost, 'A mirror host.'), 'Hosts of the mirror, tried in order.')},
            'A registry mirror.',
          ),
          'Registry mirrors by registry host, e.g. docker.io or myregistry.io:5000.',
        ),
        auth: mapOf(
          object(
            {
              username: str('User name for the registry.'),
              password: str('Password for the registry.'),
              identityToken: str('Identity token for the registry.'),
              auth: str('Base64 user:password for the registry.'),
            },
            'Credentials for one registry.',
          ),
          'Registry credentials by registry host.',
        ),
      },
      'How containerd uses registries.',
    ),
    pauseImage: str('Image of the pause container.'),
  },
  'containerd setup on the node.',
)

/** kubeadm-style join options (upstream's `JoinConfiguration`). */
export function joinConfiguration() {
  return {
    preInstallCommands: strList('Commands run before containerd and the kubelet are installed.'),
    preJoinCommands: strList('Commands run before kubeadm join.'),
    postJoinCommands: strList('Commands run after kubeadm join.'),
    containerd,
    caCertPath: str('Path of the cluster CA certificate on the node; /etc/kubernetes/pki/ca.crt by default.'),
    skipPhases: strList('kubeadm join phases to skip.'),
    nodeRegistration: closed(
      {
        criSocket: str('Socket of the container runtime.'),
        kubeletExtraArgs: list(
          object({name: str('Flag name without leading dashes.'), value: str('Flag value.')}, 'A kubelet flag.'),
          'Extra kubelet flags for this node.',
        ),
        taints: list(taint, 'Taints set on the node.'),
        ignorePreflightErrors: strList('Preflight errors to ignore, or "all".'),
        imagePullPolicy: pullPolicy('Image pull policy during kubeadm join.'),
      },
      'How the node registers itself.',
    ),
  }
}

const requirement = object(
  {
    property: required(str('Node type property to select on.')),
    operator: str('Comparison operator, e.g. In, NotIn or Exists; In when empty.'),
    values: strList('Values to compare with; exclusive with value.'),
    value: str('Value to compare with; exclusive with values.'),
  },
  'A node type requirement.',
)

const nodePoolCommon = {
  nodeTypeSelector: list(requirement, 'Requirements a node type must meet to be used by this pool.'),
  taints: list(taint, 'Taints set on the nodes of this pool.'),
  nodeLabels: stringMap('Labels set on the nodes of this pool.'),
  terminationGracePeriod: str('Longest time to drain a node before it is removed, e.g. 30s, or Never.'),
  profile: str('NodeProfile applied to the nodes of this pool (platform).'),
}

const autoNodes = object(
  {
    provider: required(str('Node provider that creates the nodes of this entry.')),
    properties: stringMap('Provider properties such as region or subscription.'),
    static: list(
      object(
        {
          name: required(str('Name of the node pool.')),
          ...nodePoolCommon,
          quantity: required(int('Number of nodes in the pool.')),
        },
        'A fixed-size node pool.',
      ),
      'Node pools with a fixed size.',
    ),
    dynamic: list(
      object(
        {
          name: required(str('Name of the node pool.')),
          ...nodePoolCommon,
          limits: stringMap('Upper bounds on the resources this pool may provision.'),
          disruption: closed(
            {
              consolidateAfter: str('How long to wait before consolidating underused nodes.'),
              consolidationPolicy: str('Which nodes may be consolidated, e.g. WhenEmptyOrUnderutilized.'),
              budgets: list(
                object(
                  {
                    nodes: str('How many nodes may be disrupted at once, as a number or percentage.'),
                    schedule: str('Cron schedule when the budget is active.'),
                    duration: str('How long the budget stays active after each schedule hit.'),
                  },
                  'A disruption budget.',
                ),
                'Disruption budgets; the most restrictive active one applies.',
              ),
            },
            'When nodes of this pool may be disrupted.',
          ),
          expireAfter: str('How long a node may live before it is replaced.'),
          weight: int('Priority of this pool over others.'),
        },
        'An autoscaled node pool (Karpenter under the hood).',
      ),
      'Node pools sized automatically from the workload.',
    ),
  },
  'Automatically provisioned nodes from one provider.',
)

export const privateNodes = closed(
  {
    enabled: bool(false, 'Joins real nodes into the virtual cluster instead of syncing pods to the host.'),
    kubelet: closed(
      {config: openObject('KubeletConfiguration merged into the default kubelet config.')},
      'Kubelet options for all nodes.',
    ),
    autoUpgrade: closed(
      {
        enabled: bool(true, 'Upgrades the nodes automatically with the control plane.'),
        image: str('Image of the upgrade pod; the control-plane image when empty.'),
        imagePullPolicy: pullPolicy('Pull policy for the upgrade image.'),
        nodeSelector: stringMap('Nodes to upgrade; all worker nodes when empty.'),
        binariesPath: str('Where the kubeadm binaries live; /usr/local/bin by default.'),
        cniBinariesPath: str('Where the CNI binaries live; /opt/cni/bin by default.'),
        concurrency: int(1, 'Nodes upgraded at the same time.'),
        podSecurityContext: openObject('Pod-level security context of the upgrade pod.'),
        containerSecurityContext: openObject('Container-level security context of the upgrade pod.'),
      },
      'Automatic node upgrades.',
    ),
    joinNode: closed(joinConfiguration(), 'Options used when a node joins (kubeadm join).'),
    autoNodes: list(autoNodes, 'Automatically provisioned node pools.'),
    vpn: closed(
      {
        enabled: bool(
          false,
          'Connects the nodes to the control plane through a VPN (needs the platform); cannot change later.',
        ),
        nodeToNode: closed(
          {enabled: bool(false, 'Also connects the nodes with each other; cannot change later.')},
          'Node-to-node VPN.',
        ),
      },
      'VPN for nodes in other networks.',
    ),
    daemon: closed(
      {
        enabled: bool('Deploys the private nodes daemon onto the nodes.'),
        controlPlaneLoadBalancer: closed(
          {
            enabled: bool(
              'Balances control-plane traffic from the node across the control-plane replicas, without an external load balancer.',
            ),
            kubeProxy: bool('Sends kube-proxy through that load balancer as well.'),
            port: int('Port of the node-local load balancer.'),
          },
          'A load balancer on each node in front of the control plane.',
        ),
      },
      'The daemon that runs on every private node.',
    ),
    defaultProfile: str('NodeProfile applied to joining nodes that select none themselves (platform).'),
  },
  'Private nodes: a hosted control plane with real worker nodes.',
)

export const standalone = closed(
  {
    enabled: bool('Runs the control plane directly on a machine instead of in a pod.'),
    dataDir: str('Data directory of the standalone control plane.'),
    advertiseAddress: str(
      'IP address the control plane advertises to the kubernetes and konnectivity Services; detected when empty.',
    ),
    autoNodes: closed(
      {
        provider: str('Node provider for the standalone nodes.'),
        quantity: int('Number of standalone nodes.'),
        nodeTypeSelector: list(requirement, 'Requirements a node type must meet.'),
      },
      'Automatically provisioned standalone nodes.',
    ),
    joinNode: closed(
      {
        enabled: bool('Also joins the standalone machine as a node; otherwise only the control plane runs.'),
        ...joinConfiguration(),
      },
      'How the standalone machine joins as a node.',
    ),
  },
  'Standalone mode (control plane on a machine); implies private nodes.',
)
