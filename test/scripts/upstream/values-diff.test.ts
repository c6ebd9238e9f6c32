import {describe, expect, it} from 'vitest'
import {diffLeaves, formatLeafChanges, leaves} from '../../../scripts/upstream/values-diff.js'

describe('leaves', () => {
  it('descends maps and keeps lists, scalars and empty maps as leaves', () => {
    const doc = {a: {b: 1, c: [1, 2], d: {}}, e: null}
    expect([...leaves(doc)]).toEqual([
      ['a.b', 1],
      ['a.c', [1, 2]],
      ['a.d', {}],
      ['e', null],
    ])
  })

  it('descends lists by index when asked (rendered objects)', () => {
    expect([...leaves({c: [{image: 'x'}, 'y'], e: []}, '', true)]).toEqual([
      ['c[0].image', 'x'],
      ['c[1]', 'y'],
      ['e', []],
    ])
  })
})

describe('diffLeaves', () => {
  it('reports added, removed and changed leaves, a changed list once', () => {
    const base = {sync: {pods: {enabled: true}, list: [1]}, gone: {x: 'y'}}
    const next = {sync: {pods: {enabled: false}, list: [1, 2], added: 'z'}}
    expect(diffLeaves(base, next)).toEqual([
      {path: 'sync.pods.enabled', kind: 'changed', base: true, next: false},
      {path: 'sync.list', kind: 'changed', base: [1], next: [1, 2]},
      {path: 'gone.x', kind: 'removed', base: 'y'},
      {path: 'sync.added', kind: 'added', next: 'z'},
    ])
    expect(diffLeaves(base, structuredClone(base))).toEqual([])
  })

  it('formats one line per change', () => {
    expect(
      formatLeafChanges([
        {path: 'a', kind: 'added', next: 1},
        {path: 'b', kind: 'removed', base: 'x'},
        {path: 'c', kind: 'changed', base: true, next: false},
      ]),
    ).toBe('added    a = 1\nremoved  b (was "x")\nchanged  c: true -> false')
  })
})
