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

// Exit 6 with "did not finish within 1s" is the deadline's own error: the command gave up, it did not wait the
// server out. When it gives up (--timeout plus the room the policy leaves after it) is test/lib/kube/deadline.test.ts's,
// on a fake clock; a wall-clock bound here would measure the machine. Concurrent: each mostly waits out its deadline
// (create and connect 16 s), so side by side they take as long as the longest one.
describe.concurrent('--timeout ends a command whose API server never answers', () => {
  it.for([
    [['list'], 'listing vClusters did not finish within 1s'],
    [['describe', 'demo'], 'describe of vCluster demo did not finish within 1s'],
    [['pause', 'demo'], 'pause of vCluster demo did not finish within 1s'],
    [['delete', 'demo'], 'delete of vCluster demo did not finish within 1s'],
    [['create', 'demo'], 'create of vCluster demo did not finish within 1s'],
    // connect: up to a working context (forwarding until Ctrl-C, or the command, is not timed).
    [['connect', 'demo', '--print'], 'connect to vCluster demo did not finish within 1s'],
  ] as const)('%j', async ([args, message], {expect}) => {
    const r = await runCli([...args, '--kubeconfig', kubeconfig, '--timeout', '1s'])
    expect(r.exitCode, r.stderr).toBe(6)
    expect(r.stderr).toContain(`error: ${message}`)
  })
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
