// The chart defaults a user `null` may not delete are a fact about the pinned release: measured again here with
// upstream's own code and compared with what the CLI ships (src/lib/config/null-refusals.ts).
import {afterAll, beforeAll, expect, inject, it} from 'vitest'
import {measureNullRefusals} from '../../scripts/upstream/null-refusals.js'
import {CHART_VALUES} from '../../src/lib/config/chart-values.js'
import {NULL_REFUSALS} from '../../src/lib/config/null-refusals.js'
import {startOracle, type Oracle} from '../upstream/oracle.js'

let oracle: Oracle
beforeAll(() => {
  oracle = startOracle(inject('upstreamDir'))
})
afterAll(async () => {
  await oracle.close()
})

it('the shipped list of defaults a null may not delete is what the release does, default by default', async () => {
  const measured = await measureNullRefusals(oracle, CHART_VALUES)
  expect(Object.keys(measured).length).toBeGreaterThan(0)
  expect(measured, 'out of date: run `npm run null-refusals` and review the diff').toEqual(NULL_REFUSALS)
})
