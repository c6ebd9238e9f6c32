/** The fast YAML path writes byte for byte what `stringify(value, {lineWidth: 0})` of the `yaml` package writes. */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {resolveValues} from '../../../src/lib/config/load.js'
import {toYamlText} from '../../../src/lib/manifests/yaml-emit.js'

const byPackage = (value: unknown) => stringify(value, {lineWidth: 0})

describe('toYamlText', () => {
  it('matches the package on the resolved default config', () => {
    const {config} = resolveValues({})
    expect(toYamlText(config)).toBe(byPackage(config))
  })

  it('matches the package on awkward scalars, keys and nesting', () => {
    const value = {
      a: {b: [], c: {}, d: [{x: 1, y: {z: 2}}, {k: {m: 1}}, 'str', [1, 2], {}, []], e: null, f: true},
      strings: ['ghcr.io/x:1.0', 'a:', 'yes', 'True', 'NULL', '1.0', 'a b', 'x #y', '', 'value + "-0"', '~x', '-a', 'a\nb', ' lead', 'trail ', "it's", '@at', 'a: b', 'a  b', 'a b ', 'a #b', 'a#b', 'a "q"', "a 'q'", 'a (b)', 'value + "-0"', 'a:b c', 'a :b', 'a\tb'],
      numbers: [0.5, -3, 1e21, -0, Number.MAX_SAFE_INTEGER + 2, Number.NaN],
      'x.y/z': 1, '0': 'a', 'k k': 2, true: 'key', skipped: undefined, onlyUndefined: {x: undefined},
      list: [{first: {nested: [{deep: 'x'}]}, second: [1]}],
    }
    expect(toYamlText(value)).toBe(byPackage(value))
    for (const [k, v] of Object.entries(value)) expect(toYamlText({[k]: v})).toBe(byPackage({[k]: v}))
  })

  it('matches the package on generated data (seeded)', () => {
    const key = fc.oneof(fc.constantFrom('a', 'b_c', 'd.e/f', 'true', 'Null', '0', 'x y', '-k', 'ns.example.com/k'), fc.string({maxLength: 6}))
    const tricky = fc.string({unit: fc.constantFrom(...'ab1 :#\'"-+()=.,[]{}&*!|>%@`~$/?\t'), maxLength: 10})
    const scalar = fc.oneof(fc.string({maxLength: 12}), tricky, tricky.map((t) => `a${t}`), fc.constantFrom('yes', 'on', 'FALSE', 'a:b', 'v1.2.3', '12', '1e3', 'a #b'), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined))
    const {tree} = fc.letrec((tie) => ({
      tree: fc.oneof({depthSize: 'small'}, scalar, tie('map'), tie('list')),
      map: fc.dictionary(key, tie('tree'), {maxKeys: 5}),
      list: fc.array(tie('tree'), {maxLength: 4}),
    }))
    fc.assert(fc.property(fc.dictionary(key, tree, {maxKeys: 6}), (value) => toYamlText(value) === byPackage(value)), {seed: 7, numRuns: 1500})
  }, 60_000)
})
