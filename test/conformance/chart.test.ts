// What `create` applies must be what the pinned release's chart renders (helm v3.21's `helm template`, run by the
// oracle) for the same values and host version: the same objects, field by field. The differences we allow are the
// short list below, each with its reason (docs/decisions.md); anything else fails with the field and both values.
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {parse, parseAllDocuments} from 'yaml'
import {resolveValues} from '../../src/lib/config/load.js'
import {renderManifests, type KubeObject} from '../../src/lib/manifests/index.js'
import {K8S_TAG_BY_MINOR, minorOf} from '../../src/lib/versions.js'
import {GOLDEN_VALUES} from '../lib/manifests/golden-values.js'
import {startOracle, type Oracle} from '../upstream/oracle.js'
import {EXTRA_CHART_CONFIGS} from './chart-configs.js'
import {HOSTS, deepDiff, type Difference} from './diff.js'

const NAME = 'my-vc'
const NAMESPACE = 'team-a'
const upstreamDir = inject('upstreamDir')

/** The configs issue 12 names, by their golden case; every golden config is compared, these must be among them. */
const REQUIRED = [
  'defaults',
  'ha-embedded-etcd',
  'etcd-deploy',
  'external-database',
  'persistence-off',
  'service-loadbalancer',
  'extra-sans',
  'registry-default',
  'resources',
  'scheduling',
  'rbac-extra-rules',
  'sync-cluster-role',
]

type Obj = Record<string, any>
interface Context {
  values: Obj
  host: string | undefined
}

/** The allowed differences: what, why, and a predicate that matches nothing else. */
const ALLOWED: {why: string; matches: (d: Difference, object: Obj, c: Context) => boolean}[] = [
  {
    why: "helm's client fills in the release namespace the template left out; we write it (decisions: namespaces)",
    matches: (d, o) =>
      d.path === 'metadata.namespace' &&
      d.theirs === undefined &&
      d.ours === NAMESPACE &&
      o.metadata?.namespace === undefined,
  },
  {
    why: "we are not helm: no `heritage: Helm` label, nor in the ServiceMonitor's selector of our Service (decisions: labels on our objects)",
    matches: (d, o) =>
      (d.path.endsWith('metadata.labels.heritage') ||
        (o.kind === 'ServiceMonitor' && d.path === 'spec.selector.matchLabels.heritage')) &&
      d.theirs === 'Helm' &&
      d.ours === undefined,
  },
  {
    why: 'objects the chart leaves unlabelled carry our labels, by which delete finds them (decisions: labels on our objects)',
    matches: (d, o) =>
      /^metadata\.labels(\.(app|chart|release|app\.kubernetes\.io\/managed-by))?$/.test(d.path) &&
      d.theirs === undefined &&
      o.metadata?.labels?.heritage === undefined,
  },
  {
    why: 'helm prints a key with no value as null, which the API server reads as unset; we leave the key out (decisions: null fields)',
    matches: (d) => d.theirs === null && d.ours === undefined,
  },
  {
    why: 'nodePort 0 is the API\'s "allocate one"; we leave it out so apply never claims the allocated port (decisions: null fields)',
    matches: (d, o) =>
      o.kind === 'Service' && /^spec\.ports\[\d+\]\.nodePort$/.test(d.path) && d.theirs === 0 && d.ours === undefined,
  },
  {
    why: 'our own `app.kubernetes.io/managed-by: vcluster-cli` label instead (decisions: labels on our objects)',
    matches: (d) =>
      d.path.endsWith('metadata.labels.app.kubernetes.io/managed-by') &&
      d.ours === 'vcluster-cli' &&
      d.theirs === undefined,
  },
  {
    why: 'the config Secret also stores the user values, for upgrades (decisions: what vc-config-<name> holds)',
    matches: (d, o) => o.kind === 'Secret' && d.path === 'data.user-values.yaml' && d.theirs === undefined,
  },
  {
    why: "the pod hash is over our serialisation of the values, not helm's YAML text (decisions: config hash)",
    matches: (d) =>
      d.path === 'spec.template.metadata.annotations.vClusterConfigHash' &&
      typeof d.ours === 'string' &&
      typeof d.theirs === 'string',
  },
  {
    why: "with no user version we run the Kubernetes tag of the host's minor (decisions: Kubernetes image tag)",
    matches: (d, o, c) => {
      const matched = hostMatched(c)
      if (matched === undefined) return false
      if (o.kind === 'Secret')
        return d.path === 'data.config.yaml.controlPlane.distro.k8s.image.tag' && d.ours === matched
      // The image's tag, with the `-full` suffix private nodes add.
      const retagged = String(d.theirs).replace(
        /:v[^:/-]+(-full)?$/,
        (_, full: string | undefined) => `:${matched}${full ?? ''}`,
      )
      return /^spec\.template\.spec\.initContainers\[\d+\]\.image$/.test(d.path) && d.ours === retagged
    },
  },
]

