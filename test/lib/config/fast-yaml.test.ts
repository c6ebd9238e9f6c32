/**
 * The fast YAML path against the full parser: on every document it accepts, values (types included) and every key
 * and value position must equal what the `yaml` package gives; whatever it declines, the full parser handles.
 * Documents are generated in and around the subset it reads (tricky scalars, keys, indentation, comments, flow
 * sequences) and then mutated, so both sides of its boundary are exercised. Seeded: FAST_YAML_SEED overrides.
 */
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'
import {isDeepStrictEqual} from 'node:util'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parseSimpleYaml} from '../../../src/lib/config/fast-yaml.js'
import {parseYamlDocument, parseYamlSource, type ParsedSource} from '../../../src/lib/config/yaml-source.js'

const SEED = Number(process.env.FAST_YAML_SEED ?? 20_261_123)

// Raw source text of a value, as written after `key: ` or `- `: mostly what configs hold, some of everything else.
const COMMON = [
  'x',
  'hello world',
  '',
  '~',
  'null',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'true',
  'False',
  '0',
  '7',
  '-3',
  '0755',
  '08',
  '0x1F',
  '1_000',
  '1:30',
  '1.5',
  '-.5',
  '1e3',
  '10Gi',
  '500m',
  'v1.33.0',
  'a#b',
  'a # comment',
  'http://x:8080/p',
  '-1',
  '-x',
  '[]',
  '{}',
  '[a, b]',
  '["x", y]',
  "['a', 1, ~]",
  "'q''s'",
  "'it''s' # c",
  '"dq"',
  '"a # b"',
  '<<',
  'x,y',
  'a[0]',
  'a{b}',
  'registry.k8s.io/pause:3.10',
  '--flag=value',
  'a=b',
]
const TRICKY = [
  // .inf/.nan and null keys are refused (helm reads values as JSON), so they leave the fast path: rare here.
  '.inf',
  '.nan',
  '0o17',
  '+4',
  '0b101',
  '190:20:30',
  '-.Inf',
  '6.8523015e+5',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  'a: b',
  'a:',
  '-',
  '- a',
  '[a,b,]',
  '[ ]',
  '[a: b]',
  '[[a]]',
  '{a: 1}',
  "'a",
  '"a\\"b"',
  '"x" y',
  '&a x',
  '*a',
  '!tag x',
  '!!str 1',
  '|',
  '>',
  '|-',
  '?x',
  ':x',
  '::1',
  '@x',
  '`x',
  '%x',
  ',x',
  'x ',
  'é',
  'a\tb',
  '"',
  "'",
  '#',
  ' # only comment',
  '[-]',
  '[a, -]',
]
const SCALARS = fc.oneof(
  {weight: 25, arbitrary: fc.constantFrom(...COMMON)},
  {weight: 1, arbitrary: fc.constantFrom(...TRICKY)},
)
const COMMON_KEYS = [
  'a',
  'b',
  'name',
  'value',
  'y',
  'on',
  '1',
  '0755',
  'a.b',
  'app.kubernetes.io/name',
  'key-with-dash',
  'KEY_1',
  'constructor',
  'toString',
  '"quoted"',
  "'single'",
  '"a.b/c"',
]
const TRICKY_KEYS = ['__proto__', 'null', '~', '<<', 'with space', '? x', '-k', 'k:', 'x'.repeat(1030), '"a\\"b"', 'é']
const KEYS = fc.oneof(
  {weight: 30, arbitrary: fc.constantFrom(...COMMON_KEYS)},
  {weight: 1, arbitrary: fc.constantFrom(...TRICKY_KEYS)},
)

type Tree = string | {map: [string, Tree][]} | {seq: Tree[]}

const tree: fc.Arbitrary<Tree> = fc.letrec<{node: Tree}>((tie) => ({
  node: fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    SCALARS,
    // Mostly distinct keys; sometimes a duplicate, which the fast path must leave to the full parser.
    fc.record({
      map: fc.oneof(
        {
          weight: 9,
          arbitrary: fc.uniqueArray(fc.tuple(KEYS, tie('node')), {minLength: 1, maxLength: 4, selector: ([k]) => k}),
        },
        {weight: 1, arbitrary: fc.array(fc.tuple(KEYS, tie('node')), {minLength: 1, maxLength: 4})},
      ),
    }),
    fc.record({seq: fc.array(tie('node'), {minLength: 1, maxLength: 4})}),
  ),
})).node

interface Style {
  step: number
  /** Blanks after `key:` and `-`, and at the end of every line. */
  gap: string
  trailing: string
  compactSeq: boolean
  comments: boolean
  blank: boolean
}

/** Renders a tree as block YAML: nested collections on the following lines, scalars inline. */
function render(node: Tree, indent: number, style: Style, out: string[]): void {
  const pad = ' '.repeat(indent)
  if (typeof node === 'string') throw new Error('scalars are rendered by their parent')
  if ('map' in node) {
    for (const [key, value] of node.map) {
      if (style.comments) out.push(`${pad}# about ${key}`)
      if (typeof value === 'string')
        out.push(value === '' ? `${pad}${key}:${style.trailing}` : `${pad}${key}:${style.gap}${value}${style.trailing}`)
      else {
        out.push(`${pad}${key}:${style.comments ? ' # nested' : ''}`)
        if (style.blank) out.push('')
        render(value, 'seq' in value && style.compactSeq ? indent : indent + style.step, style, out)
      }
    }
    return
  }
  for (const item of node.seq) {
    if (typeof item === 'string') out.push(`${pad}-${style.gap}${item}`)
    else if ('map' in item) {
      const lines: string[] = []
      render(item, indent + 2, style, lines)
      const first = lines.findIndex((l) => !l.trimStart().startsWith('#'))
      lines[first] = `${pad}- ${(lines[first] as string).slice(indent + 2)}`
      out.push(...lines)
    } else {
      out.push(`${pad}-`)
      render(item, indent + style.step, style, out)
    }
  }
}

