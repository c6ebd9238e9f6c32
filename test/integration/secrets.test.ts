import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {newNamespace, vcluster, waitForStandIn} from '../cluster/index.js'

/** Distinctive pieces of key material: PEM bodies and their base64 forms, long enough never to match by chance. */
function fingerprints(...secrets: string[]): string[] {
  const out: string[] = []
  for (const s of secrets.filter((x) => x !== '')) {
    const body = s.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '')
    out.push(body.slice(20, 80), Buffer.from(s).toString('base64').slice(20, 80))
  }
  return out.filter((f) => f.length >= 40)
}

describe('secrets are never printed', () => {
  it('appears in no output of any command, except connect --print on stdout', async () => {
    const ns = await newNamespace('sec')
    const user = ['--kubeconfig', ns.userKubeconfig, '-n', ns.name]
    const hostUser = parse(readFileSync(ns.userKubeconfig, 'utf8')).users[0].user
    const hostKey = Buffer.from(hostUser['client-key-data'], 'base64').toString('utf8')

    const outputs: [string, string][] = []
    const run = async (args: string[], expectCode = 0) => {
      const r = await vcluster(args, {env: {VCLUSTER_DEBUG: '1'}})
      expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(expectCode)
      outputs.push([`${args.join(' ')} (stdout)`, r.stdout], [`${args.join(' ')} (stderr)`, r.stderr])
      return r
    }
    await run(['create', 'demo', ...user, '-o', 'json'])
    const standIn = await waitForStandIn(ns.name, 'demo')
    await run(['list', ...user, '-o', 'yaml'])
    await run(['describe', 'demo', ...user, '-o', 'json'])
    await run(['describe', 'demo', ...user])
    await run(['upgrade', 'demo', ...user, '--set', 'controlPlane.statefulSet.labels.x=y', '--dry-run'])
    await run(['upgrade', 'demo', ...user, '--set', 'controlPlane.statefulSet.labels.x=y', '--yes', '-o', 'json'])
    await run(['connect', 'demo', ...user, '--', 'kubectl', 'get', 'namespaces'])
    await run(['connect', 'demo', ...user, '--', 'kubectl', 'get', 'nope'], 1)
    await run(['create', 'demo', ...user, '--set', 'nonsense=1'], 2)
    const printed = await vcluster(['connect', 'demo', ...user, '--print'])
    expect(printed.exitCode, printed.stderr).toBe(0)
    outputs.push(['connect --print (stderr)', printed.stderr])
    await run(['pause', 'demo', ...user])
    await run(['delete', 'demo', ...user, '--json'])

    const secrets = fingerprints(standIn.clientKey, standIn.clientCertificate, hostKey)
    expect(secrets.length).toBeGreaterThanOrEqual(4)
    for (const [what, text] of outputs) {
      for (const secret of secrets) expect(text.includes(secret), `${what} contains key material`).toBe(false)
    }
    // The one place a secret belongs: connect --print stdout carries the vCluster's client key.
    expect(fingerprints(standIn.clientKey).some((f) => printed.stdout.includes(f))).toBe(true)
  })
})
