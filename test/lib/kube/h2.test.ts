// The client's HTTP/2 transport against real TLS servers on loopback: one connection for concurrent requests, a
// fallback to HTTP/1.1 for servers without HTTP/2, and recovery when the connection dies or a watch goes silent.
import {createServer as createH1Server} from 'node:https'
import {createSecureServer, type Http2SecureServer, type ServerHttp2Session} from 'node:http2'
import {readFileSync, writeFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, beforeAll, describe, expect, it} from 'vitest'
import {UnavailableError} from '../../../src/lib/errors.js'
import {connectKube, type KubeClient} from '../../../src/lib/kube/client.js'
import {H2Connection} from '../../../src/lib/kube/h2.js'
import {keepWatching} from '../../../src/lib/kube/watch.js'
import {ensureCa, issue} from '../../cluster/certs.js'
import {tempFiles} from '../../helpers/run-cli.js'

let dir: string
let tls: {key: Buffer; cert: Buffer; ca: Buffer}
let client2: {key: Buffer; cert: Buffer}
const cleanup: (() => void)[] = []
afterEach(() => cleanup.splice(0).forEach((f) => f()))

beforeAll(async () => {
  dir = tempFiles({})
  const ca = await ensureCa(join(dir, 'ca'), 'h2-test-ca')
  const server = await issue(ca, dir, 'server', {cn: '127.0.0.1', sans: ['127.0.0.1']})
  tls = {key: readFileSync(server.key), cert: readFileSync(server.cert), ca: readFileSync(ca.cert)}
  const other = await issue(ca, dir, 'client2', {cn: 'client2'})
  client2 = {key: readFileSync(other.key), cert: readFileSync(other.cert)}
})

async function clientFor(port: number): Promise<KubeClient> {
  const file = join(dir, `kubeconfig-${port}`)
  writeFileSync(
    file,
    JSON.stringify({
      clusters: [
        {
          name: 'c',
          cluster: {server: `https://127.0.0.1:${port}`, 'certificate-authority-data': tls.ca.toString('base64')},
        },
      ],
      users: [{name: 'u', user: {token: 'secret-token'}}],
      contexts: [{name: 'x', context: {cluster: 'c', user: 'u'}}],
      'current-context': 'x',
    }),
  )
  const client = await connectKube({kubeconfig: file})
  cleanup.push(() => client.close())
  return client
}

async function listen(server: Http2SecureServer | ReturnType<typeof createH1Server>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(() => server.close())
  return (server.address() as AddressInfo).port
}

describe('the HTTP/2 transport', () => {
  it('sends concurrent requests over one TLS connection, with the credentials as headers', async () => {
    const sessions = new Set<ServerHttp2Session>()
    let connections = 0
    const server = createSecureServer({key: tls.key, cert: tls.cert})
    server.on('secureConnection', () => connections++)
    server.on('stream', (stream, headers) => {
      sessions.add(stream.session as ServerHttp2Session)
      stream.respond({':status': 200, 'content-type': 'application/json'})
      stream.end(
        JSON.stringify({
          path: headers[':path'],
          auth: headers.authorization,
          agent: headers['user-agent'],
          v: stream.session?.alpnProtocol,
        }),
      )
    })
    const client = await clientFor(await listen(server))
    const answers = await Promise.all(
      Array.from({length: 8}, (_, i) =>
        client.request<{path: string; auth: string; agent: string; v: string}>({path: `/r/${i}`}),
      ),
    )
    expect(answers.map((a) => a.path)).toEqual(Array.from({length: 8}, (_, i) => `/r/${i}`))
    expect(
      answers.every((a) => a.auth === 'Bearer secret-token' && a.v === 'h2' && a.agent.startsWith('vcluster-cli')),
    ).toBe(true)
    expect(connections).toBe(1)
    expect(sessions.size).toBe(1)
  })

  it('falls back to HTTP/1.1 for a server without HTTP/2', async () => {
    const server = createH1Server({key: tls.key, cert: tls.cert}, (req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({version: req.httpVersion}))
    })
    const client = await clientFor(await listen(server))
    const answers = await Promise.all([1, 2, 3].map(() => client.request<{version: string}>({path: '/version'})))
    expect(answers.map((a) => a.version)).toEqual(['1.1', '1.1', '1.1'])
  })

  it('opens a new connection when the server drops the old one; a watch on it ends instead of hanging', async () => {
    const server = createSecureServer({key: tls.key, cert: tls.cert})
    server.on('stream', (stream, headers) => {
      stream.respond({':status': 200, 'content-type': 'application/json'})
      if (String(headers[':path']).includes('watch=true'))
        stream.write(`${JSON.stringify({type: 'ADDED', object: {n: 1}})}\n`)
      else stream.end('{}')
    })
    let connections = 0
    server.on('secureConnection', () => connections++)
    const sessions: ServerHttp2Session[] = []
    server.on('session', (s) => sessions.push(s))
    const client = await clientFor(await listen(server))
    const seen: unknown[] = []
    const watching = client.watch('/api/v1/pods', {}, (_t, o) => seen.push(o), new AbortController().signal)
    await waitUntil(() => seen.length === 1)
    for (const s of sessions) s.destroy() // the server goes away mid-watch
    // Ended, or failed as unreachable (which the caller retries): either way it does not hang.
    const outcome = await watching.then(
      () => 'ended',
      (e: unknown) => (e instanceof UnavailableError ? 'unreachable' : String(e)),
    )
    expect(['ended', 'unreachable']).toContain(outcome)
    await client.request({path: '/again'})
    expect(connections).toBe(2)
  })

  it('opens a new connection when the client certificate changes (a plugin renewed it), not for an equal copy', async () => {
    const server = createSecureServer({key: tls.key, cert: tls.cert})
    let connections = 0
    server.on('secureConnection', () => connections++)
    const conn = new H2Connection(`https://127.0.0.1:${await listen(server)}`)
    cleanup.push(() => conn.close())
    const first = {ca: tls.ca, cert: Buffer.from(tls.cert), key: tls.key}
    const s1 = await conn.get(first)
    // Compared by identity: vitest's formatter cannot walk a session (its socket is a proxy).
    expect((await conn.get({...first, cert: Buffer.from(tls.cert)})) === s1).toBe(true)
    const s3 = await conn.get({ca: tls.ca, ...client2})
    expect(s3 === s1).toBe(false)
    await waitUntil(() => connections === 2) // the server sees the handshake end a moment after the client
    await new Promise((r) => setTimeout(r, 50))
    expect(connections).toBe(2)
  })

  it('replaces a connection whose watch went silent (half-open), so the next watch does not hang on it', async () => {
    const server = createSecureServer({key: tls.key, cert: tls.cert})
    let connections = 0
    server.on('secureConnection', () => connections++)
    let watches = 0
    server.on('stream', (stream) => {
      stream.respond({':status': 200, 'content-type': 'application/json'})
      if (++watches === 2) stream.write(`${JSON.stringify({type: 'ADDED', object: {done: true}})}\n`) // the second watch answers
    })
    const client = await clientFor(await listen(server))
    const stop = new AbortController()
    const events: unknown[] = []
    const watching = keepWatching(
      client,
      '/api/v1/pods',
      {},
      (_t, o) => {
        events.push(o)
        stop.abort()
      },
      stop.signal,
      {watchSeconds: 1},
    )
    await watching
    expect(events).toEqual([{done: true}])
    expect(connections).toBe(2)
  })
})

/** Waits for what the other side does next; no wall-clock cap (a busy machine is slow; a hang trips the timeout). */
async function waitUntil(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((r) => setTimeout(r, 10))
}
