import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import type {ErrorObject, ValidateFunction} from 'ajv'
import {describe, expect, expectTypeOf, it} from 'vitest'
import {parse} from 'yaml'
import {renderSchema, SCHEMA_PATH} from '../../../scripts/write-schema.js'
import {configSchema, type VClusterConfig} from '../../../src/lib/config/schema/index.js'

interface Node {
  type?: string
  properties?: Record<string, Node>
  additionalProperties?: boolean | Node
  items?: Node
  default?: unknown
  description?: string
  anyOf?: Node[]
}

const committed = readFileSync(SCHEMA_PATH, 'utf8')
// The pinned release's chart values.yaml (vendored byte for byte), read as helm reads it (YAML 1.1).
const fixture = parse(readFileSync(join(import.meta.dirname, '../../../src/lib/config/release/values.yaml'), 'utf8'), {
  version: '1.1',
}) as unknown

// Compiled once for the file (a compile costs about a second, ten on a loaded machine). The committed file is the
// in-memory schema serialised (first test), so compiling it covers both.
let validator: ValidateFunction | undefined
const compiled = (): ValidateFunction =>
  (validator ??= new Ajv2020({strict: true, allErrors: true}).compile(JSON.parse(committed) as object))
function validate(values: unknown): ErrorObject[] {
  const check = compiled()
  return check(values) ? [] : [...(check.errors ?? [])]
}

/** Rebuilds the defaults document from the `default` keywords, the way the config loader does. */
function schemaDefaults(node: Node): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (child.default !== undefined) out[key] = child.default
    else if (child.properties !== undefined) {
      const nested = schemaDefaults(child)
      if (Object.keys(nested).length > 0) out[key] = nested
    }
  }
  return out
}

/** Visits every schema node that has `properties`, with its JSON path. */
function walkObjects(node: Node, path: string, visit: (node: Node, path: string) => void): void {
  if (node.properties !== undefined) visit(node, path)
  for (const [key, child] of Object.entries(node.properties ?? {})) walkObjects(child, `${path}.${key}`, visit)
  if (node.items !== undefined) walkObjects(node.items, `${path}[]`, visit)
  if (typeof node.additionalProperties === 'object') walkObjects(node.additionalProperties, `${path}.*`, visit)
  for (const branch of node.anyOf ?? []) walkObjects(branch, path, visit)
}

