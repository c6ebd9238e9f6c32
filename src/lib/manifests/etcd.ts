/** The deployed etcd (`backingStore.etcd.deploy`): a StatefulSet `<name>-etcd` and its two Services. */
import {etcdImage} from './images.js'
import {metadata} from './labels.js'
import {certsSecretName, etcdHeadlessServiceName, etcdName, serviceAccountName} from './names.js'
import {etcdDeployed} from './store.js'
import type {KubeObject, RenderInput} from './types.js'
import {compact, copy, hostMinor, isSet} from './util.js'

type Obj = Record<string, unknown>

const ETCD_APP = 'vcluster-etcd'
const etcdSelector = (name: string) => ({app: ETCD_APP, release: name})
const etcdPorts = [
  {name: 'etcd', port: 2379, targetPort: 2379, protocol: 'TCP'},
  {name: 'peer', port: 2380, targetPort: 2380, protocol: 'TCP'},
]

function deployConfig(input: RenderInput) {
  return input.config.controlPlane?.backingStore?.etcd?.deploy
}

/** etcd flags: TLS with the certificates the syncer writes to `<name>-certs`, peers addressed through the headless Service. */
function etcdCommand(input: RenderInput, replicas: number): string[] {
  const {name, namespace} = input
  const headless = `${etcdHeadlessServiceName(name)}.${namespace}`
  const peers = Array.from({length: replicas}, (_, i) => `${name}-etcd-${i}=https://${name}-etcd-${i}.${headless}:2380`)
  return [
    'etcd',
    '--cert-file=/run/config/pki/etcd-server.crt',
    '--client-cert-auth=true',
    '--data-dir=/var/lib/etcd',
    `--advertise-client-urls=https://$(NAME).${headless}:2379`,
    `--initial-advertise-peer-urls=https://$(NAME).${headless}:2380`,
    `--initial-cluster=${peers.join(',')}`,
    `--initial-cluster-token=${name}`,
    '--initial-cluster-state=new',
    '--listen-client-urls=https://0.0.0.0:2379',
    '--listen-metrics-urls=http://0.0.0.0:2381',
    '--listen-peer-urls=https://0.0.0.0:2380',
    '--key-file=/run/config/pki/etcd-server.key',
    '--name=$(NAME)',
    '--peer-cert-file=/run/config/pki/etcd-peer.crt',
    '--peer-client-cert-auth=true',
    '--peer-key-file=/run/config/pki/etcd-peer.key',
    '--peer-trusted-ca-file=/run/config/pki/etcd-ca.crt',
    '--snapshot-count=10000',
    '--trusted-ca-file=/run/config/pki/etcd-ca.crt',
    ...(deployConfig(input)?.statefulSet?.extraArgs ?? []),
  ]
}

/** By default, spread etcd members over nodes (strongly) and zones (weakly). */
function defaultAffinity(name: string): Obj {
  const term = (weight: number, topologyKey: string) => ({
    weight,
    podAffinityTerm: {
      labelSelector: {
        matchExpressions: [
          {key: 'app', operator: 'In', values: [ETCD_APP]},
          {key: 'release', operator: 'In', values: [name]},
        ],
      },
      topologyKey,
    },
  })
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        term(100, 'kubernetes.io/hostname'),
        term(50, 'topology.kubernetes.io/zone'),
      ],
    },
  }
}

const httpProbe = (path: string, failureThreshold: number): Obj => ({
  httpGet: {path, port: 2381, scheme: 'HTTP'},
  initialDelaySeconds: 10,
  timeoutSeconds: 15,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold,
})

function etcdContainer(input: RenderInput, replicas: number): Obj {
  const sts = deployConfig(input)?.statefulSet
  return {
    name: 'etcd',
    image: etcdImage(input),
    command: etcdCommand(input, replicas),
    ...compact({securityContext: copy(sts?.security?.containerSecurityContext)}),
    env: [{name: 'NAME', valueFrom: {fieldRef: {fieldPath: 'metadata.name'}}}, ...copy(sts?.env ?? [])],
    volumeMounts: [
      {name: 'data', mountPath: '/var/lib/etcd'},
      {mountPath: '/run/config/pki', name: 'certs', readOnly: true},
      ...copy((sts?.persistence?.addVolumeMounts ?? []) as Obj[]),
    ],
    resources: copy(sts?.resources ?? {}),
    livenessProbe: httpProbe('/livez', 8),
    startupProbe: httpProbe('/readyz', 24),
    ...compact({imagePullPolicy: sts?.imagePullPolicy}),
  }
}

