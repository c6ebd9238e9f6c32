import {mkdirSync, writeFileSync} from 'node:fs'
import type {RequestOptions} from 'node:https'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {UsageError} from '../../../src/lib/errors.js'
import {loadCredentials} from '../../../src/lib/kube/credentials.js'
import {tempFiles} from '../../helpers/run-cli.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')

async function applied(files: string[], cluster: string, user: string): Promise<RequestOptions> {
  const credentials = await loadCredentials(files)
  const apply = credentials.applier(cluster, user)
  if (apply === undefined) throw new Error('expected our own credentials')
  const options: RequestOptions = {headers: {accept: 'application/json'}}
  await apply(options)
  return options
}

describe('loadCredentials (kubeconfig without client-node)', () => {
  it('reads paths relative to the file that names them, and inline data', async () => {
    const dir = tempFiles({})
    mkdirSync(join(dir, 'pki'))
    writeFileSync(join(dir, 'pki', 'ca.crt'), 'CA-PEM')
    writeFileSync(join(dir, 'pki', 'me.key'), 'KEY-PEM')
    writeFileSync(
      join(dir, 'config'),
      `clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", certificate-authority: pki/ca.crt, tls-server-name: api.local}}]
users: [{name: u, user: {client-certificate-data: ${b64('CERT-PEM')}, client-key: pki/me.key}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    )
    const credentials = await loadCredentials([join(dir, 'config')])
    expect(credentials.server('c')).toBe('https://127.0.0.1:6443')
    const o = await applied([join(dir, 'config')], 'c', 'u')
    expect([String(o.ca), String(o.cert), String(o.key)]).toEqual(['CA-PEM', 'CERT-PEM', 'KEY-PEM'])
    expect(o.servername).toBe('api.local')
    expect(o.rejectUnauthorized).toBeUndefined()
    expect(o.headers).toEqual({accept: 'application/json'})
  })

  it('sends a token (inline or from tokenFile) or basic auth; honours insecure-skip-tls-verify', async () => {
    const dir = tempFiles({token: 'from-file\n'})
    writeFileSync(
      join(dir, 'config'),
      `clusters: [{name: c, cluster: {server: "https://h", insecure-skip-tls-verify: true}}]
users:
- {name: t, user: {token: abc}}
- {name: f, user: {tokenFile: token}}
- {name: b, user: {username: me, password: pw}}
`,
    )
    const file = join(dir, 'config')
    expect((await applied([file], 'c', 't')).headers).toMatchObject({authorization: 'Bearer abc'})
    expect((await applied([file], 'c', 'f')).headers).toMatchObject({authorization: 'Bearer from-file'})
    expect((await applied([file], 'c', 'b')).headers).toMatchObject({authorization: `Basic ${b64('me:pw')}`})
    expect((await applied([file], 'c', 't')).rejectUnauthorized).toBe(false)
  })

  it('leaves auth-provider users and impersonation to client-node; runs exec plugins and names the proxy-url itself', async () => {
    const dir = tempFiles({
      config: `clusters: [{name: c, cluster: {server: "https://h"}}, {name: p, cluster: {server: "https://h", proxy-url: "http://127.0.0.1:3128"}}]
users:
- {name: e, user: {exec: {command: gke-gcloud-auth-plugin, apiVersion: client.authentication.k8s.io/v1beta1}}}
- {name: a, user: {auth-provider: {name: oidc}}}
- {name: i, user: {token: x, as: admin}}
- {name: ok, user: {token: x}}
`,
    })
    const credentials = await loadCredentials([join(dir, 'config')])
    for (const user of ['a', 'i']) expect(credentials.applier('c', user)).toBeUndefined()
    expect(credentials.applier('c', 'e')).toBeTypeOf('function')
    expect(credentials.applier('p', 'ok')).toBeTypeOf('function')
    expect(credentials.proxyUrl('p')).toBe('http://127.0.0.1:3128')
    expect(credentials.proxyUrl('c')).toBeUndefined()
    expect(credentials.applier('c', 'ok')).toBeTypeOf('function')
  })

  it('merges files as kubectl does: the first to name an entry or a current-context wins; missing files are skipped', async () => {
    const dir = tempFiles({
      a: 'clusters: [{name: c, cluster: {server: "https://first"}}]\n',
      b: 'clusters: [{name: c, cluster: {server: "https://second"}}, {name: d, cluster: {server: "https://d"}}]\ncurrent-context: y\n',
    })
    const credentials = await loadCredentials([join(dir, 'a'), join(dir, 'missing'), join(dir, 'b')])
    expect(credentials.server('c')).toBe('https://first')
    expect(credentials.server('d')).toBe('https://d')
    expect(credentials.server('nope')).toBeUndefined()
    expect(credentials.doc['current-context']).toBe('y')
  })

  it('names the file when it is not YAML', async () => {
    const dir = tempFiles({config: 'clusters: [unclosed\n'})
    await expect(loadCredentials([join(dir, 'config')])).rejects.toThrow(UsageError)
    await expect(loadCredentials([join(dir, 'config')])).rejects.toThrow(
      `cannot load kubeconfig ${join(dir, 'config')}`,
    )
  })
})
