/** Golden manifests for the backing stores, persistence and Service shapes; explicit facts per case. */
import {describe, expect} from 'vitest'
import {applyWaves, type KubeObject} from '../../../src/lib/manifests/index.js'
import {VCLUSTER_VERSION} from '../../../src/lib/versions.js'
import {
  NAME,
  NAMESPACE,
  find,
  goldenCases,
  ids,
  initContainer,
  mounts,
  names,
  podSpec,
  ruleKey,
  syncer,
  workload,
  type Obj,
} from './helpers.js'
import {golden} from './golden-values.js'

const ROLE_DEFAULT_RULES = [
  '|configmaps,secrets,services,pods,pods/attach,pods/portforward,pods/exec,persistentvolumeclaims|create,delete,patch,update,get,list,watch',
  '|pods/status,pods/ephemeralcontainers|patch,update',
  // The goldens render without a host: for the newest Kubernetes, as helm's default capabilities (1.35+ has it).
  '|pods/resize|patch,update',
  'apps|statefulsets,replicasets,deployments|get,list,watch,patch,update',
  '|endpoints,pods/log|get,list,watch',
  '|events|create,get,list,watch',
  'events.k8s.io|events|create,get,list,watch',
  '|endpoints|create,delete,patch,update',
  'discovery.k8s.io|endpointslices|create,list,get,delete,patch,update,watch',
]
const LEASES = 'coordination.k8s.io|leases|create,delete,patch,update,get,list,watch'

const roleRules = (objects: KubeObject[]): string[] => find(objects, 'Role', `vc-${NAME}`).rules.map(ruleKey)
const ports = (service: Obj): string[] =>
  service.spec.ports.map((p: Obj) => `${p.name}:${p.port}->${p.targetPort}/${p.protocol}`)
const waveIds = (objects: KubeObject[]): string[][] => applyWaves(objects).map(ids)

