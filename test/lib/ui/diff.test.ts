import {describe, expect, it} from 'vitest'
import {lineDiff} from '../../../src/lib/ui/diff.js'

describe('lineDiff', () => {
  it('marks removed and added lines with context and gaps', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n')
    const after = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i'].join('\n')
    expect(lineDiff(before, after, 1)).toEqual(['  c', '- d', '+ D', '  e', '  ...', '  h', '+ i'])
  })
  it('handles creation and deletion', () => {
    expect(lineDiff('', 'x\ny\n')).toEqual(['+ x', '+ y'])
    expect(lineDiff('x\n', '')).toEqual(['- x'])
    expect(lineDiff('same\n', 'same\n')).toEqual([])
  })
})
