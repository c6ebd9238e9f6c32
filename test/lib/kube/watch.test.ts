import {writeFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {ForbiddenError} from '../../../src/lib/errors.js'
import {connectKube} from '../../../src/lib/kube/client.js'
import {keepWatching} from '../../../src/lib/kube/watch.js'
import {tempFiles} from '../../helpers/run-cli.js'

let server: Server | undefined
const agents: string[] = []
afterEach(
  () =>
    new Promise<void>((r) => (server === undefined ? r() : (server.closeAllConnections(), server.close(() => r())))),
)

/** A loopback API server whose n-th watch request is answered by the n-th handler (the last one repeats). */
async function apiServer(
  handlers: ((req: IncomingMessage, res: ServerResponse) => void)[],
): Promise<{kubeconfig: string; queries: URLSearchParams[]}> {
  const queries: URLSearchParams[] = []
  server = createServer((req, res) => {
    queries.push(new URL(req.url ?? '/', 'http://x').searchParams)
    agents.push(req.headers['user-agent'] ?? '')
    ;(handlers[queries.length - 1] ?? handlers.at(-1))?.(req, res)
  })
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
  const {port} = server.address() as AddressInfo
  const kubeconfig = join(tempFiles({}), 'kubeconfig')
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\n` +
      'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: ns}}]\ncurrent-context: x\n',
  )
  return {kubeconfig, queries}
}

const event = (type: string, name: string) => `${JSON.stringify({type, object: {metadata: {name}}})}\n`

describe('keepWatching', () => {
  it('opens a new watch when one ends or goes silent, asks the server to end each, and reports only the fault', async () => {
    const {kubeconfig, queries} = await apiServer([
      (_q, res) => res.writeHead(200).end(event('ADDED', 'first')), // the server ends it: routine
      (_q, res) => res.writeHead(200).write(event('ADDED', 'second')), // then silence (a half-open connection)
      (_q, res) => res.writeHead(200).write(event('MODIFIED', 'third')),
    ])
    const client = await connectKube({kubeconfig})
    const seen: string[] = []
    const rewatches: string[] = []
    const abort = new AbortController()
    await keepWatching(
      client,
      '/api/v1/namespaces/ns/pods',
      {labelSelector: 'a=b'},
      (type, obj) => {
        seen.push(`${type} ${(obj as {metadata: {name: string}}).metadata.name}`)
        if (seen.length === 3) abort.abort()
      },
      abort.signal,
      {watchSeconds: 1, onRewatch: (r) => rewatches.push(r)},
    )
    client.close()
    expect(seen).toEqual(['ADDED first', 'ADDED second', 'MODIFIED third'])
    expect(rewatches).toEqual(['the watch went silent'])
    expect(queries.map((q) => [q.get('watch'), q.get('timeoutSeconds'), q.get('labelSelector')])).toEqual(
      Array(3).fill(['true', '1', 'a=b']),
    )
    // Audit logs name us, as they name kubectl.
    expect(agents.at(-1)).toMatch(/^vcluster-cli \(\w+\/\w+\) node\/\d+\.\d+\.\d+$/)
  })

  it('stops at an error no retry can cure', async () => {
    const {kubeconfig} = await apiServer([(_q, res) => res.writeHead(403).end('{"message":"no"}')])
    const client = await connectKube({kubeconfig})
    await expect(
      keepWatching(client, '/api/v1/namespaces/ns/pods', {}, () => {}, new AbortController().signal),
    ).rejects.toThrow(ForbiddenError)
    client.close()
  })
})