function checkDefaults(objects: KubeObject[]): void {
  expect(ids(objects)).toEqual([
    'ServiceAccount/vc-my-vc',
    'ServiceAccount/vc-workload-my-vc',
    'Secret/vc-config-my-vc',
    'Role/vc-my-vc',
    'RoleBinding/vc-my-vc',
    'Service/my-vc',
    'Service/my-vc-headless',
    'StatefulSet/my-vc',
  ])
  for (const o of objects) {
    expect(o.metadata.namespace).toBe(NAMESPACE)
    expect(o.metadata.labels).toMatchObject({
      app: 'vcluster',
      release: NAME,
      chart: `vcluster-${VCLUSTER_VERSION}`,
      'app.kubernetes.io/managed-by': 'vcluster-cli',
    })
    expect(o.metadata.labels).not.toHaveProperty('heritage')
  }
  const service = find(objects, 'Service', NAME)
  expect(service.spec.type).toBe('ClusterIP')
  expect(ports(service)).toEqual(['https:443->8443/TCP', 'kubelet:10250->8443/TCP'])
  expect(service.spec.selector).toEqual({app: 'vcluster', release: NAME})
  expect(service.metadata.labels['vcluster.loft.sh/service']).toBe('true')
  const headless = find(objects, 'Service', `${NAME}-headless`)
  expect(headless.spec).toMatchObject({clusterIP: 'None', publishNotReadyAddresses: true})
  expect(ports(headless)).toEqual(['https:443->8443/TCP'])
  const sts = workload(objects)
  expect(sts.kind).toBe('StatefulSet')
  expect(sts.spec).toMatchObject({
    serviceName: `${NAME}-headless`,
    replicas: 1,
    podManagementPolicy: 'Parallel',
    persistentVolumeClaimRetentionPolicy: {whenDeleted: 'Retain'},
  })
  expect(sts.spec.volumeClaimTemplates).toEqual([
    {metadata: {name: 'data'}, spec: {accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '5Gi'}}}},
  ])
  expect(sts.spec.template.metadata.labels).toEqual({app: 'vcluster', release: NAME})
  expect(sts.spec.template.metadata.annotations.vClusterConfigHash).toMatch(/^[0-9a-f]{64}$/)
  const pod = podSpec(objects)
  expect(pod).toMatchObject({
    serviceAccountName: `vc-${NAME}`,
    terminationGracePeriodSeconds: 15,
    enableServiceLinks: true,
  })
  expect(names(pod.volumes)).toEqual(['helm-cache', 'binaries', 'tmp', 'certs', 'vcluster-config'])
  expect(pod.volumes[4]).toEqual({name: 'vcluster-config', secret: {secretName: `vc-config-${NAME}`}})
  expect(initContainer(objects)).toMatchObject({
    image: 'ghcr.io/loft-sh/kubernetes:v1.36.0',
    command: ['cp'],
    args: ['-r', '/kubernetes/.', '/binaries/'],
  })
  expect(initContainer(objects).resources).toEqual({
    limits: {cpu: '100m', memory: '256Mi'},
    requests: {cpu: '40m', memory: '64Mi'},
  })
  const c = syncer(objects)
  expect(c.name).toBe('syncer')
  expect(c.image).toBe(`ghcr.io/loft-sh/vcluster-pro:${VCLUSTER_VERSION}`)
  expect(names(c.env)).toEqual(['VCLUSTER_NAME', 'LOFT_LOG_ENCODING', 'POD_NAME', 'POD_IP', 'NODE_NAME', 'NODE_IP'])
  expect(c.env[0]).toEqual({name: 'VCLUSTER_NAME', value: NAME})
  expect(mounts(objects)).toEqual([
    'data:/data',
    'binaries:/binaries',
    'certs:/pki',
    'helm-cache:/.cache/helm',
    'vcluster-config:/var/lib/vcluster',
    'tmp:/tmp',
  ])
  expect(c.livenessProbe).toMatchObject({
    httpGet: {path: '/healthz', port: 8443, scheme: 'HTTPS'},
    initialDelaySeconds: 60,
    failureThreshold: 60,
  })
  expect(c.readinessProbe.httpGet).toEqual({path: '/readyz', port: 8443, scheme: 'HTTPS'})
  expect(c.startupProbe).toMatchObject({periodSeconds: 6, failureThreshold: 300})
  expect(c.securityContext).toEqual({allowPrivilegeEscalation: false, runAsUser: 0, runAsGroup: 0})
  expect(c.resources).toEqual({
    limits: {'ephemeral-storage': '10Gi', memory: '4Gi'},
    requests: {'ephemeral-storage': '1Gi', cpu: '200m', memory: '256Mi'},
  })
  for (const key of ['ports', 'command', 'args', 'imagePullPolicy']) expect(c).not.toHaveProperty(key)
  expect(roleRules(objects)).toEqual(ROLE_DEFAULT_RULES)
  expect(find(objects, 'RoleBinding', `vc-${NAME}`)).toMatchObject({
    subjects: [{kind: 'ServiceAccount', name: `vc-${NAME}`, namespace: NAMESPACE}],
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `vc-${NAME}`},
  })
  expect(waveIds(objects)).toEqual([
    [
      'ServiceAccount/vc-my-vc',
      'ServiceAccount/vc-workload-my-vc',
      'Secret/vc-config-my-vc',
      'Role/vc-my-vc',
      'Service/my-vc',
      'Service/my-vc-headless',
    ],
    ['RoleBinding/vc-my-vc'],
    ['StatefulSet/my-vc'],
  ])
}

/** The Deployment shape used when nothing is persistent: an emptyDir `data`, no claims, no headless Service. */
function checkDeployment(objects: KubeObject[], replicas: number): void {
  const deployment = workload(objects)
  expect(deployment.kind).toBe('Deployment')
  expect(deployment.spec.replicas).toBe(replicas)
  expect(deployment.spec.strategy).toEqual({
    rollingUpdate: {maxSurge: 1, maxUnavailable: replicas === 1 ? 0 : 1},
    type: 'RollingUpdate',
  })
  for (const key of ['volumeClaimTemplates', 'serviceName', 'persistentVolumeClaimRetentionPolicy'])
    expect(deployment.spec).not.toHaveProperty(key)
  expect(podSpec(objects).volumes).toContainEqual({name: 'data', emptyDir: {}})
  expect(ids(objects)).not.toContain(`Service/${NAME}-headless`)
  expect(mounts(objects)).toContain('data:/data')
}