const styles = fc.record({
  step: fc.integer({min: 1, max: 4}),
  gap: fc.constantFrom(' ', ' ', '  ', '   '),
  trailing: fc.constantFrom('', '', ' ', '  '),
  compactSeq: fc.boolean(),
  comments: fc.boolean(),
  blank: fc.boolean(),
})
const documents = fc
  .tuple(
    fc.record({
      map: fc.uniqueArray(fc.tuple(fc.constantFrom(...COMMON_KEYS.slice(0, 12)), tree), {
        minLength: 1,
        maxLength: 5,
        selector: ([k]) => k,
      }),
    }),
    styles,
  )
  .map(([root, style]) => {
    const out: string[] = []
    render(root, 0, style, out)
    return `${out.join('\n')}\n`
  })

/** A mutation at a random place: a character inserted, a line's indentation changed, a line dropped. */
const mutated = fc
  .tuple(
    documents,
    fc.nat(),
    fc.constantFrom(' ', '  ', ':', '-', '#', '"', "'", '[', '\t', '\r', '&', '*', '!', '|', 'x', '\n'),
    fc.integer({min: 0, max: 3}),
  )
  .map(([text, at, insert, kind]) => {
    const lines = text.split('\n')
    const i = at % lines.length
    if (kind === 0) return text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1))
    if (kind === 1) lines[i] = ` ${lines[i] as string}`
    if (kind === 2) lines[i] = (lines[i] as string).replace(/^ /, '')
    if (kind === 3) lines.splice(i, 1)
    return lines.join('\n')
  })

function sameAsFull(text: string, stats: {fast: number; all: number}): void {
  stats.all++
  const fast = parseSimpleYaml('v.yaml', text)
  if (fast === undefined) return
  stats.fast++
  const full = parseYamlDocument('v.yaml', text)
  expect(full.problems, `the fast path accepted what the full parser refuses:\n${text}`).toEqual([])
  expectSame(fast, full, text)
}

function expectSame(fast: ParsedSource, full: ParsedSource, text: string): void {
  expect(
    isDeepStrictEqual(fast.values, full.values),
    `values differ for:\n${text}\nfast ${JSON.stringify(fast.values)}\nfull ${JSON.stringify(full.values)}`,
  ).toBe(true)
  expect([...fast.keyPositions], `key positions differ for:\n${text}`).toEqual([...full.keyPositions])
  expect([...fast.valuePositions], `value positions differ for:\n${text}`).toEqual([...full.valuePositions])
}

describe('parseSimpleYaml (the fast path) against the full parser', () => {
  it('gives the same values and positions on every generated document it accepts, and accepts most of them', () => {
    const stats = {fast: 0, all: 0}
    fc.assert(
      fc.property(documents, (text) => sameAsFull(text, stats)),
      {seed: SEED, numRuns: 5_000},
    )
    process.stderr.write(`[fast-yaml] the fast path read ${stats.fast} of ${stats.all} generated documents\n`)
    expect(stats.fast / stats.all, `fast path took ${stats.fast} of ${stats.all}`).toBeGreaterThan(0.2)
  })

  it('never disagrees on mutated documents (it declines what it cannot read)', () => {
    const stats = {fast: 0, all: 0}
    fc.assert(
      fc.property(mutated, (text) => sameAsFull(text, stats)),
      {seed: SEED + 1, numRuns: 5_000},
    )
    expect(stats.fast, 'some mutated documents stay in the subset').toBeGreaterThan(100)
  })

  it('reads the release chart values.yaml and a large generated config itself, with the same result', () => {
    const upstream = readFileSync(resolve(import.meta.dirname, '../../../src/lib/config/release/values.yaml'), 'utf8')
    const env = Array.from({length: 300}, (_, i) => `      - name: VAR_${i}\n        value: "value-${i}" # c`).join(
      '\n',
    )
    const large = `controlPlane:\n  statefulSet:\n    env:\n${env}\n  proxy:\n    extraSANs: [a.example.com, 10.0.0.1, "b"]\n`
    for (const text of [upstream, large]) {
      const fast = parseSimpleYaml('v.yaml', text)
      expect(fast, 'the fast path declined a plain config').toBeDefined()
      expectSame(fast as ParsedSource, parseYamlDocument('v.yaml', text), text)
    }
  })

  it('declines what needs the full parser, which then reports it at its line', () => {
    const deep = `a:\n${Array.from({length: 70}, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')}\n`
    const cases = [
      'a: 1\na: 2\n',
      '__proto__:\n  x: 1\n',
      'a: &x 1\nb: *x\n',
      'a:\n\tb: 1\n',
      'a: "x\n  y"\n',
      'a: [1, 2\n',
      deep,
      '',
    ]
    for (const text of cases) expect(parseSimpleYaml('v.yaml', text), text).toBeUndefined()
    expect(parseYamlSource('v.yaml', 'a: 1\na: 2\n').problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual([
      '2:1 duplicate key: "a"',
    ])
    expect(parseYamlSource('v.yaml', '__proto__:\n  x: 1\n').problems[0]?.message).toMatch(/__proto__/)
  })
})