describe('vcluster.yaml schema', () => {
  it('the committed schemas/vcluster.schema.json is what the TypeBox source generates', () => {
    expect(committed).toBe(renderSchema())
  })

  it('compiles with ajv in strict mode (the committed file, which is the in-memory schema)', () => {
    expect(compiled).not.toThrow()
  })

  it('describes the document root', () => {
    const root = JSON.parse(committed) as Record<string, unknown>
    expect(root.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(root.$id).toBe('https://vcluster-ts.dev/schemas/vcluster.schema.json')
    expect(root.additionalProperties).toBe(false)
    expect(Object.keys(root.properties as object)).toEqual([
      'global',
      'exportKubeConfig',
      'sync',
      'integrations',
      'deploy',
      'networking',
      'policies',
      'controlPlane',
      'privateNodes',
      'rbac',
      'plugins',
      'experimental',
      'telemetry',
      'serviceCIDR',
      'pro',
      'plugin',
      'logging',
      'sleep',
      'snapshots',
      'deletion',
      'platform',
    ])
  })

  it('gives every property a description and puts defaults on leaves only', () => {
    const missing: string[] = []
    const objectDefaults: string[] = []
    walkObjects(configSchema as unknown as Node, '', (node, path) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (typeof child.description !== 'string' || child.description === '') missing.push(`${path}.${key}`)
        if (child.default !== undefined && child.properties !== undefined) objectDefaults.push(`${path}.${key}`)
      }
    })
    expect(missing).toEqual([])
    expect(objectDefaults).toEqual([])
  })

  it('closes every object, as upstream does', () => {
    const open: string[] = []
    walkObjects(configSchema as unknown as Node, '', (node, path) => {
      if (node.additionalProperties !== false) open.push(path)
    })
    expect(open).toEqual([])
  })

  it("accepts upstream's full default values document", () => {
    expect(validate(fixture)).toEqual([])
  })

  it("accepts the pinned release's own chart values.yaml", () => {
    const release = parse(
      readFileSync(join(import.meta.dirname, '../../../src/lib/config/release/values.yaml'), 'utf8'),
    ) as unknown
    expect(validate(release)).toEqual([])
  })

  it("states only the release's defaults: every schema default is the chart values.yaml's value there", () => {
    // The resolved config comes from values.yaml itself (src/lib/config/chart-values.ts); the schema's defaults are
    // what editors show, so they must not disagree with it (values.yaml has more defaults than the schema states).
    const stated = schemaDefaults(configSchema as unknown as Node)
    expect(Object.keys(stated).length).toBeGreaterThan(5)
    expect(fixture).toMatchObject(stated)
  })

  it('types the config for readers', () => {
    expectTypeOf<NonNullable<VClusterConfig['controlPlane']>['proxy']>().toEqualTypeOf<
      {bindAddress?: string; port?: number; extraSANs?: string[]} | undefined
    >()
    const cfg: VClusterConfig = {controlPlane: {proxy: {extraSANs: ['a.example.com']}}}
    expectTypeOf(cfg.controlPlane?.proxy?.extraSANs).toEqualTypeOf<string[] | undefined>()
    expectTypeOf(cfg.controlPlane?.statefulSet?.persistence?.volumeClaim?.enabled).toEqualTypeOf<
      boolean | 'auto' | 'true' | 'false' | undefined
    >()
  })
})

const valid: [string, unknown][] = [
  ['an empty document', {}],
  ['extra SANs', {controlPlane: {proxy: {extraSANs: ['vcluster.example.com', '10.0.0.10']}}}],
  ['auto boolean as "auto"', {controlPlane: {statefulSet: {persistence: {volumeClaim: {enabled: 'auto'}}}}}],
  ['auto boolean as false', {controlPlane: {statefulSet: {persistence: {volumeClaim: {enabled: false}}}}}],
  ['auto boolean as the string "true"', {sync: {fromHost: {storageClasses: {enabled: 'true'}}}}],
  [
    'resource quota forced on',
    {policies: {resourceQuota: {enabled: true, quota: {'requests.cpu': 4, 'count/pods': 10}}}},
  ],
  [
    'embedded etcd with three replicas',
    {controlPlane: {backingStore: {etcd: {embedded: {enabled: true}}}, statefulSet: {highAvailability: {replicas: 3}}}},
  ],
  [
    'a LoadBalancer service spec (free-form)',
    {controlPlane: {service: {spec: {type: 'LoadBalancer', loadBalancerSourceRanges: ['1.2.3.4/32']}}}},
  ],
  [
    'env entries with valueFrom (free-form)',
    {controlPlane: {statefulSet: {env: [{name: 'A', valueFrom: {secretKeyRef: {name: 's', key: 'k'}}}]}}},
  ],
  ['labels and annotations', {controlPlane: {statefulSet: {labels: {team: 'a'}, pods: {annotations: {'x/y': 'z'}}}}}],
  [
    'a custom resource synced to the host',
    {
      sync: {
        toHost: {
          customResources: {
            'certificates.cert-manager.io': {
              enabled: true,
              patches: [{path: 'spec.secretName', reference: {apiVersion: 'v1', kind: 'Secret'}}],
            },
          },
        },
      },
    },
  ],
  ['global takes anything', {global: {anything: [1, 'two', {three: true}]}}],
  [
    'a plugin with free-form config',
    {plugins: {hooks: {image: 'ghcr.io/loft-sh/hooks:1', config: {nested: {deep: [1]}}}}},
  ],
  [
    'additional kubeconfig secrets',
    {exportKubeConfig: {additionalSecrets: [{name: 'kc', namespace: 'x', server: 'https://a:443'}]}},
  ],
  [
    'a workload egress rule with a named port',
    {
      policies: {
        networkPolicy: {
          enabled: true,
          workload: {egress: [{ports: [{port: 'dns', protocol: 'UDP'}], to: [{ipBlock: {cidr: '10.0.0.0/8'}}]}]},
        },
      },
    },
  ],
  ['a PDB with a percentage', {controlPlane: {advanced: {podDisruptionBudget: {enabled: true, minAvailable: '50%'}}}}],
  [
    'sleep after a Go duration',
    {sleep: {auto: {afterInactivity: '1h30m', exclude: {selector: {labels: {keep: 'true'}}}}}},
  ],
  [
    'deprecated but accepted keys',
    {serviceCIDR: '10.96.0.0/12', pro: true, controlPlane: {distro: {k8s: {version: 'v1.35.0'}}}},
  ],
  ['an image pull policy', {controlPlane: {statefulSet: {imagePullPolicy: 'IfNotPresent'}}}],
  [
    'the k8s distro with an own image',
    {controlPlane: {distro: {k8s: {enabled: true, image: {tag: 'v1.35.2'}, scheduler: {enabled: true}}}}},
  ],
]

