import {describe, expect, it} from 'vitest'
import {loadConfig, type LoadConfigOptions} from '../../../src/lib/config/load.js'
import {InvalidConfigError, formatProblem, UsageError} from '../../../src/lib/errors.js'

/** Loads from in-memory files so tests assert the exact text users see. */
function load(files: Record<string, string>, extra: Omit<LoadConfigOptions, 'files' | 'readFile'> = {}) {
  return loadConfig({
    files: Object.keys(files),
    readFile: async (path) => {
      const text = files[path]
      if (text === undefined) throw Object.assign(new Error('missing'), {code: 'ENOENT'})
      return text
    },
    ...extra,
  })
}

async function problemsOf(files: Record<string, string>, extra: Omit<LoadConfigOptions, 'files' | 'readFile'> = {}) {
  try {
    await load(files, extra)
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.problems.map(formatProblem)
    throw error
  }
  throw new Error('expected the config to be invalid')
}

describe('valid configs', () => {
  it.each([
    ['minimal', 'controlPlane: {}\n'],
    ['extraSANs', 'controlPlane:\n  proxy:\n    extraSANs: [my.example.com, 10.1.2.3, "*.dev.example.com", "::1"]\n'],
    ['k8s image', 'controlPlane:\n  distro:\n    k8s:\n      enabled: true\n      image:\n        tag: v1.33.1\n'],
    [
      'apiserver extraArgs',
      'controlPlane:\n  distro:\n    k8s:\n      apiServer:\n        extraArgs: ["--max-requests-inflight=300"]\n',
    ],
    [
      'embedded etcd HA',
      'controlPlane:\n  backingStore:\n    etcd:\n      embedded:\n        enabled: true\n  statefulSet:\n    highAvailability:\n      replicas: 3\n',
    ],
    ['deployed etcd', 'controlPlane:\n  backingStore:\n    etcd:\n      deploy:\n        enabled: true\n'],
    [
      'external database HA',
      'controlPlane:\n  backingStore:\n    database:\n      external:\n        enabled: true\n        dataSource: "mysql://u:p@tcp(db:3306)/vc"\n  statefulSet:\n    highAvailability:\n      replicas: 2\n',
    ],
    [
      'persistence',
      'controlPlane:\n  statefulSet:\n    persistence:\n      volumeClaim:\n        enabled: true\n        size: 10Gi\n        storageClass: fast\n',
    ],
    [
      'persistence auto',
      'controlPlane:\n  statefulSet:\n    persistence:\n      volumeClaim:\n        enabled: auto\n',
    ],
    [
      'resources',
      'controlPlane:\n  statefulSet:\n    resources:\n      requests: {cpu: 200m, memory: 256Mi}\n      limits: {memory: 4Gi, ephemeral-storage: 10Gi}\n',
    ],
    [
      'scheduling',
      'controlPlane:\n  statefulSet:\n    scheduling:\n      nodeSelector: {disk: ssd}\n      tolerations: [{key: a, operator: Exists}]\n',
    ],
    ['service type', 'controlPlane:\n  service:\n    spec:\n      type: LoadBalancer\n'],
    [
      'sync toHost',
      'sync:\n  toHost:\n    ingresses:\n      enabled: true\n    serviceAccounts:\n      enabled: true\n',
    ],
    [
      'sync fromHost',
      'sync:\n  fromHost:\n    nodes:\n      enabled: true\n      selector:\n        labels: {team: a}\n    storageClasses:\n      enabled: auto\n',
    ],
    ['networking', 'networking:\n  advanced:\n    clusterDomain: corp.local\n'],
    ['exportKubeConfig', 'exportKubeConfig:\n  context: my-vc\n  server: https://vc.example.com:8443\n'],
    [
      'rbac extra rules',
      'rbac:\n  role:\n    extraRules:\n      - apiGroups: [""]\n        resources: [configmaps]\n        verbs: [get]\n',
    ],
    ['policies', 'policies:\n  resourceQuota:\n    enabled: true\n  limitRange:\n    enabled: false\n'],
    ['telemetry off', 'telemetry:\n  enabled: false\n'],
    ['yaml 1.1 booleans', 'telemetry:\n  enabled: no\n'],
    ['coredns', 'controlPlane:\n  coredns:\n    enabled: true\n    deployment:\n      replicas: 2\n'],
    ['ingress', 'controlPlane:\n  ingress:\n    enabled: true\n    host: vc.example.com\n'],
    ['advanced registry', 'controlPlane:\n  advanced:\n    defaultImageRegistry: registry.corp.local\n'],
    ['labels and annotations', 'controlPlane:\n  statefulSet:\n    labels: {team: a}\n    annotations: {note: x}\n'],
  ])('%s', async (_name, yaml) => {
    await expect(load({'vcluster.yaml': yaml})).resolves.toBeDefined()
  })
})

