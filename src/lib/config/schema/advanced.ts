/** `controlPlane.advanced`: less common options of the control plane. */
import {labelsAndAnnotations, pullPolicy} from './common.js'
import {
  anyList,
  anything,
  bool,
  closed,
  int,
  intOrString,
  list,
  object,
  oneOf,
  str,
  stringMap,
  strList,
} from './helpers.js'

const pullSecret = object({name: str('Name of the image pull secret.')}, 'An image pull secret reference.')

function serviceAccount(description: string, what: string) {
  return closed(
    {
      enabled: bool(true, `Creates the ${what} service account.`),
      name: str('', `Name of the ${what} service account; empty uses the generated name.`),
      imagePullSecrets: list(pullSecret, `Extra image pull secrets for the ${what} service account.`, []),
      ...labelsAndAnnotations(true),
    },
    description,
  )
}

const konnectivity = closed(
  {
    server: closed(
      {
        enabled: bool(true, 'Runs the konnectivity server in the control plane.'),
        extraArgs: strList([], 'Extra arguments for the konnectivity server.'),
      },
      'The konnectivity server.',
    ),
    agent: closed(
      {
        enabled: bool(true, 'Deploys the konnectivity agent to the nodes.'),
        replicas: int(1, 'Number of agent replicas.'),
        image: str('', 'Image of the agent; empty uses the default.'),
        imagePullPolicy: pullPolicy('Pull policy for the agent image.', ''),
        nodeSelector: stringMap({}, 'Node selector for the agent.'),
        priorityClassName: str('Priority class of the agent.'),
        tolerations: anyList([], 'Tolerations of the agent.'),
        extraEnv: anyList([], 'Extra environment variables for the agent.'),
        extraArgs: strList([], 'Extra arguments for the agent.'),
      },
      'The konnectivity agent.',
    ),
  },
  'Konnectivity tunnel between control plane and nodes; only used with private nodes.',
)

export const advanced = closed(
  {
    defaultImageRegistry: str(
      '',
      'Registry prefix for every image vCluster deploys (not workload images), e.g. for air-gapped setups.',
    ),
    virtualScheduler: closed(
      {enabled: bool(false, 'Runs a scheduler inside the virtual cluster.')},
      'Deprecated: use controlPlane.distro.k8s.scheduler.enabled.',
      {deprecated: true},
    ),
    serviceAccount: serviceAccount('The control-plane service account.', 'control-plane'),
    workloadServiceAccount: serviceAccount('The service account synced workloads run with on the host.', 'workload'),
    headlessService: closed(labelsAndAnnotations(true), 'The headless Service of the StatefulSet.'),
    konnectivity,
    registry: closed(
      {
        enabled: bool('Runs an embedded image registry in vCluster, e.g. for air-gapped nodes.'),
        anonymousPull: bool('Lets anyone pull from the embedded registry without authentication.'),
        config: anything('Docker distribution registry configuration.'),
      },
      'Embedded image registry.',
    ),
    cloudControllerManager: closed(
      {enabled: bool('Runs the embedded cloud controller manager (private nodes only); on by default.')},
      'Embedded cloud controller manager that sets node addresses and provider IDs.',
    ),
    globalMetadata: closed(
      {annotations: labelsAndAnnotations(true).annotations},
      'Metadata added to every object vCluster deploys.',
    ),
    kubeVip: closed(
      {
        enabled: bool('Announces the control-plane endpoint IP on layer 2 with an embedded kube-vip.'),
        interface: str('Network interface the VIP is announced on.'),
        gateway: str('Gateway address in CIDR form (e.g. 10.100.0.1/24) for policy routing of the VIP.'),
      },
      'Embedded kube-vip.',
    ),
    podDisruptionBudget: closed(
      {
        enabled: bool('Creates a PodDisruptionBudget for the control plane.'),
        minAvailable: intOrString('Minimum number or percentage of available pods.'),
        maxUnavailable: intOrString('Maximum number or percentage of unavailable pods.'),
        unhealthyPodEvictionPolicy: oneOf(
          'kubernetes-values',
          ['IfHealthyBudget', 'AlwaysAllow'],
          'When unhealthy pods may be evicted.',
        ),
      },
      'PodDisruptionBudget of the control plane.',
    ),
  },
  'Advanced control-plane options.',
)
