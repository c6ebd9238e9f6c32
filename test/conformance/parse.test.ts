// Every config.yaml our `create` stores must be one the pinned release starts with: upstream's own start-up parse
// (pkg/config.ParseConfigBytes: strict decode, then ValidateConfigAndSetDefaults) is the judge. The configs are the
// golden test configs, one per schema leaf and enum value, and at least 500 random combinations, each of them
// accepted by our `validate` first. 100% must be accepted.
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {parse} from 'yaml'
import {InvalidConfigError} from '../../src/lib/errors.js'
import {resolveValues} from '../../src/lib/config/load.js'
import {configYaml, type RenderInput} from '../../src/lib/manifests/index.js'
import {GOLDEN_VALUES} from '../lib/manifests/golden-values.js'
import {startOracle, type Oracle} from '../upstream/oracle.js'
import {SEED, configArb, draw, effective, leafPaths, setIn, valueArb} from './generate.js'

const NAME = 'my-vc'
const NAMESPACE = 'team-a'
/** How many random configs (each accepted by our validate) go to upstream; candidates are drawn until there are this many. */
const RANDOM = Number(process.env.CONFORMANCE_RANDOM ?? 600)
const upstreamDir = inject('upstreamDir')

interface Case {
  label: string
  values: Record<string, unknown>
  host?: string
}

/** What `create` writes into vc-config-NAME, or undefined when our `validate` refuses the values. */
function storedConfig(c: Case): string | undefined {
  let config: RenderInput['config']
  try {
    config = resolveValues(structuredClone(c.values)).config
  } catch (error) {
    if (error instanceof InvalidConfigError) return undefined
    throw error
  }
  const input: RenderInput = {
    name: NAME,
    namespace: NAMESPACE,
    config,
    values: c.values,
    ...(c.host !== undefined ? {hostVersion: c.host} : {}),
  }
  return configYaml(input)
}

/** One case per schema leaf (a value its schema accepts) and one per enum value. */
function sweepCases(seed: number): Case[] {
  const cases: Case[] = []
  leafPaths().forEach((leaf, i) => {
    const [value] = draw(valueArb(leaf.node), 1, seed + i)
    const values: Record<string, unknown> = {}
    setIn(values, leaf.path, value)
    cases.push({label: `leaf ${leaf.path.join('.')}`, values})
    for (const option of effective(leaf.node).enum ?? []) {
      const one: Record<string, unknown> = {}
      setIn(one, leaf.path, option)
      cases.push({label: `enum ${leaf.path.join('.')}=${JSON.stringify(option)}`, values: one})
    }
  })
  return cases
}

const show = (c: Case, text: string, error: string) =>
  `--- ${c.label}${c.host !== undefined ? ` (host ${c.host})` : ''}\nvalues: ${JSON.stringify(c.values)}\nupstream: ${error.slice(0, 400)}\n` +
  `config.yaml near the problem:\n${excerpt(text, error)}`

/** The lines of the stored config around the key upstream names, when it names one. */
function excerpt(text: string, error: string): string {
  const field = /field "?([\w.-]+)"?|into Go struct field [\w.]+\.([\w.]+)/.exec(error)
  const key = (field?.[1] ?? field?.[2] ?? '').split('.').at(-1)
  const lines = text.split('\n')
  const at = key === undefined || key === '' ? -1 : lines.findIndex((l) => l.trimStart().startsWith(`${key}:`))
  return at < 0 ? '(no line found)' : lines.slice(Math.max(0, at - 2), at + 3).join('\n')
}

