import {afterEach, describe, expect, it} from 'vitest'
import {UPSTREAM_FLAGS, decisionsFor, driverFlags, refusalMessage, upstreamFlags} from '../../src/cli/upstream-flags.js'
import {UsageError} from '../../src/lib/errors.js'

type Parse = (input: unknown, ctx: unknown, flag: unknown) => Promise<unknown>
const parseOf = (flag: unknown) => (flag as {parse: Parse}).parse

describe('--driver and --debug', () => {
  const saved = process.env.VCLUSTER_DEBUG
  afterEach(() => {
    if (saved === undefined) delete process.env.VCLUSTER_DEBUG
    else process.env.VCLUSTER_DEBUG = saved
  })

  it('accepts the helm driver and refuses the others with the way forward', async () => {
    const parse = parseOf(driverFlags.driver)
    await expect(parse('helm', {}, driverFlags.driver)).resolves.toBe('helm')
    await expect(parse('platform', {}, driverFlags.driver)).rejects.toThrow(UsageError)
    await expect(parse('docker', {}, driverFlags.driver)).rejects.toThrow(/--driver docker: this CLI manages/)
    await expect(parse('kind', {}, driverFlags.driver)).rejects.toThrow(/expected helm/)
  })

  it('--debug turns on stack traces as VCLUSTER_DEBUG=1 does', async () => {
    delete process.env.VCLUSTER_DEBUG
    await parseOf(driverFlags.debug)(false, {}, driverFlags.debug)
    expect(process.env.VCLUSTER_DEBUG).toBeUndefined()
    await parseOf(driverFlags.debug)(true, {}, driverFlags.debug)
    expect(process.env.VCLUSTER_DEBUG).toBe('1')
  })

  it('gives disconnect --debug but no --driver (upstream has none there)', () => {
    expect(Object.keys(upstreamFlags('disconnect'))).toContain('debug')
    expect(Object.keys(upstreamFlags('disconnect'))).not.toContain('driver')
    expect(Object.keys(upstreamFlags('create'))).toContain('driver')
  })
})

describe('refusals', () => {
  it('name the flag first and say what to do instead', () => {
    for (const command of Object.keys(UPSTREAM_FLAGS) as (keyof typeof UPSTREAM_FLAGS)[]) {
      for (const [name, decision] of Object.entries(decisionsFor(command))) {
        const message = refusalMessage(name, decision)
        expect(message.startsWith(`--${name} `), message).toBe(true)
        expect(message.length, message).toBeGreaterThan(`--${name} `.length + 40)
      }
    }
    expect(refusalMessage('project', UPSTREAM_FLAGS.create.project!)).toMatch(
      /^--project is a vCluster Platform flag; .*--driver platform/,
    )
    expect(refusalMessage('restore', UPSTREAM_FLAGS.create.restore!)).toMatch(
      /^--restore \(upstream's\) is not supported: snapshots/,
    )
  })
})
