/**
 * Hostile config input (issue 8): property-based tests that feed loadConfig malformed YAML, wrong types at every
 * schema leaf, unknown keys, huge and deeply nested documents, alias bombs, binary garbage and invalid UTF-8.
 * Every case must either resolve (only generated-valid documents may) or throw InvalidConfigError (exit code 2)
 * whose problems are each positioned at v.yaml:line:col with a message; any other exception fails the case.
 *
 * Seeded and reproducible: HOSTILE_SEED overrides the seed; fast-check prints seed and path of any failure.
 */
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {InvalidConfigError} from '../../../src/lib/errors.js'
import {loadConfig} from '../../../src/lib/config/load.js'
import {configSchema} from '../../../src/lib/config/schema/index.js'

const SEED = Number(process.env.HOSTILE_SEED ?? 20_240_808)
/** Scales every run count (e.g. HOSTILE_SCALE=10 for a long soak). */
const SCALE = Number(process.env.HOSTILE_SCALE ?? 1)
const runs = (n: number) => Math.max(1, Math.round(n * SCALE))

let casesRun = 0

type Outcome = {kind: 'resolved'; values: Record<string, unknown>} | {kind: 'invalid'; error: InvalidConfigError}

/** Loads text as v.yaml and checks the contract: resolve, or InvalidConfigError with positioned problems. */
async function load(text: string): Promise<Outcome> {
  casesRun++
  let outcome: Outcome
  try {
    const {values} = await loadConfig({files: ['v.yaml'], readFile: async () => text})
    outcome = {kind: 'resolved', values}
  } catch (error) {
    if (!(error instanceof InvalidConfigError))
      throw new Error(`expected InvalidConfigError, got ${String((error as Error)?.stack ?? error)}`)
    expect(error.exitCode).toBe(2)
    const errors = error.problems.filter((p) => p.severity === 'error')
    expect(errors.length).toBeGreaterThan(0)
    for (const p of error.problems) {
      expect(p.source, JSON.stringify(p)).toBe('v.yaml')
      expect(Number.isInteger(p.line) && (p.line as number) >= 1, JSON.stringify(p)).toBe(true)
      expect(Number.isInteger(p.col) && (p.col as number) >= 1, JSON.stringify(p)).toBe(true)
      expect(p.message.trim(), JSON.stringify(p)).not.toBe('')
    }
    expect(error.message).toMatch(/^\d+ problems? in the vCluster config:\nv\.yaml:\d+:\d+: /)
    outcome = {kind: 'invalid', error}
  }
  return outcome
}

async function mustFail(text: string): Promise<InvalidConfigError> {
  const outcome = await load(text)
  if (outcome.kind !== 'invalid') throw new Error(`expected the config to be refused:\n${text.slice(0, 500)}`)
  return outcome.error
}

async function mustResolve(text: string): Promise<Record<string, unknown>> {
  const outcome = await load(text)
  if (outcome.kind !== 'resolved')
    throw new Error(
      `expected a valid config, got:\n${outcome.error.message.slice(0, 1000)}\n---\n${text.slice(0, 500)}`,
    )
  return outcome.values
}

/** One property, seeded from SEED (each its own offset) so a failure's printed seed and path replay it exactly. */
const check = <T extends [unknown, ...unknown[]]>(
  prop: fc.IAsyncPropertyWithHooks<T>,
  numRuns: number,
  offset: number,
) => fc.assert(prop, {seed: SEED + offset, numRuns: runs(numRuns), endOnFailure: true})

const toYaml = (value: unknown) => stringify(value, {version: '1.1', lineWidth: 0, aliasDuplicateObjects: false})

// ---------------------------------------------------------------------------------------------------------------
// The schema, walked: every leaf with the JSON types it accepts, every closed object.

interface SchemaNode {
  type?: string | string[]
  properties?: Record<string, SchemaNode>
  additionalProperties?: boolean | SchemaNode
  anyOf?: SchemaNode[]
  oneOf?: SchemaNode[]
  const?: unknown
  enum?: unknown[]
  allOf?: SchemaNode[]
  not?: unknown
}

interface Leaf {
  path: string[]
  types: Set<string>
}

const jsonType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v

/** The JSON types a schema node accepts, or undefined when it accepts anything. */
function acceptedTypes(node: SchemaNode): Set<string> | undefined {
  if (node.type !== undefined) return new Set(Array.isArray(node.type) ? node.type : [node.type])
  const branches = node.anyOf ?? node.oneOf
  if (branches !== undefined) {
    const all = new Set<string>()
    for (const b of branches) {
      const t = acceptedTypes(b)
      if (t === undefined) return undefined
      for (const x of t) all.add(x)
    }
    return all
  }
  if (node.const !== undefined) return new Set([jsonType(node.const)])
  if (node.enum !== undefined) return new Set(node.enum.map(jsonType))
  // Our refinements may type what upstream's schema leaves open (e.g. int-or-string ports).
  for (const part of node.allOf ?? []) {
    const types = acceptedTypes(part)
    if (types !== undefined) return types
  }
  return undefined
}

