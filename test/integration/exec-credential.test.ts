// A kubeconfig whose user logs in through an exec credential plugin (as EKS, GKE and AKS kubeconfigs do), against
// the real host cluster: the CLI runs the plugin itself, uses what it gives, and bounds a plugin that hangs.
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {newNamespace, useHostCluster, vcluster} from '../cluster/index.js'
import {tempFiles} from '../helpers/run-cli.js'

useHostCluster()

interface Kubeconfig {
  users: {name: string; user: Record<string, unknown>}[]
}

/** The namespace user's kubeconfig with its certificate moved into a plugin that prints it as an ExecCredential. */
function withPlugin(userKubeconfig: string, dir: string, body: (status: string) => string): string {
  const doc = parse(readFileSync(userKubeconfig, 'utf8')) as Kubeconfig
  const user = doc.users[0] as Kubeconfig['users'][number]
  const pem = (k: string) => Buffer.from(String(user.user[k]), 'base64').toString('utf8')
  const status = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: {clientCertificateData: pem('client-certificate-data'), clientKeyData: pem('client-key-data')},
  })
  writeFileSync(join(dir, 'status.json'), status)
  writeFileSync(join(dir, 'login'), `#!/bin/sh\necho "$1" >> "${dir}/runs"\n${body(join(dir, 'status.json'))}\n`)
  chmodSync(join(dir, 'login'), 0o755)
  user.user = {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: './login',
      args: ['get-token'],
      interactiveMode: 'Never',
    },
  }
  const file = join(dir, 'kubeconfig')
  writeFileSync(file, stringify(doc), {mode: 0o600})
  return file
}

describe('a kubeconfig user with an exec credential plugin', () => {
  it('is logged in by running the plugin once per command, without client-node, and the command works', async () => {
    const ns = await newNamespace('exec')
    const dir = tempFiles({})
    const kubeconfig = withPlugin(ns.userKubeconfig, dir, (status) => `cat "${status}"`)
    const r = await vcluster(['list', '-o', 'json'], {kubeconfig, env: {VCLUSTER_DEBUG: '1'}})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([])
    expect(readFileSync(join(dir, 'runs'), 'utf8')).toBe('get-token\n')
    // What the plugin gave is a secret too: not printed, even with debug output on.
    const key = (JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as {status: {clientKeyData: string}}).status
      .clientKeyData
    const body = key
      .replace(/-----[A-Z ]+-----/g, '')
      .replace(/\s+/g, '')
      .slice(10, 60)
    expect(body.length).toBe(50)
    expect(r.stdout + r.stderr).not.toContain(body)
  })

  it("stops a plugin that hangs at the command's --timeout: exit 6 and what to run to see why", async () => {
    const ns = await newNamespace('exec-hang')
    const dir = tempFiles({})
    const kubeconfig = withPlugin(ns.userKubeconfig, dir, () => 'exec sleep 600')
    const started = Date.now()
    const r = await vcluster(['list', '--timeout', '2s'], {kubeconfig})
    expect(r.exitCode, r.stderr).toBe(6)
    expect(r.stderr).toMatch(/credential plugin "\.\/login" of user ".*" gave no credential within 1.8 s/)
    expect(r.stderr).toContain('./login get-token')
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})
