// The command contract: run() returns its typed result; the command base (emit) prints it as -o asks.
import {Config} from '@oclif/core'
import {afterEach, describe, expect, it, vi} from 'vitest'
import Validate from '../../src/commands/validate.js'

afterEach(() => vi.restoreAllMocks())

async function runValidate(argv: string[]): Promise<{result: unknown; stdout: string}> {
  const config = await Config.load({root: process.cwd()})
  let stdout = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk)
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  const command = new Validate(argv, config)
  const result = await command.run()
  vi.restoreAllMocks()
  return {result, stdout}
}

describe('run() returns its result; the base prints it', () => {
  it('validate returns the loaded config, and prints it only when -o asks', async () => {
    const plain = await runValidate(['--set', 'controlPlane.proxy.extraSANs[0]=vc.example.com'])
    expect(plain.stdout).toBe('')
    const loaded = plain.result as {values: unknown; config: {controlPlane: {proxy: {extraSANs: string[]}}}}
    expect(loaded.values).toEqual({controlPlane: {proxy: {extraSANs: ['vc.example.com']}}})
    expect(loaded.config.controlPlane.proxy.extraSANs).toEqual(['vc.example.com'])

    const json = await runValidate([
      '--set',
      'controlPlane.proxy.extraSANs[0]=vc.example.com',
      '--json',
      '--user-values',
    ])
    expect(JSON.parse(json.stdout)).toEqual({controlPlane: {proxy: {extraSANs: ['vc.example.com']}}})
    expect(json.result).toEqual(plain.result)
  })
})
