/**
 * The defaults are the pinned release's chart values.yaml (as a generated module) coalesced with the user's values
 * by helm's rules. The rules below are read off helm v3.21's pkg/chartutil/coalesce.go; conformance/config.test.ts
 * checks the same against helm itself.
 */
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {
  renderChartValuesModule,
  VALUES_PATH,
  MODULE_PATH,
  parseChartValues,
} from '../../../scripts/write-chart-values.js'
import {CHART_VALUES} from '../../../src/lib/config/chart-values.js'
import {coalesceValues, withoutDeletedNulls} from '../../../src/lib/config/coalesce.js'
import {withChartDefaults} from '../../../src/lib/config/defaults.js'
import {resolveValues} from '../../../src/lib/config/load.js'

const valuesText = readFileSync(VALUES_PATH, 'utf8')

describe('the generated chart values module', () => {
  it('is what scripts/write-chart-values.ts generates from the vendored values.yaml', () => {
    expect(readFileSync(MODULE_PATH, 'utf8')).toBe(renderChartValuesModule(valuesText))
  })

  it('equals values.yaml parsed on its own, key order included', () => {
    const parsed = parse(valuesText, {version: '1.1'}) as Record<string, unknown>
    expect(CHART_VALUES).toEqual(parsed)
    expect(JSON.stringify(CHART_VALUES)).toBe(JSON.stringify(parsed))
  })

  it('carries the defaults the issue found missing before (non-zero values the syncer must see)', () => {
    const resolved = withChartDefaults({}) as Record<string, any>
    expect(resolved.sync.fromHost.gateways.sanitize).toMatchObject({certificateRefs: true, infrastructure: true})
    expect(resolved.controlPlane.advanced.registry.anonymousPull).toBe(true)
    expect(resolved.deploy.metallb.ipAddressPool.l2Advertisement).toBe(true)
    expect(resolved.controlPlane.backingStore.etcd.deploy.statefulSet.image).toEqual({
      registry: 'registry.k8s.io',
      repository: 'etcd',
      tag: '3.6.8-0',
    })
  })

  it('refuses a values.yaml that could not be a module (a __proto__ key, a non-mapping document)', () => {
    expect(() => parseChartValues('a:\n  __proto__: 1\n')).toThrow(/__proto__/)
    expect(() => parseChartValues('- 1\n')).toThrow(/mapping/)
  })

  it('is not changed by resolving configs', () => {
    const before = JSON.stringify(CHART_VALUES)
    const {config} = resolveValues({controlPlane: {proxy: {extraSANs: ['a.example.com']}}})
    ;(config.controlPlane as Record<string, any>).proxy.extraSANs.push('b.example.com')
    ;(config.controlPlane as Record<string, any>).proxy.port = 1
    expect(JSON.stringify(CHART_VALUES)).toBe(before)
  })
})

describe('coalesceValues (helm chartutil.CoalesceValues)', () => {
  it('merges maps key by key and replaces lists and scalars whole', () => {
    const defaults = {a: {b: 1, c: [1, 2], d: {e: 'x'}}, keep: true}
    expect(coalesceValues(defaults, {a: {c: [3], d: {f: 'y'}}, keep: false})).toEqual({
      a: {b: 1, c: [3], d: {e: 'x', f: 'y'}},
      keep: false,
    })
  })

  it('deletes a default when the user sets null, at the top and deeper', () => {
    expect(coalesceValues({x: 1, y: 2}, {x: null})).toEqual({y: 2})
    expect(coalesceValues({a: {b: 1, c: 2}}, {a: {b: null}})).toEqual({a: {c: 2}})
    expect(coalesceValues({a: {b: {c: 1}}}, {a: {b: null}})).toEqual({a: {}})
  })

  it('keeps a user null where there is no default, and deeper where the default is null too', () => {
    expect(coalesceValues({a: {b: 1}}, {a: {z: null}, q: null})).toEqual({a: {b: 1, z: null}, q: null})
    expect(coalesceValues({a: {n: null}}, {a: {n: null}})).toEqual({a: {n: null}})
    // At the top level helm's coalesceValues deletes a user null for any key the defaults have, null or not.
    expect(coalesceValues({n: null}, {n: null})).toEqual({})
    // A default null the user does not touch stays.
    expect(coalesceValues({a: {n: null}}, {})).toEqual({a: {n: null}})
  })

  it('withoutDeletedNulls leaves out exactly the nulls coalescing deletes, for validation', () => {
    const defaults = {x: 1, n: null, a: {b: 1, n: null, m: {c: 1}}}
    const user = {x: null, n: null, q: null, a: {b: null, n: null, z: null, m: null}, s: [null]}
    expect(withoutDeletedNulls(defaults, user)).toEqual({q: null, a: {n: null, z: null}, s: [null]})
    // Consistent with the coalesced result: every null left is one coalescing keeps.
    expect(coalesceValues(defaults, user)).toEqual({a: {n: null, z: null}, q: null, s: [null]})
  })

  it('lets the user value win as it is when a map meets a non-map, either way round', () => {
    expect(coalesceValues({a: {b: 1}}, {a: 'x'})).toEqual({a: 'x'})
    expect(coalesceValues({a: 'x'}, {a: {b: 1}})).toEqual({a: {b: 1}})
    expect(coalesceValues({a: {b: {c: 1}}}, {a: {b: [1]}})).toEqual({a: {b: [1]}})
    expect(coalesceValues({a: {b: [1]}}, {a: {b: {c: 1}}})).toEqual({a: {b: {c: 1}}})
  })

  it('keeps null inside lists and inside user-only maps untouched', () => {
    expect(coalesceValues({l: [1]}, {l: [null, {a: null}], u: {v: null}})).toEqual({l: [null, {a: null}], u: {v: null}})
  })

  it('orders keys as the defaults, then the user-only keys', () => {
    expect(Object.keys(coalesceValues({b: 1, a: 2}, {z: 1, a: 3}))).toEqual(['b', 'a', 'z'])
  })

  it('modifies neither input and shares no structure with them', () => {
    const defaults = {a: {b: [1]}, c: {d: 1}}
    const user = {a: {e: {f: 1}}}
    const out = coalesceValues(defaults, user) as Record<string, any>
    out.a.b.push(2)
    out.a.e.f = 2
    out.c.d = 2
    expect(defaults).toEqual({a: {b: [1]}, c: {d: 1}})
    expect(user).toEqual({a: {e: {f: 1}}})
  })

  it('keeps a __proto__ key a plain own key', () => {
    const user = JSON.parse('{"a": {"__proto__": {"polluted": true}}}') as Record<string, unknown>
    const out = coalesceValues({a: {b: 1}}, user) as Record<string, any>
    expect(Object.hasOwn(out.a, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(out.a)).toBe(Object.prototype)
  })
})
