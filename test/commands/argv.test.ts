// `--x=true|false` is rewritten for our own boolean flags only; what follows `--` is another program's argv.
import {Config} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {normalizeBooleanFlags, outputFromArgv, wantsMachineOutput} from '../../src/cli/argv.js'
import Connect, {splitCommand} from '../../src/commands/connect.js'

const flags = {
  print: {type: 'boolean'},
  insecure: {type: 'boolean'},
  wait: {type: 'boolean', allowNo: true},
  namespace: {type: 'option'},
}

describe('normalizeBooleanFlags', () => {
  it('rewrites our boolean flags written as --x=true|false', () => {
    expect(
      normalizeBooleanFlags(['demo', '--print=true', '--insecure=false', '--wait=FALSE', '--namespace=true'], flags),
    ).toEqual(['demo', '--print', '--no-wait', '--namespace=true'])
  })

  it('leaves everything from -- on byte for byte', () => {
    const argv = ['demo', '--wait=false', '--', 'tool', '--print=false', '--insecure=true', '--', '--wait=true']
    expect(normalizeBooleanFlags(argv, flags)).toEqual([
      'demo',
      '--no-wait',
      '--',
      'tool',
      '--print=false',
      '--insecure=true',
      '--',
      '--wait=true',
    ])
  })
})

describe('connect -- COMMAND', () => {
  it('runs the command with the arguments as given, after the command base prepared argv', async () => {
    const config = await Config.load({root: process.cwd()})
    const command = new Connect(['demo', '--print=false', '--', 'tool', '--print=false', '--insecure=true'], config)
    await (command as unknown as {init(): Promise<void>}).init()
    const {argv, command: child} = splitCommand((command as unknown as {argv: string[]}).argv)
    expect(argv).toEqual(['demo'])
    expect(child).toEqual(['tool', '--print=false', '--insecure=true'])
  })
})

// The base command quiets progress from argv (before the flags are parsed): it must read every spelling.
describe('outputFromArgv / wantsMachineOutput', () => {
  it.each([
    [['list', '--json'], 'json'],
    [['list', '-o', 'yaml'], 'yaml'],
    [['list', '-oyaml'], 'yaml'],
    [['list', '-o=json'], 'json'],
    [['list', '--output', 'json'], 'json'],
    [['list', '--output=yaml'], 'yaml'],
    [['list', '-o', 'table'], 'table'],
    [['list', '-o', 'yaml', '--json'], 'json'],
    [['list'], undefined],
    [['connect', 'demo', '--', 'kubectl', '-o', 'json'], undefined],
  ])('%j is %s', (argv, format) => {
    expect(outputFromArgv(argv)).toBe(format)
    expect(wantsMachineOutput(argv)).toBe(format === 'json' || format === 'yaml')
  })
})
