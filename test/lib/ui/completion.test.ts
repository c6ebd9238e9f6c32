import {describe, expect, it} from 'vitest'
import {completionRequest, completionScript, type CommandInfo} from '../../../src/lib/ui/completion.js'

const flags = [
  {name: 'namespace', char: 'n', takesValue: true},
  {name: 'kubeconfig', takesValue: true},
  {name: 'keep-pvc', takesValue: false},
]
const commands: CommandInfo[] = [
  {id: 'delete', aliases: ['rm'], flags},
  {id: 'list', aliases: ['ls'], flags},
  {id: 'connect', aliases: [], flags},
]

describe('completionRequest', () => {
  it.each([
    [[''], {kind: 'commands', prefix: ''}],
    [['de'], {kind: 'commands', prefix: 'de'}],
    [['delete', ''], {kind: 'vclusters', prefix: ''}],
    [['rm', 'de'], {kind: 'vclusters', prefix: 'de'}],
    [['delete', '-n', 'team', ''], {kind: 'vclusters', prefix: '', namespace: 'team'}],
    [['delete', '--namespace=team', 'x'], {kind: 'vclusters', prefix: 'x', namespace: 'team'}],
    [['delete', '-n', ''], {kind: 'namespaces', prefix: ''}],
    [['delete', '--kubeconfig', ''], {kind: 'none'}],
    [['delete', '--ke'], {kind: 'flags', prefix: '--ke'}],
    [['delete', 'demo', ''], {kind: 'none'}],
    [['delete', '--keep-pvc', ''], {kind: 'vclusters', prefix: ''}],
    [['list', ''], {kind: 'none'}],
    [['connect', 'demo', '--', 'kub'], {kind: 'none'}],
    [['nope', ''], {kind: 'none'}],
  ])('%j', (words, expected) => {
    const request = completionRequest(words, commands)
    const {command: _c, ...rest} = request as {command?: unknown}
    expect(rest).toEqual(expected)
  })
})

describe('completionScript', () => {
  it.each(['bash', 'zsh', 'fish'] as const)('%s calls the hidden __complete command', (shell) => {
    expect(completionScript(shell, 'vcluster')).toContain('vcluster __complete')
  })
})
