import {describe, expect, it} from 'vitest'
import {UsageError} from '../../../src/lib/errors.js'
import {formatAge, formatTable, parseDuration} from '../../../src/lib/ui/duration.js'

describe('parseDuration', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2m5s', 125_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms))
  it.each(['', '5x', 'm', '1.5m'])('rejects %j', (text) => expect(() => parseDuration(text)).toThrow(UsageError))
})

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [119, '119s'],
    [125, '2m5s'],
    [600, '10m'],
    [7200, '120m'],
    [3 * 3600 + 60, '3h1m'],
    [30 * 3600, '30h'],
    [3 * 86400 + 4 * 3600, '3d4h'],
    [400 * 86400, '400d'],
  ])('%i seconds is %s', (s, text) => expect(formatAge(s)).toBe(text))
})

describe('formatTable', () => {
  it('pads columns and trims line ends', () => {
    expect(
      formatTable(
        ['NAME', 'X'],
        [
          ['a', ''],
          ['longer', 'y'],
        ],
      ),
    ).toBe('NAME     X\na\nlonger   y')
  })
})