describe('upstream starts with every config.yaml we store', () => {
  let oracle: Oracle
  beforeAll(() => {
    oracle = startOracle(upstreamDir)
  })
  afterAll(async () => {
    await oracle.close()
  })

  async function judge(cases: Case[]): Promise<{accepted: number; refusedByUs: number; failures: string[]}> {
    let accepted = 0
    let refusedByUs = 0
    const failures: string[] = []
    await Promise.all(
      cases.map(async (c) => {
        const text = storedConfig(c)
        if (text === undefined) {
          refusedByUs++
          return
        }
        const answer = await oracle.parse(NAME, text)
        if (answer.ok) accepted++
        else failures.push(show(c, text, answer.error ?? '(no message)'))
      }),
    )
    return {accepted, refusedByUs, failures}
  }

  it('the golden configs', async () => {
    const cases = GOLDEN_VALUES.map((g) => ({
      label: `golden ${g.name}`,
      values: (parse(g.values) ?? {}) as Record<string, unknown>,
      ...(g.host !== undefined ? {host: g.host} : {}),
    }))
    const {accepted, refusedByUs, failures} = await judge(cases)
    console.log(`golden: ${cases.length} configs, ${accepted} accepted by upstream, ${failures.length} refused`)
    expect(refusedByUs, 'every golden config is valid for our validate').toBe(0)
    expect(failures, failures.join('\n')).toEqual([])
    expect(accepted).toBe(GOLDEN_VALUES.length)
  })

  it('one config per schema leaf and per enum value', async () => {
    console.log(`seed ${SEED} (replay: FC_SEED=${SEED})`)
    const cases = sweepCases(SEED)
    const {accepted, refusedByUs, failures} = await judge(cases)
    console.log(
      `sweep: ${cases.length} configs, ${refusedByUs} refused by our validate, ${accepted} accepted by upstream, ${failures.length} refused`,
    )
    expect(failures, `seed ${SEED}\n${failures.slice(0, 30).join('\n')}\n(${failures.length} in all)`).toEqual([])
    expect(accepted).toBeGreaterThan(cases.length / 2)
  })

  it(`${RANDOM} random combinations of schema paths, each valid for our validate`, async () => {
    console.log(`seed ${SEED} (replay: FC_SEED=${SEED})`)
    const cases: Case[] = []
    let drawn = 0
    for (let batch = 0; cases.length < RANDOM && batch < 20; batch++) {
      for (const values of draw(configArb(), 200, SEED + 1 + batch)) {
        drawn++
        if (cases.length < RANDOM && storedConfig({label: '', values}) !== undefined)
          cases.push({label: `random #${drawn}`, values})
      }
    }
    const {accepted, refusedByUs, failures} = await judge(cases)
    console.log(
      `random: ${drawn} drawn, ${cases.length} valid for our validate and sent, ${accepted} accepted by upstream, ${failures.length} refused`,
    )
    expect(refusedByUs).toBe(0)
    expect(failures, `seed ${SEED}\n${failures.slice(0, 30).join('\n')}\n(${failures.length} in all)`).toEqual([])
    expect(accepted).toBeGreaterThanOrEqual(Math.min(RANDOM, 500))
  })

  it('the judge can refuse: a stored config with an unknown key, or a broken rule, is refused upstream', async () => {
    const text = storedConfig({label: 'defaults', values: {}}) as string
    expect((await oracle.parse(NAME, text)).ok).toBe(true)
    expect((await oracle.parse(NAME, `${text}\nnotAKey: 1\n`)).error).toMatch(/unknown field "notAKey"/)
    const scheduler = storedConfig({
      label: 'scheduler',
      values: {
        sync: {fromHost: {nodes: {enabled: true}}},
        controlPlane: {advanced: {virtualScheduler: {enabled: true}}},
      },
    }) as string
    expect((await oracle.parse(NAME, scheduler)).ok).toBe(true)
    const broken = scheduler.replace(/(fromHost:\n(?:.*\n)*? {4}nodes:\n(?:.*\n)*? {6}enabled: )true/, '$1false')
    expect(broken).not.toBe(scheduler)
    expect((await oracle.parse(NAME, broken)).error).toMatch(/sync.fromHost.nodes.enabled is false/)
  })
})