function hostMatched(c: Context): string | undefined {
  const k8s = c.values.controlPlane?.distro?.k8s ?? {}
  if (isText(k8s.version) || isText(k8s.image?.tag)) return undefined
  return c.host === undefined ? undefined : K8S_TAG_BY_MINOR[minorOf(c.host) ?? '']
}
const isText = (v: unknown): boolean => typeof v === 'string' && v !== ''

const keyOf = (o: Obj): string => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`

/**
 * Some chart templates (the PodDisruptionBudget, host manifests) leave metadata.namespace out and helm's client puts
 * the object into the release namespace; such an object pairs with ours there (the namespace rule below allows it).
 */
function helmKey(o: Obj, ours: Map<string, Obj>): string {
  const key = keyOf(o)
  if (o.metadata?.namespace !== undefined || ours.has(key)) return key
  const inRelease = `${o.kind}/${NAMESPACE}/${o.metadata?.name}`
  return ours.has(inRelease) ? inRelease : key
}

/** Both sides as plain data; Secret payloads decoded (config.yaml parsed), since their bytes are serialiser-specific. */
function normalise(o: Obj): Obj {
  const copy = JSON.parse(JSON.stringify(o)) as Obj
  if (copy.kind === 'Secret' && copy.data !== undefined) {
    for (const [key, value] of Object.entries(copy.data as Record<string, string>)) {
      const text = Buffer.from(value, 'base64').toString('utf8')
      copy.data[key] = key.endsWith('.yaml') ? parse(text, {version: '1.1'}) : text
    }
  }
  return copy
}

/** helm's output as its client reads it (go-yaml: YAML 1.1, a repeated key keeps its last value). */
function helmObjects(manifests: string): Obj[] {
  const docs = parseAllDocuments(manifests, {version: '1.1', uniqueKeys: false})
  // The chart's custom-resource rules end a flow list with `]# Takes part before "/"` (a template comment that lost
  // its space); libyaml, hence go-yaml, reads a `#` there as a comment, the `yaml` package flags it and reads the same.
  const glued = (message: string): boolean => message.startsWith('Comments must be separated from other tokens')
  const errors = docs.flatMap((doc) => doc.errors.map((e) => e.message).filter((m) => !glued(m)))
  if (errors.length > 0) throw new Error(`helm's manifests do not parse: ${errors.join('; ')}`)
  return docs.map((doc) => doc.toJS() as Obj | null).filter((o): o is Obj => o !== null && typeof o === 'object')
}

interface Outcome {
  compared: number
  differences: string[]
  /** Per allowed difference, where it was seen (kind and path) and how often. */
  allowed: Map<string, Map<string, number>>
}

function compare(ours: KubeObject[], theirs: Obj[], c: Context, outcome: Outcome, label: string): void {
  const mine = new Map(ours.map((o) => [keyOf(o), normalise(o)]))
  const helm = new Map(theirs.map((o) => [helmKey(o, mine), normalise(o)]))
  for (const key of new Set([...helm.keys(), ...mine.keys()])) {
    const a = mine.get(key)
    const b = helm.get(key)
    if (a === undefined || b === undefined) {
      outcome.differences.push(`${label} ${key}: only ${a === undefined ? 'helm' : 'ours'} renders it`)
      continue
    }
    outcome.compared++
    for (const d of deepDiff(a, b)) {
      const rule = ALLOWED.find((r) => r.matches(d, b, c))
      if (rule !== undefined) {
        const paths = outcome.allowed.get(rule.why) ?? new Map<string, number>()
        const where = `${b.kind} ${d.path.replace(/\[\d+\]/g, '[]')}`
        outcome.allowed.set(rule.why, paths.set(where, (paths.get(where) ?? 0) + 1))
      } else
        outcome.differences.push(
          `${label} ${key} ${d.path}: ours ${JSON.stringify(d.ours)}, helm ${JSON.stringify(d.theirs)}`,
        )
    }
  }
}

