import {describe, expect, it} from 'vitest'
import {applyAssignment, parseSetExpression, typedValue} from '../../../src/lib/config/set-values.js'
import {UsageError} from '../../../src/lib/errors.js'

const apply = (...exprs: string[]) => {
  const values: Record<string, unknown> = {}
  for (const e of exprs) for (const a of parseSetExpression(e)) applyAssignment(values, a)
  return values
}

describe('parseSetExpression', () => {
  it.each([
    ['a.b.c=v', {a: {b: {c: 'v'}}}],
    ['a=1,b=true,c=false,d=null', {a: 1, b: true, c: false, d: null}],
    ['a=1.5', {a: '1.5'}],
    ['a=007', {a: '007'}],
    ['a=0', {a: 0}],
    ['a=-3', {a: -3}],
    ['a=', {a: ''}],
    ['a.list[0]=x', {a: {list: ['x']}}],
    ['a.list[1]=y', {a: {list: [null, 'y']}}],
    ['a[0].b=c', {a: [{b: 'c'}]}],
    ['a={x,y,3}', {a: ['x', 'y', 3]}],
    ['a={}', {a: []}],
    ['a\\.b=c', {'a.b': 'c'}],
    ['a=x\\,y', {a: 'x,y'}],
    ['a=k=v', {a: 'k=v'}],
    [
      'controlPlane.proxy.extraSANs={a.example.com,10.0.0.1}',
      {controlPlane: {proxy: {extraSANs: ['a.example.com', '10.0.0.1']}}},
    ],
  ])('%s', (expr, expected) => {
    expect(apply(expr)).toEqual(expected)
  })

  it('applies later assignments over earlier ones and keeps null (as helm; coalescing deletes the default)', () => {
    expect(apply('a.b=1,a.c=2', 'a.b=3', 'a.c=null')).toEqual({a: {b: 3, c: null}})
  })

  it('replaces a scalar with a map when a deeper key is set', () => {
    expect(apply('a=1', 'a.b=2')).toEqual({a: {b: 2}})
  })

  it.each(['novalue', '=v', 'a..b=c', 'a[x]=1', 'a[-1]=1'])('rejects %s with a usage error', (expr) => {
    expect(() => apply(expr)).toThrow(UsageError)
  })

  it('types values like helm', () => {
    expect(typedValue('true')).toBe(true)
    expect(typedValue('123')).toBe(123)
    expect(typedValue('99999999999999999999')).toBe('99999999999999999999')
    expect(typedValue('1e3')).toBe('1e3')
  })
})