describe('invalid configs: exact messages and positions', () => {
  it.each([
    [
      'misspelt key with suggestion',
      'controlPlane:\n  proxy:\n    extraSAN: [a.example.com]\n',
      'vcluster.yaml:3:5: controlPlane.proxy.extraSAN: unknown key "extraSAN"; did you mean `extraSANs`?',
    ],
    [
      'misspelt top-level key',
      'contolPlane: {}\n',
      'vcluster.yaml:1:1: contolPlane: unknown key "contolPlane"; did you mean `controlPlane`?',
    ],
    [
      'wrong type',
      'controlPlane:\n  statefulSet:\n    highAvailability:\n      replicas: three\n',
      'vcluster.yaml:4:17: controlPlane.statefulSet.highAvailability.replicas: must be an integer, got the string "three"',
    ],
    ['list instead of map', 'sync: [a]\n', 'vcluster.yaml:1:7: sync: must be a mapping, got a list'],
    [
      'bad extraSAN',
      'controlPlane:\n  proxy:\n    extraSANs: ["https://x.example.com"]\n',
      'vcluster.yaml:3:17: controlPlane.proxy.extraSANs[0]: "https://x.example.com" is not a DNS name or IP address; write the host name only, without scheme, port or path',
    ],
    [
      'bad extraSAN chars',
      'controlPlane:\n  proxy:\n    extraSANs: ["under_score.example.com"]\n',
      'vcluster.yaml:3:17: controlPlane.proxy.extraSANs[0]: "under_score.example.com" is not a DNS name or IP address',
    ],
    [
      'sqlite HA',
      'controlPlane:\n  statefulSet:\n    highAvailability:\n      replicas: 3\n',
      'vcluster.yaml:4:17: controlPlane.statefulSet.highAvailability.replicas: the embedded database (SQLite, the default) cannot run with 3 replicas; set controlPlane.backingStore.etcd.embedded.enabled: true (or deploy etcd, or use an external database)',
    ],
    [
      'k3s removed',
      'controlPlane:\n  distro:\n    k3s:\n      enabled: true\n',
      'vcluster.yaml:3:5: controlPlane.distro.k3s: the k3s distro was removed upstream in vCluster v0.33; use controlPlane.distro.k8s (the only distro) and remove this key',
    ],
    [
      'k0s removed',
      'controlPlane:\n  distro:\n    k0s:\n      enabled: true\n',
      'vcluster.yaml:3:5: controlPlane.distro.k0s: the k0s distro was removed upstream in vCluster v0.26; use controlPlane.distro.k8s (the only distro) and remove this key',
    ],
    [
      'export server not a URL',
      'exportKubeConfig:\n  server: vc.example.com\n',
      'vcluster.yaml:2:11: exportKubeConfig.server: "vc.example.com" must be an http:// or https:// URL, e.g. https://my-vcluster.example.com',
    ],
    [
      'storage classes both ways',
      'sync:\n  toHost:\n    storageClasses:\n      enabled: true\n  fromHost:\n    storageClasses:\n      enabled: true\n',
      'vcluster.yaml:7:16: sync.fromHost.storageClasses.enabled: storageClasses cannot be synced both toHost and fromHost; enable one direction only',
    ],
    [
      'removed snapshot key',
      'sync:\n  toHost:\n    volumeSnapshots:\n      enabled: true\n',
      'vcluster.yaml:3:5: sync.toHost.volumeSnapshots: was removed in vCluster 0.36 (volume snapshots are handled by snapshots:); remove this key',
    ],
    [
      'empty file',
      '',
      'vcluster.yaml:1:1: the file is empty; a vcluster.yaml is a mapping of keys such as `controlPlane:` and `sync:`',
    ],
    [
      'comment-only file',
      '# nothing\n',
      'vcluster.yaml:1:1: the file is empty; a vcluster.yaml is a mapping of keys such as `controlPlane:` and `sync:`',
    ],
    [
      'scalar document',
      'hello\n',
      'vcluster.yaml:1:1: expected a mapping of keys at the top level, found the string "hello"',
    ],
    ['list document', '- a\n- b\n', 'vcluster.yaml:1:1: expected a mapping of keys at the top level, found a list'],
  ])('%s', async (_name, yaml, expected) => {
    expect(await problemsOf({'vcluster.yaml': yaml})).toEqual([expected])
  })

  it('reports a duplicate key at its position', async () => {
    const problems = await problemsOf({'v.yaml': 'controlPlane: {}\ncontrolPlane: {}\n'})
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^v\.yaml:2:1: duplicate key/)
  })

  it('reports a YAML syntax error at its position', async () => {
    const problems = await problemsOf({'v.yaml': 'controlPlane:\n  proxy: [a, b\n'})
    expect(problems[0]).toMatch(/^v\.yaml:\d+:\d+: YAML syntax error: /)
  })

  it('reports several documents', async () => {
    expect(await problemsOf({'v.yaml': 'a: 1\n---\nb: 2\n'})).toEqual([
      'v.yaml:2:1: the file holds 2 YAML documents; a vcluster.yaml is one document',
    ])
  })

  it('lists allowed values for an enum', async () => {
    const [problem] = await problemsOf({'v.yaml': 'controlPlane:\n  statefulSet:\n    imagePullPolicy: Sometimes\n'})
    expect(problem).toBe(
      'v.yaml:3:22: controlPlane.statefulSet.imagePullPolicy: must be one of "Always", "IfNotPresent", "Never", "", got the string "Sometimes"',
    )
  })

  it('reports ALL problems at once, in source order', async () => {
    const yaml =
      'controlPlane:\n  proxy:\n    extraSAN: []\n  statefulSet:\n    highAvailability:\n      replicas: 2\ntelemetry:\n  enabled: maybe\n'
    const problems = await problemsOf({'v.yaml': yaml})
    expect(problems.map((p) => p.split(': ')[0])).toEqual(['v.yaml:3:5', 'v.yaml:6:17', 'v.yaml:8:12'])
  })

  it('reports problems from every file with its own name', async () => {
    const problems = await problemsOf({'a.yaml': 'contrlPlane: {}\n', 'b.yaml': 'syncc: {}\n'})
    expect(problems).toEqual([
      'a.yaml:1:1: contrlPlane: unknown key "contrlPlane"; did you mean `controlPlane`?',
      'b.yaml:1:1: syncc: unknown key "syncc"; did you mean `sync`?',
    ])
  })

  it('positions --set problems at the expression', async () => {
    const problems = await problemsOf({}, {sets: ['controlPlane.proxy.extraSANz[0]=x']})
    expect(problems).toEqual([
      '--set controlPlane.proxy.extraSANz[0]=x:1:1: controlPlane.proxy.extraSANz: unknown key "extraSANz"; did you mean `extraSANs`?',
    ])
  })

  it('refuses two backing stores', async () => {
    const yaml =
      'controlPlane:\n  backingStore:\n    etcd:\n      embedded:\n        enabled: true\n      deploy:\n        enabled: true\n'
    expect(await problemsOf({'v.yaml': yaml})).toEqual([
      'v.yaml:7:9: controlPlane.backingStore.etcd.deploy.enabled: only one backing store may be enabled, found 2: etcd.embedded, etcd.deploy',
    ])
  })

  it('fails clearly on a missing file', async () => {
    await expect(load({}, {files: ['nope.yaml']} as never)).rejects.toThrow(UsageError)
    await expect(loadConfig({files: ['/nonexistent/v.yaml']})).rejects.toThrow(
      'cannot read values file /nonexistent/v.yaml: no such file',
    )
  })
})

