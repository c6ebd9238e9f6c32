// A kubeconfig cluster with proxy-url (a user behind a corporate proxy): every connection of the CLI to the API
// server goes through that HTTP CONNECT proxy, as kubectl's do, including the port-forward's WebSocket of connect.
import {readFileSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {connect, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {newNamespace, useHostCluster, vcluster, waitForStandIn, type TestNamespace} from '../cluster/index.js'
import {tempFiles} from '../helpers/run-cli.js'

useHostCluster()

/** A CONNECT proxy on loopback that counts its tunnels; `refuse` makes it answer 403 instead. */
function startProxy(): {server: Server; connects: string[]; refuse: boolean; url: () => string} {
  const state = {server: createServer(), connects: [] as string[], refuse: false, url: () => ''}
  const sockets = new Set<Socket>()
  state.server.on('connect', (req, client: Socket) => {
    sockets.add(client)
    client.on('error', () => undefined)
    state.connects.push(req.url ?? '')
    if (state.refuse) return client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
    const [host, port] = [
      (req.url ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, ''),
      Number((req.url ?? '').split(':').pop()),
    ]
    const upstream = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
  })
  state.server.on('close', () => sockets.forEach((s) => s.destroy()))
  state.url = () => `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`
  return state
}

const proxy = startProxy()
let ns: TestNamespace
let kubeconfig: string
let apiServer: string

beforeAll(async () => {
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
  ns = await newNamespace('proxy')
  const doc = parse(readFileSync(ns.userKubeconfig, 'utf8'))
  for (const c of doc.clusters) c.cluster['proxy-url'] = proxy.url()
  apiServer = new URL(doc.clusters[0].cluster.server).host
  kubeconfig = join(tempFiles({}), 'kubeconfig')
  writeFileSync(kubeconfig, stringify(doc), {mode: 0o600})
})

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.server.close(() => resolve()))
})

describe('a kubeconfig cluster with proxy-url', () => {
  it('sends vcluster list through the proxy (CONNECT to the API server), and fails when the proxy refuses', async () => {
    const r = await vcluster(['list', '-o', 'json'], {kubeconfig})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([])
    expect(proxy.connects.length).toBeGreaterThan(0)
    expect(new Set(proxy.connects)).toEqual(new Set([apiServer]))

    proxy.refuse = true
    try {
      const refused = await vcluster(['list', '--timeout', '5s'], {kubeconfig})
      // Said at once as the proxy's refusal (exit 5), not retried into a timeout.
      expect(refused.exitCode, refused.stderr).toBe(5)
      expect(refused.stderr).toContain(
        `the proxy 127.0.0.1:${new URL(proxy.url()).port} (the kubeconfig's proxy-url) refused the tunnel to ${apiServer}: 403`,
      )
    } finally {
      proxy.refuse = false
    }
  })

  it('creates and connects through it: the port-forward WebSocket tunnels through the proxy too', async () => {
    const fits = ['--set', 'controlPlane.statefulSet.resources.requests.ephemeral-storage=0']
    const beforeCreate = proxy.connects.length
    const created = await vcluster(['create', 'demo', '-n', ns.name, '--no-connect', ...fits], {
      kubeconfig,
      timeoutMs: 300_000,
    })
    expect(created.exitCode, created.stderr).toBe(0)
    expect(proxy.connects.length).toBeGreaterThan(beforeCreate)
    await waitForStandIn(ns.name, 'demo')
    const before = proxy.connects.length
    const r = await vcluster(['connect', 'demo', '-n', ns.name, '--', 'kubectl', 'get', 'namespaces'], {kubeconfig})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^kube-system\s+Active/m)
    // One tunnel for the requests (HTTP/1.1 keep-alive) and at least one per forwarded connection.
    expect(proxy.connects.length - before).toBeGreaterThanOrEqual(2)
  })

  it('connect -- COMMAND: the child gets its arguments byte for byte (--x=true|false after -- are not ours)', async () => {
    const printArgv = ['sh', '-c', 'printf "%s\\n" "$@"', 'sh', '--print=false', '--insecure=true']
    const r = await vcluster(['connect', 'demo', '-n', ns.name, '--print=false', '--', ...printArgv], {kubeconfig})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toBe('--print=false\n--insecure=true')
  })
})
