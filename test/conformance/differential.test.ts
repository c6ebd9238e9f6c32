// Differential: on generated and mutated configs our verdict (loadConfig: InvalidConfigError or not) must equal what
// a user of the pinned upstream release meets (helm's install dry run of the release's chart: values coalesced and
// checked against values.schema.json, templates and their `fail`s; then the start-up parse of the rendered
// config.yaml). The only accepted disagreements are the documented cases where we are stricter (STRICTER below,
// docs/decisions.md "Stricter than upstream"). Also: the release's own values files pass our `validate`.
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {InvalidConfigError, type ConfigProblem} from '../../src/lib/errors.js'
import {loadConfig} from '../../src/lib/config/load.js'
import {toYamlText} from '../../src/lib/manifests/yaml-emit.js'
import {RULE_CASES} from '../lib/config/rule-cases.js'
import {startOracle, type Oracle, type OracleAnswer} from '../upstream/oracle.js'
import {SEED, configArb, draw, effective, leafPaths, schemaPaths, setIn, valueArb, type SchemaPath} from './generate.js'

const upstreamDir = inject('upstreamDir')
const root = join(import.meta.dirname, '../..')
const NAME = 'my-vc'
const NAMESPACE = 'team-a'
const SCALE = Number(process.env.CONFORMANCE_SCALE ?? 1)
const n = (count: number) => Math.max(1, Math.round(count * SCALE))

/**
 * Where we refuse on purpose what upstream lets through (docs/decisions.md "Stricter than upstream"): a
 * disagreement is documented when every error we report is at one of these paths.
 */
export const STRICTER: {path: RegExp; message?: RegExp; why: string}[] = [
  {path: /^controlPlane\.proxy\.extraSANs\[\d+\]$/, why: 'extraSANs must be DNS names or IPs'},
  {
    path: /^exportKubeConfig\.(server|additionalSecrets\[\d+\]\.server)$/,
    why: 'kubeconfig servers must be http(s) URLs with a host',
  },
  {
    path: /^experimental\.proxy\.customResources\./,
    why: "proxy entries are checked as upstream's `vcluster create` checks them",
  },
  {
    path: /./,
    message: /^must be one of /,
    why: 'our schema allows only the values Kubernetes or the syncer knows (imagePullPolicy, dnsPolicy, ..., true/false/auto switches)',
  },
  {
    path: /^controlPlane\.statefulSet\.persistence\.volumeClaim\.size$/,
    message: /plain YAML/,
    why: 'checked whether or not persistence is on',
  },
  {
    path: /./,
    message: /^must be an integer or a string, got /,
    why: 'int-or-string Kubernetes fields (PDB minAvailable/maxUnavailable, ports) that the release leaves untyped',
  },
]

interface Case {
  kind: string
  label: string
  /** The vcluster.yaml as the user writes it. */
  yaml: string
}

interface Outcome {
  c: Case
  ours: ConfigProblem[] | 'accepted'
  upstream: OracleAnswer
}

async function ours(yaml: string): Promise<ConfigProblem[] | 'accepted'> {
  try {
    await loadConfig({files: ['vcluster.yaml'], readFile: async () => yaml})
    return 'accepted'
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.problems.filter((p) => p.severity === 'error')
    throw error
  }
}

const documented = (problems: ConfigProblem[]) =>
  problems.length > 0 &&
  problems.every((p) =>
    STRICTER.some((s) => s.path.test(p.path) && (s.message === undefined || s.message.test(p.message))),
  )

function show(o: Outcome): string {
  const ourVerdict =
    o.ours === 'accepted' ? 'accepted' : `refused:\n${o.ours.map((p) => `    ${p.path}: ${p.message}`).join('\n')}`
  const theirs = o.upstream.ok
    ? 'accepted'
    : `refused at ${o.upstream.stage}: ${(o.upstream.error ?? '').replaceAll('\n', ' ').slice(0, 400)}`
  return `--- [${o.c.kind}] ${o.c.label}\n${o.c.yaml.trimEnd().replace(/^/gm, '    | ')}\n  ours:     ${ourVerdict}\n  upstream: ${theirs}`
}

