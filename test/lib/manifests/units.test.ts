/** Unit tests of the manifest helpers: store type, kind, waves, names, the config Secret, purity. */
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {InvalidConfigError} from '../../../src/lib/errors.js'
import {needsClusterRole} from '../../../src/lib/manifests/cluster-rules.js'
import {
  applyWaves,
  backingStoreType,
  certsSecretName,
  configHash,
  clusterRoleName,
  configSecretName,
  isClusterScoped,
  kubeconfigSecretName,
  renderManifests,
  selectorLabels,
  workloadKind,
  type KubeObject,
  type RenderInput,
} from '../../../src/lib/manifests/index.js'
import {NAME, configOf, ids, inputFor, render, workload, type Obj} from './helpers.js'

const configFor = (yaml: string) => inputFor(yaml).config

describe('backing store and workload kind', () => {
  it.each([
    ['', 'embedded-database', 'StatefulSet'],
    ['controlPlane: {backingStore: {database: {embedded: {enabled: true}}}}', 'embedded-database', 'StatefulSet'],
    ['controlPlane: {backingStore: {etcd: {embedded: {enabled: true}}}}', 'embedded-etcd', 'StatefulSet'],
    [
      'controlPlane: {backingStore: {etcd: {embedded: {enabled: true}}}, statefulSet: {persistence: {volumeClaim: {enabled: false}}}}',
      'embedded-etcd',
      'StatefulSet',
    ],
    ['controlPlane: {backingStore: {etcd: {deploy: {enabled: true}}}}', 'deployed-etcd', 'Deployment'],
    [
      'controlPlane: {backingStore: {etcd: {external: {enabled: true, endpoint: "etcd:2379"}}}}',
      'external-etcd',
      'Deployment',
    ],
    [
      'controlPlane: {backingStore: {database: {external: {enabled: true, dataSource: "mysql://x"}}}}',
      'external-database',
      'Deployment',
    ],
    [
      'controlPlane: {backingStore: {database: {external: {enabled: true}}}, statefulSet: {persistence: {volumeClaim: {enabled: true}}}}',
      'external-database',
      'StatefulSet',
    ],
    ['controlPlane: {statefulSet: {persistence: {volumeClaim: {enabled: false}}}}', 'embedded-database', 'Deployment'],
  ])('%s → %s, %s', (yaml, store, kind) => {
    const config = configFor(yaml)
    expect(backingStoreType(config)).toBe(store)
    expect(workloadKind(config)).toBe(kind)
  })
})

describe('names and labels', () => {
  it('follows the upstream naming', () => {
    expect(configSecretName('a')).toBe('vc-config-a')
    expect(kubeconfigSecretName('a')).toBe('vc-a')
    expect(certsSecretName('a')).toBe('a-certs')
    expect(selectorLabels('a')).toEqual({app: 'vcluster', release: 'a'})
  })

  it('truncates the ClusterRole name to 63 characters without a trailing dash', () => {
    const name = clusterRoleName('my-vc', `${'n'.repeat(51)}-tail`)
    expect(name).toBe(`vc-my-vc-v-${'n'.repeat(51)}`)
    expect(name.length).toBeLessThanOrEqual(63)
    expect(clusterRoleName('my-vc', 'team-a')).toBe('vc-my-vc-v-team-a')
  })

  it('knows which kinds are cluster-scoped', () => {
    for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Namespace', 'StorageClass', 'PriorityClass'])
      expect(isClusterScoped(kind)).toBe(true)
    for (const kind of ['Role', 'Secret', 'StatefulSet', 'Service', 'NetworkPolicy'])
      expect(isClusterScoped(kind)).toBe(false)
  })

  it('puts every namespaced object in the vCluster namespace and cluster-scoped ones in none', () => {
    const objects = render(
      'sync: {fromHost: {nodes: {enabled: true}}}\npolicies: {limitRange: {enabled: true}, networkPolicy: {enabled: true}}\n',
    )
    for (const o of objects) expect(o.metadata.namespace).toBe(isClusterScoped(o.kind) ? undefined : 'team-a')
  })
})

