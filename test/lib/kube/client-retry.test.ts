import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {UnavailableError} from '../../../src/lib/errors.js'
import {retryDelay, sendWithRetry} from '../../../src/lib/kube/client.js'

let server: Server | undefined
afterEach(() => new Promise<void>((r) => (server === undefined ? r() : server.close(() => r()))))

/** A loopback HTTP server answering from a script of [status, headers] pairs, counting requests. */
async function scripted(answers: [number, Record<string, string>][]): Promise<{base: URL; count: () => number}> {
  let n = 0
  server = createServer((_req, res) => {
    const [status, headers] = answers[Math.min(n++, answers.length - 1)] ?? [200, {}]
    res.writeHead(status, headers).end(JSON.stringify({n}))
  })
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
  const {port} = server.address() as AddressInfo
  return {base: new URL(`http://127.0.0.1:${port}`), count: () => n}
}

const options = (base: URL) => ({hostname: base.hostname, port: base.port, path: '/x', method: 'GET'})

describe('sendWithRetry', () => {
  it('retries 503 and 429 (honouring Retry-After) until an answer', async () => {
    const {base, count} = await scripted([
      [503, {}],
      [429, {'retry-after': '0'}],
      [200, {}],
    ])
    const answer = await sendWithRetry(base, options(base), undefined)
    expect(answer.status).toBe(200)
    expect(count()).toBe(3)
  })

  it("does not retry server-side apply's 500 for a wrongly typed field (no retry changes it)", async () => {
    let n = 0
    server = createServer((_req, res) => {
      n++
      res.writeHead(500).end(
        JSON.stringify({
          message: 'failed to create typed patch object (ns/x; apps/v1, Kind=StatefulSet): .spec.x: expected string',
        }),
      )
    })
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
    const base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    expect((await sendWithRetry(base, options(base), undefined)).status).toBe(500)
    expect(n).toBe(1)
  })

  it('does not retry a 404 or 409', async () => {
    const {base, count} = await scripted([
      [404, {}],
      [200, {}],
    ])
    expect((await sendWithRetry(base, options(base), undefined)).status).toBe(404)
    expect(count()).toBe(1)
  })

  it('gives the last 5xx back when the budget runs out', async () => {
    const {base, count} = await scripted([[503, {}]])
    expect((await sendWithRetry(base, options(base), undefined, 500)).status).toBe(503)
    expect(count()).toBeGreaterThan(1)
  })

  it('retries refused connections, then fails with a clear error', async () => {
    const {base} = await scripted([[200, {}]])
    await new Promise<void>((r) => server?.close(() => r()))
    server = undefined
    await expect(sendWithRetry(base, options(base), undefined, 400)).rejects.toThrow(UnavailableError)
    await expect(sendWithRetry(base, options(base), undefined, 400)).rejects.toThrow(
      /cannot reach the host cluster at http:\/\/127\.0\.0\.1:\d+: connection refused/,
    )
  })

  it('retries a 403 from an API server that was just unreachable (its RBAC is still loading), not otherwise', async () => {
    const {base, count} = await scripted([
      [403, {}],
      [200, {}],
    ])
    expect((await sendWithRetry(base, options(base), undefined)).status).toBe(403)
    expect(count()).toBe(1)
    // The same server goes away and comes back on the same port, refusing once more as a starting server does.
    const port = Number(base.port)
    await new Promise<void>((r) => server?.close(() => r()))
    let n = 0
    const restarted = createServer((_req, res) => res.writeHead(n++ === 0 ? 403 : 200).end('{}'))
    setTimeout(() => restarted.listen(port, '127.0.0.1'), 300)
    server = restarted
    const answer = await sendWithRetry(base, options(base), undefined)
    expect(answer.status).toBe(200)
    expect(n).toBe(2)
  })

  it('backs off exponentially, capped, unless the server says how long', () => {
    expect([0, 1, 2, 5, 10].map((a) => retryDelay(a, undefined))).toEqual([100, 200, 400, 2000, 2000])
    expect(retryDelay(0, '3')).toBe(3000)
    expect(retryDelay(0, '120')).toBe(10_000)
  })
})