const counts = {run: 0, agree: 0, documented: 0, disagree: 0}

describe('differential: our verdict is upstream verdict', () => {
  let oracle: Oracle
  beforeAll(() => {
    oracle = startOracle(upstreamDir)
    console.log(`seed ${SEED} (replay: FC_SEED=${SEED})`)
  })
  afterAll(async () => {
    await oracle.close()
    console.log(
      `differential total: ${counts.run} cases, ${counts.agree} agree, ${counts.documented} documented stricter, ${counts.disagree} disagree`,
    )
  })

  async function compare(cases: Case[]): Promise<void> {
    const outcomes = await Promise.all(
      cases.map(
        async (c): Promise<Outcome> => ({
          c,
          ours: await ours(c.yaml),
          upstream: await oracle.install({name: NAME, namespace: NAMESPACE, values: c.yaml, kubeVersion: ''}),
        }),
      ),
    )
    const disagreements: Outcome[] = []
    let stricter = 0
    for (const o of outcomes) {
      const weRefuse = o.ours !== 'accepted'
      if (weRefuse === !o.upstream.ok) continue
      if (weRefuse && documented(o.ours as ConfigProblem[])) stricter++
      else disagreements.push(o)
    }
    counts.run += outcomes.length
    counts.agree += outcomes.length - stricter - disagreements.length
    counts.documented += stricter
    counts.disagree += disagreements.length
    const kind = cases[0]?.kind ?? '?'
    const refusedUpstream = outcomes.filter((o) => !o.upstream.ok).length
    console.log(
      `${kind}: ${outcomes.length} cases (${refusedUpstream} refused upstream), ${outcomes.length - stricter - disagreements.length} agree, ${stricter} documented stricter, ${disagreements.length} disagree`,
    )
    expect(
      disagreements.length,
      `seed ${SEED}\n${disagreements.slice(0, 25).map(show).join('\n')}\n(${disagreements.length} disagreements)`,
    ).toBe(0)
  }

  const yamlOf = (values: Record<string, unknown>) => toYamlText(values)
  const one = (path: readonly string[], value: unknown) => {
    const values: Record<string, unknown> = {}
    setIn(values, path, value)
    return values
  }

  it('valid generated configs', async () => {
    const cases = draw(configArb(), n(250), SEED + 11).map((values, i) => ({
      kind: 'generated',
      label: `#${i}`,
      yaml: yamlOf(values),
    }))
    await compare(cases)
  })

  it('wrong types at schema leaves', async () => {
    const leaves = leafPaths()
    const picks = draw(
      fc.tuple(fc.constantFrom(...leaves), fc.constantFrom<unknown>('text', 7, 2.5, true, ['x'], {k: 'v'})),
      n(150),
      SEED + 12,
    )
    const cases = picks
      .filter(([leaf, value]) => !accepts(leaf, value))
      .map(([leaf, value]) => ({
        kind: 'wrong type',
        label: `${leaf.path.join('.')} = ${JSON.stringify(value)}`,
        yaml: yamlOf(one(leaf.path, value)),
      }))
    await compare(cases)
  })

  it('unknown keys at every depth, and keys in another case', async () => {
    const closed = schemaPaths().filter((p) => {
      const node = effective(p.node)
      return node.properties !== undefined && node.additionalProperties === false
    })
    const picks = draw(fc.tuple(fc.constantFrom(...closed), fc.nat()), n(100), SEED + 13)
    const cases = picks.map(([p, k]) => {
      const keys = Object.keys(effective(p.node).properties ?? {})
      const real = keys[k % keys.length] as string
      const key = k % 2 === 0 ? 'notAKey' : real.charAt(0).toUpperCase() + real.slice(1)
      return {
        kind: 'unknown key',
        label: `${p.path.join('.')}.${key}`,
        yaml: yamlOf(one([...p.path, key], k % 3 === 0 ? {} : 'x')),
      }
    })
    cases.push({kind: 'unknown key', label: 'top level', yaml: 'notAKey: 1\n'})
    await compare(cases)
  })

  it('values outside an enum', async () => {
    const withEnum = leafPaths().filter((l) => effective(l.node).enum !== undefined)
    expect(withEnum.length).toBeGreaterThan(0)
    const cases = withEnum.map((leaf) => ({
      kind: 'enum',
      label: leaf.path.join('.'),
      yaml: yamlOf(one(leaf.path, 'NotAnOption')),
    }))
    await compare(cases)
  })

  it('null at schema paths (helm drops it, with the default)', async () => {
    const cases = draw(fc.constantFrom(...schemaPaths()), n(60), SEED + 14).map((p) => ({
      kind: 'null',
      label: p.path.join('.'),
      yaml: yamlOf(one(p.path, null)),
    }))
    await compare(cases)
  })

  it('each rule breaker, and its fixed config', async () => {
    const cases = RULE_CASES.flatMap((r) => [
      {kind: 'rule', label: `${r.group}: ${r.what} (broken)`, yaml: r.bad},
      {kind: 'rule', label: `${r.group}: ${r.what} (fixed)`, yaml: r.good},
    ])
    await compare(cases)
  })

  it('YAML 1.1 scalars and keys, written plain', async () => {
    await compare(dialectCases())
  })
})

