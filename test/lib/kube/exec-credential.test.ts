// Kubeconfig credential plugins run by our own code (client-go's exec protocol), each through a real plugin script.
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import type {RequestOptions} from 'node:https'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ForbiddenError, TimeoutError, UsageError} from '../../../src/lib/errors.js'
import {loadCredentials} from '../../../src/lib/kube/credentials.js'
import {execCredentialSource} from '../../../src/lib/kube/exec-credential.js'
import {tempFiles} from '../../helpers/run-cli.js'

/** A plugin: a shell script in dir (bin/NAME), executable. */
function plugin(dir: string, name: string, body: string): string {
  const path = join(dir, name)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

const credential = (status: object) =>
  `cat <<'JSON'\n${JSON.stringify({apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status})}\nJSON`

async function applied(config: string, user = 'u', timeoutMs?: number): Promise<RequestOptions> {
  const credentials = await loadCredentials([config], {execTimeoutMs: timeoutMs})
  const options: RequestOptions = {headers: {}}
  await (credentials.applier('c', user) as (o: RequestOptions) => Promise<void>)(options)
  return options
}

function kubeconfig(dir: string, exec: object): string {
  const file = join(dir, 'config')
  writeFileSync(
    file,
    JSON.stringify({
      clusters: [
        {
          name: 'c',
          cluster: {
            server: 'https://127.0.0.1:6443',
            'certificate-authority-data': Buffer.from('CA').toString('base64'),
          },
        },
      ],
      users: [{name: 'u', user: {exec}}],
      contexts: [{name: 'x', context: {cluster: 'c', user: 'u'}}],
    }),
  )
  return file
}

describe('exec credential plugins', () => {
  it('sends the token a plugin prints, resolving a relative command against the kubeconfig and passing env and KUBERNETES_EXEC_INFO', async () => {
    const dir = tempFiles({})
    plugin(
      dir,
      'token-plugin',
      `printf '%s' "$KUBERNETES_EXEC_INFO" > "${dir}/info.json"; printf '%s' "$MY_VAR $1" > "${dir}/seen"\n${credential({token: 'plugin-token'})}`,
    )
    const config = kubeconfig(dir, {
      command: './token-plugin',
      args: ['arg1'],
      env: [{name: 'MY_VAR', value: 'from-kubeconfig'}],
      apiVersion: 'client.authentication.k8s.io/v1',
      interactiveMode: 'Never',
      provideClusterInfo: true,
    })
    const o = await applied(config)
    expect(o.headers).toMatchObject({authorization: 'Bearer plugin-token'})
    expect(String(o.ca)).toBe('CA')
    expect(readFileSync(join(dir, 'seen'), 'utf8')).toBe('from-kubeconfig arg1')
    const info = JSON.parse(readFileSync(join(dir, 'info.json'), 'utf8'))
    expect(info).toMatchObject({
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1',
      spec: {interactive: false, cluster: {server: 'https://127.0.0.1:6443'}},
    })
  })

  it('uses a client certificate and key a plugin gives', async () => {
    const dir = tempFiles({})
    plugin(dir, 'cert-plugin', credential({clientCertificateData: 'CERT-PEM', clientKeyData: 'KEY-PEM'}))
    const o = await applied(
      kubeconfig(dir, {command: join(dir, 'cert-plugin'), apiVersion: 'client.authentication.k8s.io/v1beta1'}),
    )
    expect([String(o.cert), String(o.key)]).toEqual(['CERT-PEM', 'KEY-PEM'])
    expect(o.headers).not.toHaveProperty('authorization')
  })

  it('runs a plugin once for concurrent requests, and again once its credential expires', async () => {
    const dir = tempFiles({})
    const soon = new Date(Date.now() + 5_000).toISOString() // inside the renewal margin: expired for us
    plugin(dir, 'counting', `echo run >> "${dir}/runs"\n${credential({token: 't', expirationTimestamp: soon})}`)
    const source = execCredentialSource(
      {command: join(dir, 'counting')},
      {user: 'u', dir, cluster: {}, timeoutMs: 10_000, stdinIsTerminal: false},
    )
    await Promise.all([source(), source(), source()])
    expect(readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n')).toHaveLength(1)
    await source()
    expect(readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n')).toHaveLength(2)
  })

  it('stops a plugin that hangs, within the timeout, and says which and how to look', async () => {
    const dir = tempFiles({})
    plugin(dir, 'hangs', `echo $$ > "${dir}/pid"; exec sleep 600`)
    const error = await applied(kubeconfig(dir, {command: join(dir, 'hangs'), args: ['get-token']}), 'u', 1_000).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).message).toMatch(
      /credential plugin ".*hangs" of user "u" gave no credential within 0.9 s/,
    )
    expect((error as TimeoutError).hint).toContain('hangs get-token')
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'))
    expect(() => process.kill(pid, 0), 'the plugin was stopped').toThrow()
  })

  it('reports a failing plugin, a missing one (with its installHint), bad output and interactiveMode Always without a terminal', async () => {
    const dir = tempFiles({})
    plugin(dir, 'fails', 'echo "no login" >&2; exit 3')
    plugin(dir, 'garbage', 'echo not-json')
    await expect(applied(kubeconfig(dir, {command: join(dir, 'fails')}))).rejects.toThrow(ForbiddenError)
    await expect(applied(kubeconfig(dir, {command: join(dir, 'fails')}))).rejects.toThrow(/failed \(exit code 3\)/)
    await expect(applied(kubeconfig(dir, {command: join(dir, 'garbage')}))).rejects.toThrow(/printed no ExecCredential/)
    const missing = await applied(
      kubeconfig(dir, {command: 'no-such-plugin-xyz', installHint: 'brew install no-such-plugin'}),
    ).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(UsageError)
    expect((missing as UsageError).message).toMatch(
      /"no-such-plugin-xyz" of user "u" is not installed \(not found on PATH\)/,
    )
    expect((missing as UsageError).hint).toBe('brew install no-such-plugin')
    const source = execCredentialSource(
      {command: join(dir, 'fails'), interactiveMode: 'Always'},
      {user: 'u', dir, cluster: {}, timeoutMs: 5_000, stdinIsTerminal: false},
    )
    await expect(source()).rejects.toThrow(/needs a terminal/)
  })
})