const leaves: Leaf[] = []
const closedObjects: {path: string[]; keys: Set<string>}[] = []
;(function walk(node: SchemaNode, path: string[]) {
  // A key removed upstream keeps its old shape but refuses any value: unknown keys inside it are not reported.
  if (node.allOf?.some((part) => part.not !== undefined)) return
  if (node.properties !== undefined && node.anyOf === undefined && node.oneOf === undefined) {
    if (node.additionalProperties === false) closedObjects.push({path, keys: new Set(Object.keys(node.properties))})
    for (const [key, child] of Object.entries(node.properties)) walk(child, [...path, key])
    return
  }
  const types = acceptedTypes(node)
  if (types !== undefined && path.length > 0) leaves.push({path, types})
})(configSchema as unknown as SchemaNode, [])

/** A value of each JSON type; a leaf gets one whose type it does not accept. */
const WRONG_VALUES: {value: unknown; types: string[]}[] = [
  {value: 'hostile', types: ['string']},
  {value: 7, types: ['integer', 'number']},
  {value: 12.5, types: ['number']},
  {value: true, types: ['boolean']},
  {value: ['x', 1], types: ['array']},
  {value: {k: 'v'}, types: ['object']},
]

function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({[key]: inner}), value) as Record<string, unknown>
}

// ---------------------------------------------------------------------------------------------------------------
// Documents known to be valid, used as-is and as seeds for mutations.

const VALID_DOCS = [
  'controlPlane:\n  proxy:\n    extraSANs: [vc.example.com]\n',
  'sync:\n  toHost:\n    pods:\n      enabled: true\n      translateImage: {a: b}\n',
  'controlPlane:\n  statefulSet:\n    labels: {team: a}\n',
  'global: {anything: [1, 2, {x: y}]}\n',
  'telemetry:\n  enabled: false\n',
  'sync:\n  fromHost:\n    nodes:\n      enabled: yes\n',
  'controlPlane: {}\nsync: {}\n',
  '# only a comment is empty, so not here\ncontrolPlane:\n  proxy: {}\n',
]
// The pinned release's chart values.yaml: a plain helm install stores exactly these values, so they must resolve.
const UPSTREAM_DEFAULTS = readFileSync(
  resolve(import.meta.dirname, '../../../src/lib/config/release/values.yaml'),
  'utf8',
)

// ---------------------------------------------------------------------------------------------------------------

