// Every wait has a bound and a flag (issue 8): against a loopback API server that accepts connections and never
// answers, commands given --timeout 1s give up with exit 6 and say what did not finish, instead of waiting.
import {writeFileSync} from 'node:fs'
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli, tempFiles} from '../helpers/run-cli.js'

let server: Server
const sockets = new Set<Socket>()
let kubeconfig: string

beforeAll(async () => {
  server = createServer((s) => sockets.add(s))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const {port} = server.address() as AddressInfo
  kubeconfig = join(tempFiles({}), 'kubeconfig')
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\n` +
      'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: ns}}]\ncurrent-context: x\n',
  )
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise((r) => server.close(r))
})

describe('--timeout ends a command whose API server never answers', () => {
  it.each([
    [['list'], 'listing vClusters did not finish within 1s', 1],
    [['describe', 'demo'], 'describe of vCluster demo did not finish within 1s', 1],
    // pause and delete leave room (5 s) for what follows their wait: deleting the synced workloads, the contexts.
    [['pause', 'demo'], 'pause of vCluster demo did not finish within 1s', 6],
    [['delete', 'demo'], 'delete of vCluster demo did not finish within 1s', 6],
    // create leaves its readiness wait room (15 s) for the diagnosis; the requests before it are bounded too.
    [['create', 'demo'], 'create of vCluster demo did not finish within 1s', 16],
    // connect: the same, up to a working context (forwarding until Ctrl-C, or the command, is not timed).
    [['connect', 'demo', '--print'], 'connect to vCluster demo did not finish within 1s', 16],
  ])(
    '%j',
    async (args, message, boundS) => {
      const started = Date.now()
      const r = await runCli([...args, '--kubeconfig', kubeconfig, '--timeout', '1s'])
      const took = Date.now() - started
      expect(r.exitCode, r.stderr).toBe(6)
      expect(r.stderr).toContain(`error: ${message}`)
      expect(took).toBeLessThan(boundS * 1000 + 4000)
    },
    30_000,
  )
})

describe('--timeout is one typed flag', () => {
  it.each(['create', 'connect', 'delete', 'describe', 'list', 'pause', 'resume', 'upgrade', 'disconnect'])(
    '%s refuses a value that is not a duration, before contacting anything (exit 2, one message)',
    async (command) => {
      const args = command === 'list' || command === 'disconnect' ? [] : ['demo']
      const connections = sockets.size
      const r = await runCli([command, ...args, '--timeout', '5x', '--kubeconfig', kubeconfig])
      expect(r.exitCode, r.stderr).toBe(2)
      expect(r.stderr).toBe('error: --timeout "5x" is not a duration\nWrite it like 90s, 5m or 1h30m.')
      expect(sockets.size).toBe(connections)
    },
  )
})