describe('switches and overrides', () => {
  it('leaves out what is disabled', () => {
    const objects = render(
      'controlPlane:\n  service: {enabled: false}\n  advanced:\n    serviceAccount: {enabled: false}\n    workloadServiceAccount: {enabled: false}\nrbac:\n  role: {enabled: false}\n',
    )
    expect(ids(objects)).toEqual(['Secret/vc-config-my-vc', 'Service/my-vc-headless', 'StatefulSet/my-vc'])
    // The pod still runs as vc-<name>: a disabled ServiceAccount is one the user provides.
    expect(workload(objects).spec.template.spec.serviceAccountName).toBe(`vc-${NAME}`)
  })

  it('takes the Service ports and selector as given', () => {
    const objects = render(
      'controlPlane:\n  service:\n    spec:\n      type: NodePort\n      ports: [{name: https, port: 443, targetPort: 8443, nodePort: 30443}]\n      selector: {app: custom}\n',
    )
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === NAME) as Obj
    expect(service.spec).toEqual({
      type: 'NodePort',
      ports: [{name: 'https', port: 443, targetPort: 8443, nodePort: 30443}],
      selector: {app: 'custom'},
    })
  })

  it('sets node ports on the default ports when configured', () => {
    const objects = render(
      'controlPlane:\n  service:\n    spec: {type: NodePort}\n    httpsNodePort: 31443\n    kubeletNodePort: 31250\n',
    )
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === NAME) as Obj
    expect(service.spec.ports.map((p: Obj) => p.nodePort)).toEqual([31443, 31250])
  })
})

describe('needsClusterRole', () => {
  it.each([
    ['', false],
    ['sync: {fromHost: {storageClasses: {enabled: auto}}}', false],
    ['sync: {fromHost: {storageClasses: {enabled: true}}}', true],
    ['sync: {fromHost: {csiDrivers: {enabled: "true"}}}', true],
    ['sync: {toHost: {persistentVolumes: {enabled: true}}}', true],
    ['sync: {toHost: {priorityClasses: {enabled: true}}}', true],
    ['sync: {toHost: {ingresses: {enabled: true}}}', false],
    ['sync: {toHost: {gatewayApi: {httpRoutes: {enabled: true}}}}', true],
    ['controlPlane: {distro: {k8s: {scheduler: {enabled: true}}}}\nsync: {fromHost: {nodes: {enabled: true}}}', true],
    ['networking: {replicateServices: {fromHost: [{from: a/b, to: c}]}}', true],
    ['integrations: {metricsServer: {enabled: true}}', true],
    ['integrations: {metricsServer: {enabled: true, nodes: false}}', false],
    ['rbac: {clusterRole: {enabled: true}}', true],
    ['rbac: {clusterRole: {enabled: false}}\nsync: {fromHost: {nodes: {enabled: true}}}', false],
  ])('%s → %s', (yaml, expected) => {
    expect(needsClusterRole(configFor(yaml))).toBe(expected)
  })
})

describe('applyWaves', () => {
  it('orders bindings after roles, the control plane last, and keeps the order within a wave', () => {
    const objects = render(
      'controlPlane: {backingStore: {etcd: {deploy: {enabled: true}}}}\nsync: {fromHost: {nodes: {enabled: true}}}\npolicies: {resourceQuota: {enabled: true}}\n',
    )
    const waves = applyWaves(objects)
    expect(waves).toHaveLength(3)
    expect(waves.flat()).toHaveLength(objects.length)
    expect(waves[1]?.map((o) => o.kind)).toEqual(['RoleBinding', 'ClusterRoleBinding', 'StatefulSet'])
    expect(ids(waves[2] ?? [])).toEqual([`Deployment/${NAME}`])
    expect(waves[0]?.map((o) => o.kind)).toContain('ResourceQuota')
  })

  it('drops empty waves', () => {
    const secret: KubeObject = {apiVersion: 'v1', kind: 'Secret', metadata: {name: 'x'}}
    expect(applyWaves([secret])).toEqual([[secret]])
    expect(applyWaves([])).toEqual([])
  })
})

