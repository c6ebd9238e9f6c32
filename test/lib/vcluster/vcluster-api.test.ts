import {createServer} from 'node:net'
import {describe, expect, it} from 'vitest'
import {TimeoutError} from '../../../src/lib/errors.js'
import {waitUntilAnswers} from '../../../src/lib/vcluster/vcluster-api.js'

/** A loopback port with nothing listening (bound, read, released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as {port: number}).port
  await new Promise((r) => server.close(r))
  return port
}

describe('waitUntilAnswers', () => {
  it('says once, after a moment, why it is still waiting (a wrong --server is not a silent hang), then times out', async () => {
    const port = await closedPort()
    const told: string[] = []
    const error = await waitUntilAnswers({server: `https://127.0.0.1:${port}`, insecure: true, user: {}}, 4000, (why) =>
      told.push(why),
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(told).toHaveLength(1)
    expect(told[0]).toMatch(/ECONNREFUSED|refused/)
  })
})