describe('hostile config input (property-based)', () => {
  it('walks the schema to a useful number of leaves and closed objects', () => {
    expect(leaves.length).toBeGreaterThan(100)
    expect(closedObjects.length).toBeGreaterThan(20)
  })

  it('resolves the known-valid documents', async () => {
    for (const doc of VALID_DOCS) await mustResolve(doc)
    await load(UPSTREAM_DEFAULTS)
  })

  it('refuses a value of the wrong type at every schema leaf, positioned at it', async () => {
    const arb = fc.record({leaf: fc.constantFrom(...leaves), pick: fc.nat()})
    await check(
      fc.asyncProperty(arb, async ({leaf, pick}) => {
        const wrong = WRONG_VALUES.filter(
          (w) => !w.types.some((t) => leaf.types.has(t) || (t === 'integer' && leaf.types.has('number'))),
        )
        fc.pre(wrong.length > 0)
        const value = (wrong[pick % wrong.length] as (typeof WRONG_VALUES)[number]).value
        const text = toYaml(nest(leaf.path, value))
        const error = await mustFail(text)
        // The problem lands on the leaf's own line (the last key of the nested document), or on a rule about it.
        const leafLine = leaf.path.length
        expect(
          error.problems.some(
            (p) => p.line === leafLine || p.line === leafLine + 1 || p.path.startsWith(leaf.path[0] as string),
          ),
        ).toBe(true)
      }),
      2_000,
      1,
    )
    // And every leaf at least once, in order, so no schema path is left to chance.
    for (const leaf of leaves) {
      const wrong = WRONG_VALUES.find(
        (w) => !w.types.some((t) => leaf.types.has(t) || (t === 'integer' && leaf.types.has('number'))),
      )
      if (wrong !== undefined) await mustFail(toYaml(nest(leaf.path, wrong.value)))
    }
  })

  it('refuses unknown keys at random depths, each at its own line and column', async () => {
    const keyArb = fc.stringMatching(/^[a-z][a-zA-Z0-9_-]{0,15}$/)
    await check(
      fc.asyncProperty(
        fc.constantFrom(...closedObjects),
        keyArb,
        fc.jsonValue({maxDepth: 2}),
        async (obj, raw, value) => {
          const key = `zz${raw}`
          fc.pre(!obj.keys.has(key))
          const text = toYaml(nest([...obj.path, key], value ?? 'x'))
          const error = await mustFail(text)
          const expected = [...obj.path, key].join('.')
          const hit = error.problems.find((p) => p.path === expected)
          expect(hit, error.message).toBeDefined()
          expect(hit?.line).toBe(obj.path.length + 1)
          expect(hit?.col).toBe(obj.path.length * 2 + 1)
        },
      ),
      1_500,
      2,
    )
  })

  it('never crashes on malformed YAML built from YAML syntax fragments', async () => {
    const fragment = fc.constantFrom(
      ':',
      ': ',
      '-',
      '- ',
      '[',
      ']',
      '{',
      '}',
      ',',
      '&a ',
      '*a',
      '&b ',
      '*b',
      '!!str ',
      '!!map ',
      '!!binary ',
      '!x ',
      '"',
      "'",
      '\\',
      '\n',
      '\n  ',
      '\n    ',
      '  ',
      '\t',
      '#',
      '|',
      '>',
      '|-',
      '? ',
      '%YAML 1.1\n',
      '%TAG ! !x\n',
      '---\n',
      '...\n',
      '<<: ',
      '@',
      '`',
      'controlPlane',
      'sync',
      'proxy',
      'extraSANs',
      'toHost',
      'pods',
      'enabled',
      'true',
      'no',
      '0x1F',
      '1e400',
      '~',
      'null',
      '__proto__',
      'constructor',
      '\u0000',
      '\uFEFF',
      '\uFFFD',
      '\u2028',
      '\r',
      '\r\n',
    )
    await check(
      fc.asyncProperty(fc.array(fragment, {minLength: 1, maxLength: 40}), async (parts) => {
        await load(parts.join(''))
      }),
      3_000,
      3,
    )
  })

  it('never crashes on mutations of valid documents', async () => {
    const edit = fc.record({at: fc.nat(), cut: fc.nat({max: 4}), insert: fc.string({maxLength: 6, unit: 'binary'})})
    await check(
      fc.asyncProperty(
        fc.constantFrom(...VALID_DOCS),
        fc.array(edit, {minLength: 1, maxLength: 5}),
        async (doc, edits) => {
          let text = doc
          for (const e of edits) {
            const at = e.at % (text.length + 1)
            text = text.slice(0, at) + e.insert + text.slice(at + e.cut)
          }
          await load(text)
        },
      ),
      2_000,
      4,
    )
  })

  it('resolves random valid content under the free-form keys and refuses it anywhere closed', async () => {
    await check(
      fc.asyncProperty(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.jsonValue({maxDepth: 3}), {minKeys: 1, maxKeys: 8}),
        async (dict) => {
          const text = toYaml({global: dict})
          // `__proto__` is refused as a key anywhere (see yaml-source.ts), so it is the one key not valid under global.
          if (text.includes('__proto__')) await mustFail(text)
          else await mustResolve(text)
          await mustFail(toYaml({controlPlane: {proxy: {zzUnknown: dict}}}))
        },
      ),
      300,
      5,
    )
  })

  it('bounds deeply nested documents: refused with a position past the limit, never a stack overflow', async () => {
    const shape = fc.constantFrom('flow-seq', 'flow-map', 'block-map', 'block-seq')
    await check(
      fc.asyncProperty(shape, fc.integer({min: 1, max: 4_000}), fc.boolean(), async (kind, depth, underGlobal) => {
        const inner =
          kind === 'flow-seq'
            ? `${'['.repeat(depth)}${']'.repeat(depth)}`
            : kind === 'flow-map'
              ? `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`
              : kind === 'block-map'
                ? `${Array.from({length: Math.min(depth, 1500)}, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n')} 1`
                : `${Array.from({length: Math.min(depth, 1500)}, (_, i) => `${' '.repeat(i * 2 + 2)}-`).join('\n')} 1`
        const text = kind.startsWith('flow')
          ? `${underGlobal ? 'global' : 'controlPlane'}: ${inner}\n`
          : `${underGlobal ? 'global' : 'controlPlane'}:\n${inner}\n`
        const outcome = await load(text)
        if (depth > 70) expect(outcome.kind).toBe('invalid')
      }),
      200,
      6,
    )
  })

  it('refuses YAML alias bombs (billion laughs) without expanding them', async () => {
    await check(
      fc.asyncProperty(
        fc.integer({min: 2, max: 12}),
        fc.integer({min: 2, max: 12}),
        fc.boolean(),
        async (levels, width, maps) => {
          const lines = [`  l0: &l0 ${maps ? '{v: lol}' : '[lol]'}`]
          for (let i = 1; i < levels; i++) {
            const refs = Array.from({length: width}, (_, j) => (maps ? `k${j}: *l${i - 1}` : `*l${i - 1}`)).join(', ')
            lines.push(`  l${i}: &l${i} ${maps ? `{${refs}}` : `[${refs}]`}`)
          }
          const text = `global:\n${lines.join('\n')}\n`
          const outcome = await load(text)
          // Alias uses grow as width^levels; far past the 100-alias cap the bomb must be refused.
          if (width ** (levels - 1) > 10_000) expect(outcome.kind).toBe('invalid')
          if (outcome.kind === 'invalid') expect(outcome.error.problems[0]?.line).toBeGreaterThanOrEqual(1)
        },
      ),
      300,
      7,
    )
  })

  it('never crashes on binary garbage, decoded as UTF-8 and as Latin-1', async () => {
    await check(
      fc.asyncProperty(fc.uint8Array({maxLength: 512}), fc.boolean(), async (bytes, latin1) => {
        const text = new TextDecoder(latin1 ? 'latin1' : 'utf-8').decode(bytes)
        await load(text)
      }),
      1_000,
      8,
    )
  })

  it('never crashes on valid documents corrupted with invalid UTF-8 sequences', async () => {
    const bad = fc.constantFrom(
      [0xff],
      [0xfe],
      [0xc3],
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0x80],
      [0xef, 0xbb],
      [0xf0, 0x9f],
      [0x00],
    )
    await check(
      fc.asyncProperty(
        fc.constantFrom(...VALID_DOCS),
        fc.array(fc.tuple(fc.nat(), bad), {minLength: 1, maxLength: 4}),
        async (doc, inserts) => {
          const bytes = [...Buffer.from(doc, 'utf8')]
          for (const [at, seq] of inserts) bytes.splice(at % (bytes.length + 1), 0, ...seq)
          await load(new TextDecoder('utf-8').decode(Buffer.from(bytes)))
        },
      ),
      1_000,
      9,
    )
  })

  // At the largest size once per shape: size, not variety, is the point here. Speed on huge documents is the
  // benchmark's to measure (bench/); this checks that nothing is lost or misplaced at size.
  const HUGE = 20_000
  it('refuses a huge document of unknown keys, each problem at its own line', async () => {
    const error = await mustFail(Array.from({length: HUGE}, (_, i) => `key${i}: ${i}`).join('\n'))
    expect(error.problems.map((p) => `${p.line}:${p.path}`)).toEqual(
      Array.from({length: HUGE}, (_, i) => `${i + 1}:key${i}`),
    )
  })

  it('resolves huge free-form content and a huge string, every value kept', async () => {
    const many = await mustResolve(
      `global:\n${Array.from({length: HUGE}, (_, i) => `  key${i}: [${i}, x]`).join('\n')}\n`,
    )
    expect(Object.keys(many.global as object)).toHaveLength(HUGE)
    expect((many.global as Record<string, unknown>)[`key${HUGE - 1}`]).toEqual([HUGE - 1, 'x'])
    const long = await mustResolve(
      `global: ${'x'.repeat(HUGE * 100)}\ncontrolPlane:\n  proxy:\n    extraSANs: [${'a'.repeat(60)}.example.com]\n`,
    )
    expect(long.global).toHaveLength(HUGE * 100)
  })

  it('refuses the bad items of a huge list, each at its own line', async () => {
    const items = Array.from({length: HUGE}, (_, i) =>
      i % 97 === 0 ? '      - {bad: 1}' : `      - h${i}.example.com`,
    )
    const error = await mustFail(`controlPlane:\n  proxy:\n    extraSANs:\n${items.join('\n')}\n`)
    const bad = Array.from({length: Math.ceil(HUGE / 97)}, (_, k) => k * 97)
    expect(error.problems.map((p) => `${p.line}:${p.path}`)).toEqual(
      bad.map((i) => `${i + 4}:controlPlane.proxy.extraSANs[${i}]`),
    )
  })

  it('ran at least 10,000 cases in total', () => {
    expect(casesRun).toBeGreaterThanOrEqual(runs(10_000))
    console.log(`hostile config input: ${casesRun} cases, seed ${SEED}`)
  })
})
