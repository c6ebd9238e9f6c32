// Some string values are written into the chart's objects as plain YAML (unquoted); a value that is not a plain
// scalar there breaks the install. Which fields (of those rendered with otherwise default values) is measured here
// with helm on the release's own chart, and our validate must refuse such a value at each of them.
import {afterAll, beforeAll, expect, inject, it} from 'vitest'
import {stringify} from 'yaml'
import {resolveValues} from '../../src/lib/config/load.js'
import {InvalidConfigError} from '../../src/lib/errors.js'
import {startOracle, type Oracle} from '../upstream/oracle.js'
import {effective, schemaPaths} from './generate.js'

let oracle: Oracle
beforeAll(() => {
  oracle = startOracle(inject('upstreamDir'))
})
afterAll(async () => {
  await oracle.close()
})

const BREAKS_PLAIN = '`x'
const isString = (type: string | string[] | undefined) =>
  type === 'string' || (Array.isArray(type) && type.includes('string'))
const tree = (path: string[], value: unknown) =>
  path.reduceRight<unknown>((inner, key) => ({[key]: inner}), value) as Record<string, unknown>

it('refuses a value that breaks plain YAML at every field the chart writes unquoted', async () => {
  const paths = schemaPaths().filter((p) => isString(effective(p.node).type))
  const answers = await Promise.all(
    paths.map((p) => oracle.install({name: 'vc', namespace: 'vc-ns', values: stringify(tree(p.path, BREAKS_PLAIN))})),
  )
  const plain = paths
    .filter((_, i) => /YAML parse error|converting YAML/.test(answers[i]?.error ?? ''))
    .map((p) => p.path)
  // The chart writes several fields plain (priorityClassName, storageClass, size, ...); finding none means the probe broke.
  expect(plain.length).toBeGreaterThan(5)
  const accepted = plain.filter((path) => {
    try {
      resolveValues(tree(path, BREAKS_PLAIN))
      return true
    } catch (error) {
      if (error instanceof InvalidConfigError) return false
      throw error
    }
  })
  expect(
    accepted.map((p) => p.join('.')),
    'upstream fails to install these; our validate accepts them',
  ).toEqual([])
})