/** Whether a value's JSON type is one a leaf's schema takes (a "wrong type" case must not be right). */
function accepts(leaf: SchemaPath, value: unknown): boolean {
  const sample = draw(valueArb(leaf.node), 30, 1)
  const type = (v: unknown) =>
    Array.isArray(v)
      ? 'array'
      : v === null
        ? 'null'
        : typeof v === 'number'
          ? Number.isInteger(v)
            ? 'integer'
            : 'number'
          : typeof v
  const types = new Set(sample.map(type))
  if (types.has('number')) types.add('integer')
  return types.has(type(value)) || (type(value) === 'integer' && types.has('number'))
}

/** Plain scalars a YAML 1.1 reader and a YAML 1.2 reader read differently, in boolean, integer and string fields and as keys. */
function dialectCases(): Case[] {
  const scalars = [
    'y',
    'Y',
    'yes',
    'On',
    'NO',
    'n',
    'off',
    'TRUE',
    'True',
    '1_0',
    '0b10',
    '0x2',
    '010',
    '0o10',
    '1:20',
    '1e1',
    '1.0',
    '2.5',
    '.inf',
    '~',
    'Null',
    '2001-12-14',
    '<<',
    '=',
    '"yes"',
    "'1'",
  ]
  const fields: [string, (s: string) => string][] = [
    ['boolean', (s) => `sync:\n  fromHost:\n    nodes:\n      enabled: ${s}\n`],
    ['integer', (s) => `controlPlane:\n  statefulSet:\n    highAvailability:\n      replicas: ${s}\n`],
    ['string', (s) => `controlPlane:\n  statefulSet:\n    labels:\n      team: ${s}\n`],
    ['key', (s) => `controlPlane:\n  statefulSet:\n    labels:\n      ${s}: a\n`],
  ]
  return fields.flatMap(([field, yaml]) =>
    scalars.map((s) => ({kind: 'yaml dialect', label: `${field} ${s}`, yaml: yaml(s)})),
  )
}

describe("the release's own values files", () => {
  const moduleDir = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/loft-sh/vcluster'], {
    cwd: join(root, 'test/upstream'),
    encoding: 'utf8',
  }).trim()
  // What `vcluster validate -f FILE` runs (src/commands/validate.ts calls loadConfig and reports its problems).
  it.each([join(moduleDir, 'config/values.yaml'), join(upstreamDir, 'chart/values.yaml')])(
    '%s passes validate',
    async (file) => {
      const problems = await ours(readFileSync(file, 'utf8'))
      expect(problems === 'accepted' ? [] : problems.map((p) => `${p.path}: ${p.message}`)).toEqual([])
    },
  )
})
