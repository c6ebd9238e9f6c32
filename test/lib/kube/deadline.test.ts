// Every wait ends (issue 8): against a loopback API server that accepts connections and never answers, and one
// that keeps a namespace Terminating forever, each bounded wait gives up with a TimeoutError (exit 6) that names its
// bound. How soon after the bound is not asserted on the wall clock (a loaded machine delays any timer); the policy's
// arithmetic is checked on a fake clock below, and a wait that never ends trips the test timeout.
import {writeFileSync} from 'node:fs'
import {createServer as createHttpServer} from 'node:http'
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {TimeoutError} from '../../../src/lib/errors.js'
import {connectKube} from '../../../src/lib/kube/client.js'
import {DEADLINE_POLICY, Deadline, graceFor, withDeadline} from '../../../src/lib/kube/deadline.js'
import {DIAGNOSE_LIMIT_MS, diagnose} from '../../../src/lib/kube/diagnose.js'
import {ensureNamespace} from '../../../src/lib/kube/namespace.js'
import {listVClusters} from '../../../src/lib/vcluster/list.js'
import {tempFiles} from '../../helpers/run-cli.js'

const servers: Server[] = []
const sockets = new Set<Socket>()
afterEach(async () => {
  for (const s of sockets) s.destroy()
  sockets.clear()
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

async function listen(server: Server): Promise<number> {
  servers.push(server)
  server.on('connection', (s: Socket) => sockets.add(s))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as AddressInfo).port
}

/** A kubeconfig for a loopback server that accepts every connection and never says a word. */
async function silentServerKubeconfig(): Promise<string> {
  const port = await listen(createServer(() => {}))
  return kubeconfigFor(`http://127.0.0.1:${port}`)
}

function kubeconfigFor(server: string): string {
  const file = join(tempFiles({}), 'kubeconfig')
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]\n` +
      'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: ns}}]\ncurrent-context: x\n',
  )
  return file
}

async function elapsed<T>(work: Promise<T>): Promise<{ms: number; error: unknown}> {
  const started = Date.now()
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  return {ms: Date.now() - started, error}
}

describe('Deadline', () => {
  it('ends a command whose API server never answers, with a TimeoutError naming what did not finish', async () => {
    const client = await connectKube({kubeconfig: await silentServerKubeconfig()})
    const {ms, error} = await elapsed(withDeadline(300, {what: 'listing vClusters'}, () => listVClusters(client, {})))
    client.close()
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).message).toBe('listing vClusters did not finish within 300ms')
    expect((error as TimeoutError).exitCode).toBe(6)
    expect(ms, 'not before its time').toBeGreaterThanOrEqual(290)
  })

  it('gives what follows a wait its room, and stops the clock while a person is asked', async () => {
    const slow = (ms: number) => new Promise((r) => setTimeout(r, ms, 'done'))
    await expect(withDeadline(100, {what: 'x', endsWith: 'cleanup'}, () => slow(250))).resolves.toBe('done')
    await expect(withDeadline(100, {what: 'x'}, () => slow(250))).rejects.toThrow(TimeoutError)
    const deadline = new Deadline(150, {what: 'upgrade'})
    await expect(deadline.run(async () => (await deadline.untimed(() => slow(400))) && slow(50))).resolves.toBe('done')
  })

  it('leaves no timer behind when the work finishes first', async () => {
    await expect(withDeadline(60_000, {what: 'x'}, async () => 'quick')).resolves.toBe('quick')
  })
})

// One policy for every command (README "Waits and their bounds"): a wait gets what is left of --timeout, so it
// runs out first and says what it waited for; the hard stop leaves room only for a diagnosis or cleanup after it.
describe('the deadline policy', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

  it('leaves room after --timeout for a diagnosis, for cleanup, or none', () => {
    expect(graceFor('diagnosis')).toBe(DIAGNOSE_LIMIT_MS + DEADLINE_POLICY.cleanupMs)
    expect(graceFor('cleanup')).toBe(DEADLINE_POLICY.cleanupMs)
    expect(graceFor(undefined)).toBe(0)
  })

  it('gives a wait what is left of --timeout, not counting a question to a person', async () => {
    vi.useFakeTimers()
    const deadline = new Deadline(10_000, {what: 'upgrade of vCluster demo'})
    const left: number[] = []
    const done = deadline.run(async (d) => {
      left.push(d.remainingMs())
      await sleep(3000)
      left.push(d.remainingMs())
      await d.untimed(() => sleep(60_000))
      left.push(d.remainingMs())
      return 'done'
    })
    await vi.advanceTimersByTimeAsync(63_000)
    await expect(done).resolves.toBe('done')
    expect(left).toEqual([10_000, 7000, 7000])
  })

  it("lets the wait's own timeout (with its diagnosis) end the operation, not the hard stop", async () => {
    vi.useFakeTimers()
    const waitFor = async (ms: number) => {
      await sleep(ms)
      await sleep(DIAGNOSE_LIMIT_MS) // the diagnosis, at its limit
      throw new TimeoutError('vCluster demo was not ready', 'Wait longer')
    }
    // Applying took most of --timeout: a wait given the whole of it again would run past the hard stop.
    const create = withDeadline(10_000, {what: 'create of vCluster demo', endsWith: 'diagnosis'}, async (d) => {
      await sleep(8000)
      return waitFor(d.remainingMs())
    })
    const settled = create.catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(10_000 + DIAGNOSE_LIMIT_MS)
    expect(((await settled) as Error).message).toBe('vCluster demo was not ready')
  })

  it('stops a list at --timeout itself, and takes the default when none is given', async () => {
    vi.useFakeTimers()
    const list = withDeadline(1000, {what: 'listing vClusters'}, () => sleep(1001)).catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(1000)
    expect(((await list) as Error).message).toBe('listing vClusters did not finish within 1s')
    await expect(withDeadline(undefined, {what: 'x'}, async (d) => d.remainingMs())).resolves.toBe(
      DEADLINE_POLICY.defaultTimeoutMs,
    )
  })
})

describe('bounded waits inside lib', () => {
  it('diagnose gives up after its limit and says why', async () => {
    const client = await connectKube({kubeconfig: await silentServerKubeconfig()})
    expect(await diagnose(client, 'ns', 'demo', 200)).toEqual([
      'could not look closer: the API server did not answer within 0.2s',
    ])
    client.close()
  })

  it('ensureNamespace stops waiting for a namespace that stays Terminating', async () => {
    const port = await listen(
      createHttpServer((_req, res) => {
        res
          .writeHead(200, {'content-type': 'application/json'})
          .end(JSON.stringify({metadata: {name: 'ns'}, status: {phase: 'Terminating'}}))
      }) as unknown as Server,
    )
    const client = await connectKube({kubeconfig: kubeconfigFor(`http://127.0.0.1:${port}`)})
    const {error} = await elapsed(ensureNamespace(client, 'ns', true, false, 300))
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as Error).message).toMatch(/namespace ns is still terminating after 0.3s/)
    client.close()
  })
})