describe.each(valid)('accepts %s', (_name, values) => {
  it('validates', () => {
    expect(validate(values)).toEqual([])
  })
})

/** [name, values, instancePath of the error, ajv keyword, extra params to match] */
const invalid: [string, unknown, string, string, Record<string, unknown>?][] = [
  ['an unknown top-level key', {controlplane: {}}, '', 'additionalProperties', {additionalProperty: 'controlplane'}],
  [
    'an unknown key at depth 2',
    {controlPlane: {proxi: {}}},
    '/controlPlane',
    'additionalProperties',
    {additionalProperty: 'proxi'},
  ],
  [
    'an unknown key at depth 5',
    {controlPlane: {statefulSet: {persistence: {volumeClaim: {sizee: '5Gi'}}}}},
    '/controlPlane/statefulSet/persistence/volumeClaim',
    'additionalProperties',
    {additionalProperty: 'sizee'},
  ],
  [
    'an unknown key in an image',
    {sync: {toHost: {pods: {rewriteHosts: {initContainer: {image: {digest: 'sha256:0'}}}}}}},
    '/sync/toHost/pods/rewriteHosts/initContainer/image',
    'additionalProperties',
    {additionalProperty: 'digest'},
  ],
  [
    'the removed k3s distro',
    {controlPlane: {distro: {k3s: {enabled: true}}}},
    '/controlPlane/distro',
    'additionalProperties',
    {additionalProperty: 'k3s'},
  ],
  [
    'an unknown key inside a plugin',
    {plugins: {p: {imagee: 'x'}}},
    '/plugins/p',
    'additionalProperties',
    {additionalProperty: 'imagee'},
  ],
  [
    'extraSANs as a string',
    {controlPlane: {proxy: {extraSANs: 'a.example.com'}}},
    '/controlPlane/proxy/extraSANs',
    'type',
  ],
  [
    'replicas as a string',
    {controlPlane: {statefulSet: {highAvailability: {replicas: '3'}}}},
    '/controlPlane/statefulSet/highAvailability/replicas',
    'type',
  ],
  [
    'replicas as a fraction',
    {controlPlane: {statefulSet: {highAvailability: {replicas: 1.5}}}},
    '/controlPlane/statefulSet/highAvailability/replicas',
    'type',
  ],
  [
    'a plain boolean given as a string',
    {sync: {toHost: {pods: {enabled: 'true'}}}},
    '/sync/toHost/pods/enabled',
    'type',
  ],
  [
    'an auto boolean with a bad value',
    {controlPlane: {statefulSet: {persistence: {volumeClaim: {enabled: 'yes'}}}}},
    '/controlPlane/statefulSet/persistence/volumeClaim/enabled',
    'enum',
  ],
  ['an auto boolean as a number', {policies: {limitRange: {enabled: 1}}}, '/policies/limitRange/enabled', 'anyOf'],
  [
    'a lower-case pull policy',
    {controlPlane: {statefulSet: {imagePullPolicy: 'always'}}},
    '/controlPlane/statefulSet/imagePullPolicy',
    'enum',
  ],
  ['an unknown log encoding', {logging: {encoding: 'text'}}, '/logging/encoding', 'enum'],
  [
    'a short access mode',
    {controlPlane: {statefulSet: {persistence: {volumeClaim: {accessModes: ['RWO']}}}}},
    '/controlPlane/statefulSet/persistence/volumeClaim/accessModes/0',
    'enum',
  ],
  [
    'an unknown DNS policy',
    {controlPlane: {statefulSet: {dnsPolicy: 'ClusterFirstt'}}},
    '/controlPlane/statefulSet/dnsPolicy',
    'enum',
  ],
  [
    'an unknown retention policy',
    {controlPlane: {statefulSet: {persistence: {volumeClaim: {retentionPolicy: 'Keep'}}}}},
    '/controlPlane/statefulSet/persistence/volumeClaim/retentionPolicy',
    'enum',
  ],
  [
    'a non-string label value',
    {controlPlane: {statefulSet: {labels: {tier: 1}}}},
    '/controlPlane/statefulSet/labels/tier',
    'type',
  ],
  [
    'a custom resource without enabled',
    {sync: {toHost: {customResources: {'a.b.io': {}}}}},
    '/sync/toHost/customResources/a.b.io',
    'required',
    {missingProperty: 'enabled'},
  ],
  [
    'a patch without a path',
    {sync: {toHost: {pods: {patches: [{expression: 'value'}]}}}},
    '/sync/toHost/pods/patches/0',
    'required',
    {missingProperty: 'path'},
  ],
  [
    'the removed volume snapshot sync',
    {sync: {toHost: {volumeSnapshots: {enabled: false}}}},
    '/sync/toHost/volumeSnapshots',
    'not',
  ],
  [
    'an unparsable sleep duration',
    {sleep: {auto: {afterInactivity: 'one hour'}}},
    '/sleep/auto/afterInactivity',
    'pattern',
  ],
  ['a role rule that is not a mapping', {rbac: {role: {extraRules: ['get pods']}}}, '/rbac/role/extraRules/0', 'type'],
  [
    'an extra key in a volume mount',
    {controlPlane: {statefulSet: {persistence: {addVolumeMounts: [{name: 'x', mountPath: '/x', mode: 1}]}}}},
    '/controlPlane/statefulSet/persistence/addVolumeMounts/0',
    'additionalProperties',
    {additionalProperty: 'mode'},
  ],
  [
    'a mapping where a list belongs',
    {networking: {replicateServices: {toHost: {from: 'a', to: 'b'}}}},
    '/networking/replicateServices/toHost',
    'type',
  ],
  [
    'a proxy target with an invalid name',
    {experimental: {proxy: {customResources: {'x.y/v1': {targetVirtualCluster: {name: 'Bad_Name'}}}}}},
    '/experimental/proxy/customResources/x.y~1v1/targetVirtualCluster/name',
    'pattern',
  ],
]

describe.each(invalid)('rejects %s', (_name, values, instancePath, keyword, params) => {
  it(`at ${instancePath === '' ? 'the root' : instancePath} (${keyword})`, () => {
    const errors = validate(values)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors).toContainEqual(
      expect.objectContaining({
        instancePath,
        keyword,
        ...(params === undefined ? {} : {params: expect.objectContaining(params)}),
      }),
    )
    for (const error of errors) expect(error.instancePath.startsWith(instancePath)).toBe(true)
  })
})