function etcdPodSpec(input: RenderInput, replicas: number): Obj {
  const sts = deployConfig(input)?.statefulSet
  const scheduling = sts?.scheduling
  const claimEnabled = sts?.persistence?.volumeClaim?.enabled !== false
  return {
    terminationGracePeriodSeconds: 10,
    affinity: isSet(scheduling?.affinity) ? copy(scheduling?.affinity) : defaultAffinity(input.name),
    ...compact({topologySpreadConstraints: copy(scheduling?.topologySpreadConstraints)}),
    // The chart writes these two even when empty.
    nodeSelector: copy(scheduling?.nodeSelector ?? {}),
    tolerations: copy(scheduling?.tolerations ?? []),
    // etcd never talks to the Kubernetes API.
    automountServiceAccountToken: false,
    serviceAccountName: serviceAccountName(input.config, input.name),
    volumes: [
      {name: 'certs', secret: {secretName: certsSecretName(input.name)}},
      ...copy(sts?.persistence?.addVolumes ?? []),
      ...(claimEnabled ? [] : [{name: 'data', emptyDir: {}}]),
    ],
    ...compact({
      priorityClassName: scheduling?.priorityClassName,
      securityContext: copy(sts?.security?.podSecurityContext),
    }),
    enableServiceLinks: sts?.enableServiceLinks ?? true,
    containers: [etcdContainer(input, replicas)],
  }
}

function etcdClaims(input: RenderInput): Obj[] {
  const persistence = deployConfig(input)?.statefulSet?.persistence
  if (isSet(persistence?.volumeClaimTemplates)) return copy(persistence?.volumeClaimTemplates ?? [])
  const claim = persistence?.volumeClaim
  if (claim?.enabled === false) return []
  const spec = {
    accessModes: copy(claim?.accessModes ?? ['ReadWriteOnce']),
    ...compact({storageClassName: claim?.storageClass}),
    resources: {requests: {storage: claim?.size ?? '5Gi'}},
  }
  return [{metadata: {name: 'data'}, spec}]
}

function etcdStatefulSet(input: RenderInput): KubeObject {
  const sts = deployConfig(input)?.statefulSet
  const replicas = sts?.highAvailability?.replicas ?? 1
  const retention = sts?.persistence?.volumeClaim?.retentionPolicy
  const minor = hostMinor(input.hostVersion)
  const claims = etcdClaims(input)
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: metadata(input, etcdName(input.name), {
      app: ETCD_APP,
      labels: sts?.labels,
      annotations: sts?.annotations,
      globalWins: true,
    }),
    spec: {
      replicas,
      podManagementPolicy: sts?.scheduling?.podManagementPolicy ?? 'Parallel',
      serviceName: etcdHeadlessServiceName(input.name),
      // The chart sets the policy only for Delete: Retain is the API's default.
      ...(retention === 'Delete' && (minor === undefined || minor >= 27)
        ? {persistentVolumeClaimRetentionPolicy: {whenDeleted: 'Delete'}}
        : {}),
      selector: {matchLabels: etcdSelector(input.name)},
      ...(claims.length > 0 ? {volumeClaimTemplates: claims} : {}),
      template: {
        metadata: {
          ...compact({annotations: copy(sts?.pods?.annotations)}),
          labels: {...etcdSelector(input.name), ...(sts?.pods?.labels ?? {})},
        },
        spec: etcdPodSpec(input, replicas),
      },
    },
  }
}

function etcdService(input: RenderInput, headless: boolean): KubeObject {
  const deploy = deployConfig(input)
  const name = headless ? etcdHeadlessServiceName(input.name) : etcdName(input.name)
  const annotations = headless ? deploy?.headlessService?.annotations : deploy?.service?.annotations
  const spec = headless
    ? {publishNotReadyAddresses: true, ports: copy(etcdPorts), clusterIP: 'None', selector: etcdSelector(input.name)}
    : {type: 'ClusterIP', ports: copy(etcdPorts), selector: etcdSelector(input.name)}
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(input, name, {app: ETCD_APP, annotations, globalWins: true}),
    spec,
  }
}

/** The etcd Services (apply before the StatefulSet, whose pods need the headless DNS names). */
export function etcdServices(input: RenderInput): KubeObject[] {
  if (!etcdDeployed(input.config)) return []
  const deploy = deployConfig(input)
  return [...(deploy?.service?.enabled !== false ? [etcdService(input, false)] : []), etcdService(input, true)]
}

export function etcdWorkload(input: RenderInput): KubeObject[] {
  if (!etcdDeployed(input.config) || deployConfig(input)?.statefulSet?.enabled === false) return []
  return [etcdStatefulSet(input)]
}
