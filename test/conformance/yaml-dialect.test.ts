// The config Secret's YAML is read by the syncer with go-yaml v2 (YAML 1.1, under sigs.k8s.io/yaml): strings our
// writer stores must arrive there as the same strings, as map keys and as values. Upstream's own parse is the judge.
// The configs are the release's chart values.yaml plus our strings, so this depends on nothing but the writer.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {parse} from 'yaml'
import {toYamlText} from '../../src/lib/manifests/yaml-emit.js'
import {startOracle, type Oracle} from '../upstream/oracle.js'

const upstreamDir = inject('upstreamDir')
const chartValues = readFileSync(join(import.meta.dirname, '../../src/lib/config/release/values.yaml'), 'utf8')

/** Strings a YAML 1.1 reader turns into booleans, numbers, null, timestamps or merge keys when written plain. */
const TRAPS = [
  'yes',
  'Yes',
  'YES',
  'no',
  'on',
  'ON',
  'Off',
  'y',
  'Y',
  'n',
  'N',
  'true',
  'False',
  '~',
  'null',
  'Null',
  'NULL',
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
  '.5',
  '+.5',
  '1.',
  '1e3',
  '1_0e3',
  '1:20',
  '.inf',
  '-.Inf',
  '.NaN',
  '2001-12-14',
  '2001-1-2',
  '2001-12-14T21:59:43.10Z',
  '<<',
  '=',
  '3.6.8-0',
  'v1.33',
]

interface Stored {
  labels: Record<string, string>
  sans: string[]
}

/** The chart's values with `labels` as the StatefulSet's labels and `sans` as extraSANs, through our writer. */
function configWith({labels, sans}: Stored): string {
  const values = parse(chartValues) as {controlPlane: {statefulSet: {labels: unknown}; proxy: {extraSANs: unknown}}}
  values.controlPlane.statefulSet.labels = labels
  values.controlPlane.proxy.extraSANs = sans
  return toYamlText(values)
}

/** What upstream's start-up parse holds for the two fields (it fails the test when the parse fails). */
async function storedByUpstream(oracle: Oracle, stored: Stored): Promise<Stored> {
  const text = configWith(stored)
  const answer = await oracle.parse('demo', text)
  expect(answer.error, text).toBeUndefined()
  const parsed = answer.parsed as {
    controlPlane: {statefulSet: {labels?: Record<string, string>}; proxy: {extraSANs?: string[]}}
  }
  return {labels: parsed.controlPlane.statefulSet.labels ?? {}, sans: parsed.controlPlane.proxy.extraSANs ?? []}
}

describe('strings in the stored config, read by upstream (go-yaml v2, YAML 1.1)', () => {
  let oracle: Oracle
  beforeAll(() => {
    oracle = startOracle(upstreamDir)
  })
  afterAll(async () => {
    await oracle.close()
  })

  it('arrive unchanged as label keys, label values and list items', async () => {
    const labels = Object.fromEntries(TRAPS.map((text, i) => [text, TRAPS[(i + 1) % TRAPS.length] as string]))
    const stored = {labels, sans: TRAPS}
    expect(await storedByUpstream(oracle, stored)).toEqual(stored)
  })

  it('arrive unchanged for generated strings (seeded)', async () => {
    const numeric = fc.string({unit: fc.constantFrom(...'0123456789_.:-+eEoObBxXT '), minLength: 1, maxLength: 10})
    const words = fc.string({unit: fc.constantFrom(...'yesnoNOtrulfYEa~<=.'), minLength: 1, maxLength: 5})
    const text = fc.oneof(fc.constantFrom(...TRAPS), numeric, words, fc.string({minLength: 1, maxLength: 12}))
    const stored = fc.record({labels: fc.dictionary(text, text, {maxKeys: 40}), sans: fc.array(text, {maxLength: 10})})
    const seed = 20250
    const samples = fc.sample(stored, {seed, numRuns: 150})
    for (const sample of samples) {
      const clean = JSON.parse(JSON.stringify(sample)) as Stored // no __proto__ surprises: data as JSON has it
      expect(await storedByUpstream(oracle, clean), `seed ${seed}`).toEqual(clean)
    }
  })
})