describe('merging and defaults', () => {
  it('merges files in order, then --set', async () => {
    const {values, config} = await load(
      {
        'a.yaml': 'controlPlane:\n  proxy:\n    extraSANs: [a.example.com]\n  statefulSet:\n    labels: {x: "1"}\n',
        'b.yaml': 'controlPlane:\n  proxy:\n    extraSANs: [b.example.com]\n  statefulSet:\n    labels: {y: "2"}\n',
      },
      {sets: ['controlPlane.statefulSet.labels.z=3']},
    )
    expect(values).toEqual({
      controlPlane: {proxy: {extraSANs: ['b.example.com']}, statefulSet: {labels: {x: '1', y: '2', z: '3'}}},
    })
    expect(config.controlPlane?.proxy?.extraSANs).toEqual(['b.example.com'])
  })

  it('a null deletes a chart default, from a file, a later file or --set, and is valid (helm checks the coalesced values)', async () => {
    const {values, config} = await load(
      {
        'a.yaml': 'sync:\n  toHost:\n    pods:\n      rewriteHosts: {enabled: false}\n',
        'b.yaml': 'sync:\n  toHost:\n    pods:\n      rewriteHosts:\n        enabled: null\n',
      },
      {sets: ['telemetry.enabled=null']},
    )
    // The stored values keep the nulls, so an upgrade from them deletes the same defaults again.
    expect(values).toEqual({sync: {toHost: {pods: {rewriteHosts: {enabled: null}}}}, telemetry: {enabled: null}})
    const rewriteHosts = config.sync?.toHost?.pods?.rewriteHosts as Record<string, unknown>
    expect(Object.hasOwn(rewriteHosts, 'enabled')).toBe(false)
    expect(rewriteHosts.initContainer).toBeDefined()
    expect(Object.hasOwn(config.telemetry as object, 'enabled')).toBe(false)
  })

  it('a null where the chart has no default stays, and is refused at its position as helm refuses it', async () => {
    const problems = await problemsOf({'v.yaml': 'controlPlane:\n  statefulSet:\n    labels:\n      team: null\n'})
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^v\.yaml:4:\d+: controlPlane\.statefulSet\.labels\.team: /)
  })

  it('node selectors take strings: --set keeps a number-like value a string, a file with a number is refused at its line', async () => {
    const {values} = await load({}, {sets: ['controlPlane.statefulSet.scheduling.nodeSelector.zone=1']})
    expect(values).toEqual({controlPlane: {statefulSet: {scheduling: {nodeSelector: {zone: '1'}}}}})
    const problems = await problemsOf({
      'v.yaml': 'controlPlane:\n  statefulSet:\n    scheduling:\n      nodeSelector: {zone: 1}\n',
    })
    expect(problems.join('\n')).toMatch(
      /^v\.yaml:4:\d+: controlPlane\.statefulSet\.scheduling\.nodeSelector\.zone: .*string/m,
    )
  })

  it('applies defaults to produce the resolved config', async () => {
    const {config} = await load({'v.yaml': 'controlPlane: {}\n'})
    expect(config.controlPlane?.proxy?.port).toBe(8443)
    expect(config.controlPlane?.proxy?.bindAddress).toBe('0.0.0.0')
    expect(config.controlPlane?.statefulSet?.highAvailability?.replicas).toBe(1)
    expect(config.controlPlane?.statefulSet?.persistence?.volumeClaim?.size).toBe('5Gi')
    expect(config.sync?.toHost?.pods?.enabled).toBe(true)
  })

  it('keeps the deprecated k8s.version beside the default image.tag, as helm stores it, with a warning', async () => {
    const {config, warnings} = await load({'v.yaml': 'controlPlane:\n  distro:\n    k8s:\n      version: v1.31.2\n'})
    // The chart's image template prefers `version`; the stored config is the plain coalesce (values.yaml's tag).
    expect(config.controlPlane?.distro?.k8s).toMatchObject({version: 'v1.31.2', image: {tag: 'v1.36.0'}})
    expect(warnings.map(formatProblem)).toEqual([
      'v.yaml:4:7: warning: controlPlane.distro.k8s.version: is deprecated; use controlPlane.distro.k8s.image.tag instead (its value is used as the image tag)',
    ])
  })

  it('reads YAML 1.1 booleans in values like Helm, but keeps keys as written', async () => {
    const {values} = await load({
      'v.yaml': 'telemetry:\n  enabled: off\ncontrolPlane:\n  statefulSet:\n    labels: {y: "1", on: "2"}\n',
    })
    expect(values).toEqual({telemetry: {enabled: false}, controlPlane: {statefulSet: {labels: {y: '1', on: '2'}}}})
  })

  it('starts from base values (the stored config on upgrade)', async () => {
    const {values} = await load(
      {'v.yaml': 'controlPlane:\n  proxy:\n    extraSANs: [new.example.com]\n'},
      {base: {telemetry: {enabled: false}}},
    )
    expect(values).toEqual({telemetry: {enabled: false}, controlPlane: {proxy: {extraSANs: ['new.example.com']}}})
  })
})

describe('nulls the release cannot do without', () => {
  it('refuses a null that deletes a default the chart needs, at its value, with the way forward', async () => {
    const problems = await problemsOf({'v.yaml': 'controlPlane:\n  distro: null\n'})
    expect(problems).toEqual([
      expect.stringMatching(
        /^v\.yaml:2:11: controlPlane\.distro: null deletes the release's default here, and the chart's .+ needs it; leave the key out to keep the default, or set a value$/,
      ),
    ])
  })

  it('accepts a null on a default the release does without', async () => {
    const {config} = await load({
      'v.yaml': 'controlPlane:\n  statefulSet:\n    resources:\n      limits:\n        memory: null\n',
    })
    expect(Object.hasOwn(config.controlPlane?.statefulSet?.resources?.limits as object, 'memory')).toBe(false)
  })
})