/** One line per distinct difference (config and host left out), with how often and where it was first seen. */
function grouped(differences: string[]): string {
  const groups = new Map<string, string[]>()
  for (const line of differences) {
    const [, label = '', rest = line] = /^(\[[^\]]*\]) (.*)$/s.exec(line) ?? []
    groups.set(rest, [...(groups.get(rest) ?? []), label])
  }
  return [...groups].map(([rest, labels]) => `${rest}  (${labels.length}×, e.g. ${labels[0]})`).join('\n')
}

describe("the manifests equal the release chart's, field by field", () => {
  let oracle: Oracle
  beforeAll(() => {
    oracle = startOracle(upstreamDir)
  })
  afterAll(async () => {
    await oracle.close()
  })

  it('for every golden config and the extra ones, without a host version and on 1.32 and 1.33 hosts', async () => {
    expect(GOLDEN_VALUES.map((g) => g.name)).toEqual(expect.arrayContaining(REQUIRED))
    const outcome: Outcome = {compared: 0, differences: [], allowed: new Map()}
    const configs: {name: string; values: string; host?: string}[] = [...GOLDEN_VALUES, ...EXTRA_CHART_CONFIGS]
    const cases = configs.flatMap((g) => [...new Set([...HOSTS, g.host])].map((host) => ({g, host})))
    await Promise.all(
      cases.map(async ({g, host}) => {
        const label = `[${g.name}, host ${host ?? 'none'}]`
        const values = (parse(g.values) ?? {}) as Obj
        const answer = await oracle.install({
          name: NAME,
          namespace: NAMESPACE,
          values: g.values,
          kubeVersion: host ?? '',
        })
        if (answer.manifests === undefined)
          return void outcome.differences.push(`${label} helm refused: ${answer.error}`)
        const {config} = resolveValues(structuredClone(values))
        const ours = renderManifests({
          name: NAME,
          namespace: NAMESPACE,
          config,
          values,
          ...(host !== undefined ? {hostVersion: host} : {}),
        })
        compare(ours, helmObjects(answer.manifests), {values, host}, outcome, label)
      }),
    )
    const allowed = [...outcome.allowed]
      .map(([why, paths]) => `  ${why}:\n${[...paths].map(([where, n]) => `    ${n} × ${where}`).join('\n')}`)
      .join('\n')
    console.log(
      `chart: ${cases.length} configs × hosts, ${outcome.compared} objects compared, ${outcome.differences.length} differences\nallowed:\n${allowed}`,
    )
    expect(outcome.differences, grouped(outcome.differences)).toEqual([])
    expect(outcome.compared).toBeGreaterThan(cases.length * 5)
  })

  it('the comparison can fail: a changed field, a missing object and an extra label are all reported', () => {
    const values = {}
    const {config} = resolveValues(values)
    const ours = renderManifests({name: NAME, namespace: NAMESPACE, config, values})
    const theirs = JSON.parse(JSON.stringify(ours)) as Obj[]
    const last = theirs[theirs.length - 1] as Obj
    last.spec.replicas = 7
    last.metadata.labels.extra = 'x'
    theirs.push({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x', namespace: NAMESPACE}})
    const outcome: Outcome = {compared: 0, differences: [], allowed: new Map()}
    compare(ours, theirs, {values, host: undefined}, outcome, '[control]')
    expect(outcome.differences).toEqual([
      expect.stringContaining('metadata.labels.extra: ours undefined, helm "x"'),
      expect.stringContaining('spec.replicas: ours 1, helm 7'),
      expect.stringContaining('ConfigMap/team-a/x: only helm renders it'),
    ])
  })
})
