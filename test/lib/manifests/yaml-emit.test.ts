/**
 * The fast YAML path writes byte for byte what the `yaml` package writes with the same options, and what either writes
 * reads back as the same data in YAML 1.1 and 1.2 (strings stay strings).
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {resolveValues} from '../../../src/lib/config/load.js'
import {isAmbiguousPlain, PACKAGE_OPTIONS, toYamlText} from '../../../src/lib/manifests/yaml-emit.js'

const byPackage = (value: unknown) => stringify(value, PACKAGE_OPTIONS)

describe('toYamlText', () => {
  it('matches the package on the resolved default config', () => {
    const {config} = resolveValues({})
    expect(toYamlText(config)).toBe(byPackage(config))
  })

  it('matches the package on awkward scalars, keys and nesting', () => {
    const value = {
      a: {b: [], c: {}, d: [{x: 1, y: {z: 2}}, {k: {m: 1}}, 'str', [1, 2], {}, []], e: null, f: true},
      strings: [
        'ghcr.io/x:1.0',
        'a:',
        'yes',
        'True',
        'NULL',
        '1.0',
        'a b',
        'x #y',
        '',
        'value + "-0"',
        '~x',
        '-a',
        'a\nb',
        ' lead',
        'trail ',
        "it's",
        '@at',
        'a: b',
        'a  b',
        'a b ',
        'a #b',
        'a#b',
        'a "q"',
        "a 'q'",
        'a (b)',
        'value + "-0"',
        'a:b c',
        'a :b',
        'a\tb',
      ],
      numbers: [0.5, -3, 1e21, -0, Number.MAX_SAFE_INTEGER + 2, Number.NaN],
      'x.y/z': 1,
      '0': 'a',
      'k k': 2,
      true: 'key',
      skipped: undefined,
      onlyUndefined: {x: undefined},
      list: [{first: {nested: [{deep: 'x'}]}, second: [1]}],
    }
    expect(toYamlText(value)).toBe(byPackage(value))
    for (const [k, v] of Object.entries(value)) expect(toYamlText({[k]: v})).toBe(byPackage({[k]: v}))
  })

  it('matches the package on generated data (seeded)', () => {
    const key = fc.oneof(
      fc.constantFrom('a', 'b_c', 'd.e/f', 'true', 'Null', '0', 'x y', '-k', 'ns.example.com/k'),
      fc.string({maxLength: 6}),
    )
    const tricky = fc.string({unit: fc.constantFrom(...'ab1 :#\'"-+()=.,[]{}&*!|>%@`~$/?\t'), maxLength: 10})
    const scalar = fc.oneof(
      fc.string({maxLength: 12}),
      tricky,
      tricky.map((t) => `a${t}`),
      fc.constantFrom('yes', 'on', 'FALSE', 'a:b', 'v1.2.3', '12', '1e3', 'a #b'),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    )
    const {tree} = fc.letrec((tie) => ({
      tree: fc.oneof({depthSize: 'small'}, scalar, tie('map'), tie('list')),
      map: fc.dictionary(key, tie('tree'), {maxKeys: 5}),
      list: fc.array(tie('tree'), {maxLength: 4}),
    }))
    fc.assert(
      fc.property(fc.dictionary(key, tree, {maxKeys: 6}), (value) => toYamlText(value) === byPackage(value)),
      {seed: 7, numRuns: 1500},
    )
  })
})

/** Strings YAML 1.1 (and go-yaml v2, which the syncer reads its config with) resolves to something else. */
const YAML_1_1_TRAPS = [
  'yes',
  'Yes',
  'YES',
  'no',
  'No',
  'on',
  'ON',
  'Off',
  'y',
  'Y',
  'n',
  'N',
  'true',
  'False',
  'yEs',
  '~',
  'null',
  'Null',
  'NULL',
  '',
  '1_000',
  '0b101',
  '0B101',
  '-0b1',
  '0o17',
  '0O17',
  '017',
  '0x1F',
  '0X1f',
  '+12',
  '-3',
  '.5',
  '+.5',
  '1.',
  '1e3',
  '1_0e3',
  '1:20',
  '1:20.5',
  '.inf',
  '-.Inf',
  '.NaN',
  '2001-12-14',
  '2001-1-2',
  '2001-12-14T21:59:43.10Z',
  '2001-12-14 21:59:43.10 -5',
  '<<',
  '=',
]

/** The data the text reads back as, in YAML 1.1 and in YAML 1.2. */
const readBack = (text: string) => [parse(text, {version: '1.1'}) as unknown, parse(text) as unknown]

describe('toYamlText in YAML 1.1 and 1.2', () => {
  it.each(YAML_1_1_TRAPS)('quotes %j as a key and as a value, in maps and lists', (text) => {
    const value = {labels: {[text]: text, plain: text}, list: [text], nested: [{[text]: [text]}]}
    const written = toYamlText(value)
    expect(readBack(written), written).toEqual([value, value])
    expect(isAmbiguousPlain(text)).toBe(true)
  })

  it('leaves ordinary strings plain', () => {
    expect(
      toYamlText({image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1', tag: '3.6.8-0', v: 'v1.33.4', yesterday: 'only'}),
    ).toBe('image: ghcr.io/loft-sh/vcluster-pro:0.36.1\ntag: 3.6.8-0\nv: v1.33.4\nyesterday: only\n')
  })

  it('reads back any JSON-like value unchanged, in both versions (seeded)', () => {
    const trap = fc.constantFrom(...YAML_1_1_TRAPS)
    const numeric = fc.string({unit: fc.constantFrom(...'0123456789_.:-+eEoObBxX'), maxLength: 8})
    const words = fc.string({unit: fc.constantFrom(...'yesnoNOtrulfYESa~<=. '), maxLength: 5})
    const text = fc.oneof(
      trap,
      numeric,
      numeric.map((t) => `${t}1`),
      words,
      fc.string({maxLength: 10}),
    )
    const {tree} = fc.letrec((tie) => ({
      tree: fc.oneof(
        {depthSize: 'small'},
        text,
        fc.integer(),
        fc.double({noNaN: true, noDefaultInfinity: true}),
        fc.boolean(),
        fc.constant(null),
        tie('map'),
        tie('list'),
      ),
      map: fc.dictionary(text, tie('tree'), {maxKeys: 5}),
      list: fc.array(tie('tree'), {maxLength: 4}),
    }))
    const value = fc.dictionary(text, tree, {maxKeys: 6}).map((v) => JSON.parse(JSON.stringify(v)) as unknown)
    fc.assert(
      fc.property(value, (data) => {
        const written = toYamlText(data)
        expect(readBack(written), written).toEqual([data, data])
      }),
      {seed: 11, numRuns: 3000},
    )
  })
})
