// Under --json (or -o json) an error is also one JSON object on stdout, so a CI script never parses text.
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {wantsJson} from '../../src/cli/argv.js'
import {runCli, tempFiles} from '../helpers/run-cli.js'

describe('errors under --json', () => {
  it('a typed error: {"error": {code, exitCode, message, hint}} on stdout, the text on stderr', async () => {
    const r = await runCli(['list', '--json', '--kubeconfig', '/nonexistent/kubeconfig'])
    expect(r.exitCode, r.stderr).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'usage',
        exitCode: 2,
        message: 'kubeconfig /nonexistent/kubeconfig does not exist',
        hint: 'Check the path given to --kubeconfig.',
      },
    })
    expect(r.stderr).toContain('error: kubeconfig /nonexistent/kubeconfig does not exist')
  })

  it('an invalid config under -o json, with every problem', async () => {
    const dir = tempFiles({'vcluster.yaml': 'controlPlane:\n  nope: 1\n'})
    const r = await runCli(['validate', '-f', join(dir, 'vcluster.yaml'), '-o', 'json'])
    expect(r.exitCode, r.stderr).toBe(2)
    const {error} = JSON.parse(r.stdout)
    expect(error).toMatchObject({code: 'invalid-config', exitCode: 2, message: '1 problem in the vCluster config'})
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toContain('controlPlane.nope')
  })

  it('a flag parsing error, and nothing on stdout without --json', async () => {
    const r = await runCli(['list', '--json', '--no-such-flag'])
    expect(r.exitCode, r.stderr).toBe(2)
    expect(JSON.parse(r.stdout).error).toMatchObject({code: 'usage', exitCode: 2, hint: 'See: vcluster list --help'})
    const text = await runCli(['list', '--kubeconfig', '/nonexistent/kubeconfig'])
    expect(text.exitCode, text.stderr).toBe(2)
    expect(text.stdout).toBe('')
  })

  it('reads the wish for JSON from our own flags only', () => {
    expect(wantsJson(['demo', '-o', 'json'])).toBe(true)
    expect(wantsJson(['demo', '-ojson'])).toBe(true)
    expect(wantsJson(['demo', '--output=json'])).toBe(true)
    expect(wantsJson(['demo', '-o', 'yaml'])).toBe(false)
    expect(wantsJson(['demo', '--', 'tool', '--json'])).toBe(false)
  })
})
