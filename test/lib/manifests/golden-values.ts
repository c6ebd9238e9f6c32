/**
 * The value sets of the golden manifest tests (test/lib/manifests/golden-*.test.ts), by case name: one source for
 * the goldens and for the conformance tests that feed the same configs to upstream's own code.
 */

export interface GoldenValues {
  name: string
  /** The vcluster.yaml, as YAML text. */
  values: string
  /** The host's Kubernetes version the case renders for, when it matters. */
  host?: string
}

const lines = (...text: string[]): string => `${text.join('\n')}\n`
const etcdDeploy = lines('controlPlane:', '  backingStore:', '    etcd:', '      deploy:', '        enabled: true')

const CASES: Record<string, Omit<GoldenValues, 'name'>> = {
  defaults: {values: ''},
  'ha-embedded-etcd': {
    values: lines(
      'controlPlane:',
      '  backingStore:',
      '    etcd:',
      '      embedded:',
      '        enabled: true',
      '  statefulSet:',
      '    highAvailability:',
      '      replicas: 3',
    ),
  },
  'etcd-deploy': {
    values: lines(
      'controlPlane:',
      '  backingStore:',
      '    etcd:',
      '      deploy:',
      '        enabled: true',
      '        statefulSet:',
      '          highAvailability:',
      '            replicas: 3',
    ),
  },
  'external-database': {
    values: lines(
      'controlPlane:',
      '  backingStore:',
      '    database:',
      '      external:',
      '        enabled: true',
      '        dataSource: "postgres://vc:secret@db.example.com:5432/vc"',
      '  statefulSet:',
      '    highAvailability:',
      '      replicas: 2',
    ),
  },
  'persistence-off': {
    values: lines(
      'controlPlane:',
      '  statefulSet:',
      '    persistence:',
      '      volumeClaim:',
      '        enabled: false',
    ),
  },
  'persistence-custom': {
    values: lines(
      'controlPlane:',
      '  statefulSet:',
      '    persistence:',
      '      volumeClaim:',
      '        size: 20Gi',
      '        storageClass: fast-ssd',
      '        accessModes: [ReadWriteOncePod]',
      '        retentionPolicy: Delete',
      '      binariesVolume:',
      '        - name: binaries',
      '          emptyDir: {medium: Memory}',
      '      addVolumes:',
      '        - name: extra-ca',
      '          configMap: {name: corp-ca}',
      '      addVolumeMounts:',
      '        - name: extra-ca',
      '          mountPath: /etc/corp-ca',
      '          readOnly: true',
    ),
  },
  'service-loadbalancer': {
    values: lines(
      'controlPlane:',
      '  service:',
      '    annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}',
      '    labels: {exposure: public}',
      '    spec:',
      '      type: LoadBalancer',
      '      loadBalancerSourceRanges: [10.0.0.0/8]',
    ),
  },
  'extra-sans': {values: lines('controlPlane:', '  proxy:', '    extraSANs: [vc.example.com, 203.0.113.10]')},
  'registry-default': {
    values: lines(
      'controlPlane:',
      '  advanced:',
      '    defaultImageRegistry: registry.corp.local/mirror',
      '  backingStore:',
      '    etcd:',
      '      deploy:',
      '        enabled: true',
    ),
  },
  'registry-explicit': {
    values: lines(
      'controlPlane:',
      '  statefulSet:',
      '    image: {registry: quay.example.com, repository: team/vcluster-pro, tag: 0.36.1-patch1}',
      '    imagePullPolicy: IfNotPresent',
      '  distro:',
      '    k8s:',
      '      image: {registry: "", repository: k8s-api, tag: v1.34.2}',
      '      imagePullPolicy: Always',
    ),
    host: 'v1.33.1',
  },
  'host-1-33': {values: etcdDeploy, host: 'v1.33.13'},
  'host-1-35': {values: '', host: 'v1.35.2'},
  'host-unsupported': {values: '', host: 'v1.26.15'},
  'host-explicit-tag': {
    values: lines('controlPlane:', '  distro:', '    k8s:', '      image:', '        tag: v1.34.1'),
    host: 'v1.33.2',
  },
  'deprecated-k8s-version': {
    values: lines(
      'controlPlane:',
      '  distro:',
      '    k8s:',
      '      version: v1.32.9',
      '      image:',
      '        tag: v1.34.1',
    ),
    host: 'v1.35.0',
  },
  'rbac-extra-rules': {
    values: lines(
      'rbac:',
      '  role:',
      '    extraRules:',
      '      - apiGroups: [monitoring.coreos.com]',
      '        resources: [servicemonitors]',
      '        verbs: [get, list]',
      '  clusterRole:',
      '    extraRules:',
      '      - apiGroups: [""]',
      '        resources: [namespaces]',
      '        verbs: [get]',
    ),
  },
  'rbac-overwrite-and-disabled': {
    values: lines(
      'rbac:',
      '  role:',
      '    overwriteRules:',
      '      - apiGroups: [""]',
      '        resources: [pods]',
      '        verbs: ["*"]',
      '  clusterRole:',
      '    enabled: false',
      '    extraRules:',
      '      - apiGroups: [""]',
      '        resources: [nodes]',
      '        verbs: [get]',
      'sync:',
      '  fromHost:',
      '    nodes:',
      '      enabled: true',
    ),
  },
  'sync-cluster-role': {
    values: lines(
      'sync:',
      '  fromHost:',
      '    nodes:',
      '      enabled: true',
      '      syncBackChanges: true',
      '  toHost:',
      '    storageClasses:',
      '      enabled: true',
      '    ingresses:',
      '      enabled: true',
    ),
  },
  'from-host-classes': {
    values: lines(
      'sync:',
      '  fromHost:',
      '    storageClasses: {enabled: true}',
      '    ingressClasses: {enabled: true}',
      '    priorityClasses: {enabled: true}',
      '    configMaps:',
      '      enabled: true',
      '      mappings:',
      '        byName:',
      '          "shared/ca-bundle": "default/ca-bundle"',
      '          "/settings": "default/settings"',
    ),
  },
  'multi-namespace': {
    values: lines(
      'sync:',
      '  toHost:',
      '    namespaces:',
      '      enabled: true',
      '      mappings:',
      '        byName:',
      '          "team-*": "vc-team-*"',
    ),
  },
  'cluster-role-forced': {values: lines('rbac:', '  clusterRole:', '    enabled: true')},
  resources: {
    values: lines(
      'controlPlane:',
      '  statefulSet:',
      '    resources:',
      '      requests: {cpu: "1", memory: 2Gi}',
      '      limits: {memory: 8Gi}',
      '  distro:',
      '    k8s:',
      '      resources:',
      '        requests: {cpu: 50m, memory: 64Mi}',
      '        limits: {cpu: 200m, memory: 512Mi}',
    ),
  },
  scheduling: {
    values: lines(
      'controlPlane:',
      '  statefulSet:',
      '    scheduling:',
      '      nodeSelector: {disktype: ssd}',
      '      affinity:',
      '        nodeAffinity:',
      '          requiredDuringSchedulingIgnoredDuringExecution:',
      '            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]',
      '      tolerations: [{key: dedicated, operator: Equal, value: vcluster, effect: NoSchedule}]',
      '      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}]',
      '      priorityClassName: system-cluster-critical',
      '      podManagementPolicy: OrderedReady',
      '    runtimeClassName: gvisor',
      '    dnsPolicy: ClusterFirst',
      '    dnsConfig: {nameservers: [192.0.2.1], options: [{name: ndots, value: "2"}]}',
      '    hostAliases: [{ip: 10.0.1.5, hostnames: [db.internal]}]',
      '    enableServiceLinks: false',
      '    security:',
      '      podSecurityContext: {fsGroup: 1000}',
      '      containerSecurityContext: {runAsUser: 1000, runAsNonRoot: true}',
    ),
  },
  'probes-disabled': {
    values: lines(
      'controlPlane:',
      '  statefulSet:',
      '    probes:',
      '      livenessProbe: {enabled: false}',
      '      readinessProbe: {enabled: false}',
      '      startupProbe: {enabled: false}',
    ),
  },
  policies: {
    values: lines('policies:', '  resourceQuota:', '    enabled: true', '  networkPolicy:', '    enabled: true'),
  },
  'metadata-and-env': {
    values: lines(
      'controlPlane:',
      '  advanced:',
      '    globalMetadata:',
      '      annotations: {owner: platform-team}',
      '    serviceAccount:',
      '      name: custom-sa',
      '      imagePullSecrets: [{name: regcred}]',
      '      annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::1:role/vc"}',
      '    workloadServiceAccount:',
      '      imagePullSecrets: [{name: workload-cred}]',
      '      labels: {kind: workload}',
      '    headlessService:',
      '      labels: {svc: headless}',
      '  statefulSet:',
      '    labels: {team: a}',
      '    annotations: {note: hello}',
      '    pods:',
      '      labels: {pod-label: x}',
      '      annotations: {prometheus.io/scrape: "true"}',
      '    env: [{name: FIRST, value: "1"}]',
      '    workingDir: /work',
      '    command: [/vcluster, start]',
      '    args: [--debug]',
      '  distro:',
      '    k8s:',
      '      env: [{name: SECOND, value: "2"}]',
      'logging:',
      '  encoding: json',
    ),
  },
  extras: {
    values: lines(
      'controlPlane:',
      '  ingress: {enabled: true, host: vc.example.com}',
      '  serviceMonitor: {enabled: true}',
      '  advanced:',
      '    podDisruptionBudget: {enabled: true, minAvailable: 1}',
      '    kubeVip: {enabled: true}',
      '  statefulSet:',
      '    initContainers: [{name: wait, image: busybox:1.36, command: [sh, -c, "true"]}]',
      '    sidecarContainers: [{name: logger, image: busybox:1.36}]',
      'plugins:',
      '  hooks: {image: ghcr.io/example/hooks:1.0}',
      'platform:',
      '  apiKey: {namespace: vcluster-platform}',
      'experimental:',
      '  deploy:',
      '    host:',
      '      manifests: |-',
      '        apiVersion: v1',
      '        kind: ConfigMap',
      '        metadata: {name: extra}',
      '        data: {a: b}',
    ),
  },
}

/** A golden case's name, values and host, to spread into its case. */
export function golden(name: string): GoldenValues {
  const found = CASES[name]
  if (found === undefined) throw new Error(`no golden values named ${name}`)
  return {name, ...found}
}

/** Every golden value set, in the order of the golden test files. */
export const GOLDEN_VALUES: GoldenValues[] = Object.keys(CASES).map(golden)