describe('the config Secret', () => {
  it('holds the resolved config and the user values, and the pod hash follows the config', () => {
    const yaml =
      'controlPlane:\n  distro:\n    k8s:\n      apiServer:\n        extraArgs: [--max-requests-inflight=300]\n'
    const input = inputFor(yaml)
    const objects = renderManifests(input)
    const secret = objects.find((o) => o.kind === 'Secret') as Obj
    expect(secret.type).toBe('Opaque')
    expect(Object.keys(secret.data)).toEqual(['config.yaml', 'user-values.yaml'])
    expect(configOf(objects)).toEqual(JSON.parse(JSON.stringify(input.config)))
    expect(configOf(objects, 'user-values.yaml')).toEqual(parse(yaml))
    // extraArgs reach the API server through the syncer's config only: the workload differs from the defaults by
    // the config hash alone.
    const defaults = render('')
    const strip = (o: KubeObject[]) =>
      JSON.stringify(workload(o), (k, v) => (k === 'vClusterConfigHash' ? undefined : v))
    expect(strip(objects)).toBe(strip(defaults))
    expect(workload(objects).spec.template.metadata.annotations.vClusterConfigHash).not.toBe(
      workload(defaults).spec.template.metadata.annotations.vClusterConfigHash,
    )
  })

  it("leaves privateNodes.autoNodes out of the pod hash, as the chart's does, but not other changes", () => {
    const base = inputFor('')
    const pools = (autoNodes: unknown[]) =>
      ({
        ...base,
        config: {...base.config, privateNodes: {...base.config.privateNodes, autoNodes}},
      }) as unknown as RenderInput
    expect(configHash(pools([{provider: 'aws', name: 'pool-a'}]))).toBe(configHash(base))
    expect(configHash(inputFor('controlPlane: {proxy: {extraSANs: [a.example.com]}}\n'))).not.toBe(configHash(base))
  })

  it("stores kube-vip's capabilities in config.yaml as the chart's template leaves them in .Values", () => {
    const yaml =
      'controlPlane:\n  advanced: {kubeVip: {enabled: true}}\n  statefulSet: {security: {containerSecurityContext: {capabilities: {add: [SYS_TIME, NET_RAW]}}}}\n'
    const input = inputFor(yaml)
    const objects = renderManifests(input)
    const stored = configOf(objects).controlPlane.statefulSet.security.containerSecurityContext
    expect(stored.capabilities).toEqual({add: ['SYS_TIME', 'NET_RAW', 'NET_ADMIN']})
    expect(workload(objects).spec.template.spec.containers[0].securityContext.capabilities).toEqual(stored.capabilities)
    expect(input.config.controlPlane?.statefulSet?.security?.containerSecurityContext).toMatchObject({
      capabilities: {add: ['SYS_TIME', 'NET_RAW']},
    })
  })

  it('is deterministic and does not modify its input', () => {
    const input = inputFor('controlPlane: {statefulSet: {env: [{name: A, value: b}]}}\n', 'v1.33.2')
    const before = JSON.stringify(input)
    const first = renderManifests(input)
    ;(first.at(-1) as Obj).spec.template.spec.containers[0].env.push({name: 'MUTATED'})
    expect(JSON.stringify(input)).toBe(before)
    expect(renderManifests(input)).not.toEqual(first)
    expect(JSON.stringify(renderManifests(input))).toBe(
      JSON.stringify(
        renderManifests(inputFor('controlPlane: {statefulSet: {env: [{name: A, value: b}]}}\n', 'v1.33.2')),
      ),
    )
  })
})

describe('experimental.deploy.host manifests', () => {
  it('renders templates with the release name and namespace', () => {
    const yaml =
      'experimental:\n  deploy:\n    host:\n      manifestsTemplate: |\n        apiVersion: v1\n        kind: ConfigMap\n        metadata: {name: "{{ .Release.Name }}-extra", namespace: "{{ .Release.Namespace }}"}\n'
    expect(ids(render(yaml))).toContain(`ConfigMap/${NAME}-extra`)
  })

  it('rejects template expressions it cannot render', () => {
    const yaml = 'experimental:\n  deploy:\n    host:\n      manifestsTemplate: "kind: {{ .Values.x }}"\n'
    expect(() => render(yaml)).toThrow(InvalidConfigError)
  })
})
