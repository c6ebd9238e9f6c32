/** `controlPlane.statefulSet`: the control-plane pod (a StatefulSet, or a Deployment when nothing is persistent). */
import {
  accessModes,
  image,
  labelsAndAnnotations,
  podMetadata,
  pullPolicy,
  resources,
  scheduling,
  security,
  volumeMount,
} from './common.js'
import {anyList, autoBool, bool, closed, int, list, object, objList, oneOf, str, strList} from './helpers.js'

const probes = closed(
  {
    livenessProbe: closed(
      {
        enabled: bool(true, 'Adds the liveness probe (GET /healthz on 8443).'),
        failureThreshold: int(60, 'Consecutive failures before the container is restarted.'),
        initialDelaySeconds: int(60, 'Seconds to wait before the first probe.'),
        timeoutSeconds: int(3, 'Seconds before a probe times out.'),
        periodSeconds: int(2, 'Seconds between probes.'),
      },
      'Liveness probe of the syncer container.',
    ),
    readinessProbe: closed(
      {
        enabled: bool(true, 'Adds the readiness probe (GET /readyz on 8443).'),
        failureThreshold: int(60, 'Consecutive failures before the pod is marked unready.'),
        timeoutSeconds: int(3, 'Seconds before a probe times out.'),
        periodSeconds: int(2, 'Seconds between probes.'),
      },
      'Readiness probe of the syncer container.',
    ),
    startupProbe: closed(
      {
        enabled: bool(true, 'Adds the startup probe (GET /readyz on 8443).'),
        failureThreshold: int(300, 'Consecutive failures before the pod is failed.'),
        timeoutSeconds: int(3, 'Seconds before a probe times out.'),
        periodSeconds: int(6, 'Seconds between probes.'),
      },
      'Startup probe of the syncer container.',
    ),
  },
  'Probes of the syncer container.',
)

const persistence = closed(
  {
    volumeClaim: closed(
      {
        enabled: autoBool(
          'auto',
          'Creates the data PersistentVolumeClaim; "auto" does so for the embedded database and embedded etcd.',
        ),
        accessModes: accessModes('Access modes of the claim.', ['ReadWriteOnce']),
        retentionPolicy: oneOf(
          'kubernetes-values',
          ['Retain', 'Delete'],
          'Retain',
          'What happens to the claim when the StatefulSet is deleted.',
        ),
        size: str('5Gi', 'Storage size of the claim.'),
        storageClass: str('', 'Storage class of the claim; empty uses the default class.'),
      },
      'The data volume claim.',
    ),
    volumeClaimTemplates: objList([], 'Replaces the generated volume claim templates completely.'),
    dataVolume: objList([], 'Replaces the data volume; only works when volumeClaim.enabled is false.'),
    binariesVolume: objList(
      [{name: 'binaries', emptyDir: {}}],
      'Volume that receives the Kubernetes binaries; need not be persistent.',
    ),
    addVolumes: objList([], 'Extra volumes for the pod.'),
    addVolumeMounts: list(volumeMount, 'Extra volume mounts for the syncer container.', []),
  },
  'Persistence of the control-plane pod.',
)

const dnsConfig = closed(
  {
    nameservers: strList('DNS server IP addresses added to the pod.'),
    searches: strList('DNS search domains added to the pod.'),
    options: list(
      object({name: str('Resolver option name.'), value: str('Resolver option value.')}, 'A resolver option.'),
      'DNS resolver options.',
    ),
  },
  'DNS parameters of the pod in addition to those from dnsPolicy.',
)

const hostAlias = object(
  {ip: str('IP address of the host entry.'), hostnames: strList('Host names for the IP address.')},
  'An /etc/hosts entry.',
)

export const statefulSet = closed(
  {
    highAvailability: closed(
      {
        replicas: int(1, 'Number of control-plane replicas; more than one needs etcd or an external database.'),
        leaseDuration: int(60, 'Leader-election lease duration in seconds.'),
        renewDeadline: int(40, 'Seconds the leader keeps trying to renew its lease.'),
        retryPeriod: int(15, 'Seconds between leader-election attempts.'),
      },
      'High-availability options.',
    ),
    resources: resources('Resources of the syncer container.', {
      limits: {'ephemeral-storage': '10Gi', memory: '4Gi'},
      requests: {'ephemeral-storage': '1Gi', cpu: '200m', memory: '256Mi'},
    }),
    scheduling: scheduling('Scheduling of the control-plane pod.', true),
    security: security('Security contexts of the control-plane pod.', {
      allowPrivilegeEscalation: false,
      runAsUser: 0,
      runAsGroup: 0,
    }),
    probes,
    persistence,
    enableServiceLinks: bool(true, 'Sets enableServiceLinks on the pod.'),
    ...labelsAndAnnotations(true),
    pods: podMetadata('Extra labels and annotations for the control-plane pods.', true),
    image: image('Image of the syncer container; the tag defaults to the chart version.', {
      registry: 'ghcr.io',
      repository: 'loft-sh/vcluster-pro',
      tag: '',
    }),
    imagePullPolicy: pullPolicy('Pull policy for the syncer image.', ''),
    workingDir: str('', 'Working directory of the syncer container.'),
    command: strList([], 'Replaces the command of the syncer container.'),
    args: strList([], 'Replaces the arguments of the syncer container.'),
    env: objList([], 'Extra environment variables for the syncer container.'),
    dnsPolicy: oneOf(
      'kubernetes-values',
      ['', 'ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
      'DNS policy of the pod.',
    ),
    dnsConfig,
    initContainers: anyList('Extra init containers, run after the one that copies the Kubernetes binaries.'),
    sidecarContainers: anyList('Extra containers next to the syncer container.'),
    hostAliases: list(hostAlias, 'Extra /etc/hosts entries for the pod.'),
    runtimeClassName: str('Runtime class of the pod.'),
  },
  'The control-plane StatefulSet (or Deployment).',
)
