import {describe, expect, it} from 'vitest'
import {getPath, mergeValues, splitPath} from '../../../src/lib/config/merge.js'

describe('mergeValues', () => {
  it('deep-merges maps, replaces lists and scalars, and keeps a null (as helm -f a -f b) for coalescing to delete', () => {
    const base = {a: {b: 1, c: [1, 2], d: {e: 'x'}}, keep: true, gone: 1}
    const overlay = {a: {c: [3], d: {f: 'y'}}, gone: null}
    expect(mergeValues(base, overlay)).toEqual({a: {b: 1, c: [3], d: {e: 'x', f: 'y'}}, keep: true, gone: null})
  })

  it('does not modify its inputs', () => {
    const base = {a: {b: 1}}
    const overlay = {a: {c: [1]}}
    const merged = mergeValues(base, overlay)
    ;(merged.a as {c: number[]}).c.push(2)
    expect(base).toEqual({a: {b: 1}})
    expect(overlay).toEqual({a: {c: [1]}})
  })

  it('replaces a map with a scalar and a scalar with a map', () => {
    expect(mergeValues({a: {b: 1}}, {a: 'x'})).toEqual({a: 'x'})
    expect(mergeValues({a: 'x'}, {a: {b: 1}})).toEqual({a: {b: 1}})
  })
})

describe('paths', () => {
  it('splits dotted paths with indexes', () => {
    expect(splitPath('a.b[0].c[12]')).toEqual(['a', 'b', 0, 'c', 12])
    expect(splitPath('')).toEqual([])
  })
  it('reads values by path', () => {
    expect(getPath({a: {b: [{c: 5}]}}, 'a.b[0].c')).toBe(5)
    expect(getPath({a: 1}, 'a.b.c')).toBeUndefined()
  })
})
