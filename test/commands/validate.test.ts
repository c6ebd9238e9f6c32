import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {runCli, tempFiles} from '../helpers/run-cli.js'

describe('vcluster validate', () => {
  it('exits 0 on a valid file, says so on stderr, prints nothing on stdout', async () => {
    const dir = tempFiles({'vcluster.yaml': 'controlPlane:\n  proxy:\n    extraSANs: [vc.example.com]\n'})
    const r = await runCli(['validate', '-f', 'vcluster.yaml'], {cwd: dir})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('✓ vcluster.yaml: valid vCluster config')
  })

  it('prints the misspelt key with file:line:col, path and suggestion, and exits 2', async () => {
    const dir = tempFiles({'vcluster.yaml': 'controlPlane:\n  proxy:\n    extraSAN:\n      - vc.example.com\n'})
    const r = await runCli(['validate', '-f', 'vcluster.yaml'], {cwd: dir})
    expect(r.exitCode).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.split('\n')).toEqual([
      'vcluster.yaml:3:5: controlPlane.proxy.extraSAN: unknown key "extraSAN"; did you mean `extraSANs`?',
      'error: 1 problem in the vCluster config',
      'Fix the keys above and run `vcluster validate -f <file>` to check again.',
    ])
  })

  it('prints the resolved config with -o yaml and -o json on stdout only', async () => {
    const dir = tempFiles({'v.yaml': 'controlPlane:\n  statefulSet:\n    labels: {team: a}\n'})
    const yaml = await runCli(
      ['validate', '-f', 'v.yaml', '-o', 'yaml', '--set', 'controlPlane.proxy.extraSANs={x.example.com}'],
      {cwd: dir},
    )
    expect(yaml.exitCode).toBe(0)
    const resolved = parse(yaml.stdout)
    expect(resolved.controlPlane.statefulSet.labels).toEqual({team: 'a'})
    expect(resolved.controlPlane.proxy).toMatchObject({port: 8443, extraSANs: ['x.example.com']})
    const json = await runCli(['validate', '-f', 'v.yaml', '--json', '--user-values', '-q'], {cwd: dir})
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout)).toEqual({controlPlane: {statefulSet: {labels: {team: 'a'}}}})
  })

  it('reads stdin with -f -', async () => {
    const r = await runCli(['validate', '-f', '-'], {input: 'sync:\n  toHost:\n    pods:\n      enabld: true\n'})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('<stdin>:4:7: sync.toHost.pods.enabld: unknown key "enabld"; did you mean `enabled`?')
  })

  it('prints warnings on stderr and still exits 0', async () => {
    const r = await runCli(['validate', '--set', 'controlPlane.distro.k8s.version=v1.31.0'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toContain('warning: controlPlane.distro.k8s.version: is deprecated')
  })

  it('exits 2 with guidance when there is nothing to validate or the file is missing', async () => {
    const none = await runCli(['validate'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('error: nothing to validate')
    const missing = await runCli(['validate', '-f', '/nonexistent/vcluster.yaml'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toBe(
      'error: cannot read values file /nonexistent/vcluster.yaml: no such file\nCheck the path given to -f/--values.',
    )
  })

  it('reads --flag=true and --flag=false as scripts mean them', async () => {
    const quiet = await runCli(['validate', '--set', 'telemetry.enabled=false', '--quiet=true'])
    expect(quiet.exitCode).toBe(0)
    expect(quiet.stderr).toBe('')
    const loud = await runCli(['validate', '--set', 'telemetry.enabled=false', '--quiet=false'])
    expect(loud.exitCode).toBe(0)
    expect(loud.stderr).toBe('✓ --set: valid vCluster config')
  })

  it('exits 2 on an unknown flag without a stack trace', async () => {
    const r = await runCli(['validate', '--nope'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/^error: Nonexistent flag: --nope/)
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })
})

describe('vcluster --help and --version', () => {
  it('shows help listing validate', async () => {
    const r = await runCli(['--help'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('validate')
    const v = await runCli(['validate', '--help'])
    expect(v.stdout).toContain('--values')
    expect(v.stdout).toContain('--set')
  })

  it('prints the version', async () => {
    const r = await runCli(['--version'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^vcluster-ts\/\d+\.\d+\.\d+ /)
  })
})