describe('golden manifests: stores, persistence, services', () => {
  goldenCases([
    {...golden('defaults'), check: checkDefaults},
    {
      ...golden('ha-embedded-etcd'),
      check: (objects) => {
        const sts = workload(objects)
        expect(sts.kind).toBe('StatefulSet')
        expect(sts.spec.replicas).toBe(3)
        expect(sts.spec.volumeClaimTemplates).toHaveLength(1)
        expect(ports(find(objects, 'Service', `${NAME}-headless`))).toEqual([
          'https:443->8443/TCP',
          'etcd:2379->2379/TCP',
          'peer:2380->2380/TCP',
        ])
        expect(roleRules(objects)).toEqual([...ROLE_DEFAULT_RULES, LEASES])
        expect(ids(objects).filter((id) => id.includes('etcd'))).toEqual([])
      },
    },
    {
      ...golden('etcd-deploy'),
      check: (objects) => {
        expect(ids(objects)).toEqual([
          'ServiceAccount/vc-my-vc',
          'ServiceAccount/vc-workload-my-vc',
          'Secret/vc-config-my-vc',
          'Role/vc-my-vc',
          'RoleBinding/vc-my-vc',
          'Service/my-vc',
          'Service/my-vc-etcd',
          'Service/my-vc-etcd-headless',
          'StatefulSet/my-vc-etcd',
          'Deployment/my-vc',
        ])
        checkDeployment(objects, 1)
        const etcd = find(objects, 'StatefulSet', `${NAME}-etcd`)
        expect(etcd.metadata.labels.app).toBe('vcluster-etcd')
        expect(etcd.spec).toMatchObject({
          replicas: 3,
          serviceName: `${NAME}-etcd-headless`,
          selector: {matchLabels: {app: 'vcluster-etcd', release: NAME}},
        })
        expect(etcd.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('5Gi')
        const container = etcd.spec.template.spec.containers[0]
        expect(container.image).toBe('registry.k8s.io/etcd:3.6.8-0')
        expect(container.command).toContain(
          '--initial-cluster=my-vc-etcd-0=https://my-vc-etcd-0.my-vc-etcd-headless.team-a:2380,my-vc-etcd-1=https://my-vc-etcd-1.my-vc-etcd-headless.team-a:2380,my-vc-etcd-2=https://my-vc-etcd-2.my-vc-etcd-headless.team-a:2380',
        )
        expect(container.resources).toEqual({requests: {cpu: '20m', memory: '150Mi'}})
        expect(etcd.spec.template.spec.volumes).toEqual([{name: 'certs', secret: {secretName: `${NAME}-certs`}}])
        expect(ports(find(objects, 'Service', `${NAME}-etcd`))).toEqual(['etcd:2379->2379/TCP', 'peer:2380->2380/TCP'])
        expect(find(objects, 'Service', `${NAME}-etcd-headless`).spec.clusterIP).toBe('None')
        expect(waveIds(objects)[1]).toEqual(['RoleBinding/vc-my-vc', 'StatefulSet/my-vc-etcd'])
        expect(waveIds(objects)[2]).toEqual(['Deployment/my-vc'])
      },
    },
    {
      ...golden('external-database'),
      check: (objects) => {
        checkDeployment(objects, 2)
        expect(roleRules(objects)).toContain(LEASES)
        expect(ids(objects).some((id) => id.includes('etcd'))).toBe(false)
      },
    },
    {
      ...golden('persistence-off'),
      check: (objects) => {
        checkDeployment(objects, 1)
        expect(roleRules(objects)).toEqual(ROLE_DEFAULT_RULES)
      },
    },
    {
      ...golden('persistence-custom'),
      check: (objects) => {
        const sts = workload(objects)
        expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({whenDeleted: 'Delete'})
        expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({
          accessModes: ['ReadWriteOncePod'],
          storageClassName: 'fast-ssd',
          resources: {requests: {storage: '20Gi'}},
        })
        const volumes = podSpec(objects).volumes
        expect(names(volumes)).toEqual(['helm-cache', 'binaries', 'tmp', 'certs', 'vcluster-config', 'extra-ca'])
        expect(volumes[1]).toEqual({name: 'binaries', emptyDir: {medium: 'Memory'}})
        expect(mounts(objects).at(-1)).toBe('extra-ca:/etc/corp-ca')
      },
    },
    {
      ...golden('service-loadbalancer'),
      check: (objects) => {
        const service = find(objects, 'Service', NAME)
        expect(service.spec.type).toBe('LoadBalancer')
        expect(service.spec.loadBalancerSourceRanges).toEqual(['10.0.0.0/8'])
        // The kubelet port is left out of LoadBalancers (it would be exposed publicly).
        expect(ports(service)).toEqual(['https:443->8443/TCP'])
        expect(service.metadata.annotations).toEqual({'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb'})
        expect(service.metadata.labels).toMatchObject({
          exposure: 'public',
          'vcluster.loft.sh/service': 'true',
          app: 'vcluster',
        })
      },
    },
  ])
})
