// The port-forward's own WebSocket protocol against a loopback server that speaks it as the kubelet does (behind
// the API server): channel byte, port header per channel, data and error channels.
import {createHash} from 'node:crypto'
import {createServer, type Server} from 'node:http'
import {connect} from 'node:net'
import type {RequestOptions} from 'node:https'
import {afterEach, describe, expect, it} from 'vitest'
import {WebSocketServer, type WebSocket} from 'ws'
import type {KubeClient} from '../../../src/lib/kube/client.js'
import {openForwardStream, PROTOCOL, type StreamHandlers} from '../../../src/lib/kube/forward-stream.js'
import {startPortForward, type PortForwarder} from '../../../src/lib/kube/port-forward.js'

const PORT_HEADER = [0xfb, 0x20] // 8443, little endian
const frame = (channel: number, data: Buffer | string) => Buffer.concat([Buffer.of(channel), Buffer.from(data)])

interface Seen {
  url?: string
  protocol?: string
  authorization?: string
  userAgent?: string
}

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A kubelet-like forward endpoint; `onData` gets what the client sent on the data channel. */
async function fakeKubelet(onConnection: (ws: WebSocket, seen: Seen) => void, seen: Seen = {}): Promise<string> {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
  })
  await new Promise<void>((resolve) => wss.on('listening', resolve))
  const open = new Set<WebSocket>()
  wss.on('connection', (ws, req) => {
    open.add(ws)
    Object.assign(seen, {
      url: req.url,
      protocol: ws.protocol,
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
    })
    ws.send(frame(0, Buffer.from(PORT_HEADER)))
    ws.send(frame(1, Buffer.from(PORT_HEADER)))
    onConnection(ws, seen)
  })
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const ws of open) ws.terminate()
        wss.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${wss.address().port}`
}

function fakeClient(server: string, pods: unknown[] = []): KubeClient {
  return {
    server,
    applyCredentials: async (o: RequestOptions) => {
      o.headers = {...o.headers, authorization: 'Bearer test-token', 'user-agent': 'vcluster-cli test'}
    },
    request: async () => ({items: pods}),
    watch: () => new Promise<void>(() => {}),
  } as unknown as KubeClient
}

function collect(): StreamHandlers & {data: Buffer[]; errors: string[]; closed: Promise<void>} {
  let onClosed = () => {}
  const closed = new Promise<void>((resolve) => (onClosed = resolve))
  const h = {
    data: [] as Buffer[],
    errors: [] as string[],
    closed,
    onData: (c: Buffer) => (h.data.push(c), true),
    onError: (t: string) => void h.errors.push(t),
    onClose: () => onClosed(),
  }
  return h
}

const echo = (ws: WebSocket) =>
  ws.on('message', (m: Buffer) => m[0] === 0 && ws.send(frame(0, Buffer.concat([Buffer.from('echo:'), m.subarray(1)]))))

describe('openForwardStream', () => {
  it('offers v4.channel.k8s.io with the credentials, strips the port headers, and carries data both ways', async () => {
    const seen: Seen = {}
    const server = await fakeKubelet(echo, seen)
    const h = collect()
    const stream = await openForwardStream(
      {client: fakeClient(server), namespace: 'team a', pod: 'demo-0', port: 8443},
      h,
    )
    stream.send(Buffer.from('hello'), () => {})
    await expect.poll(() => Buffer.concat(h.data).toString()).toBe('echo:hello')
    expect(seen).toEqual({
      url: '/api/v1/namespaces/team%20a/pods/demo-0/portforward?ports=8443',
      protocol: PROTOCOL,
      authorization: 'Bearer test-token',
      userAgent: 'vcluster-cli test',
    })
    stream.end()
    await h.closed
    expect(h.errors).toEqual([])
  })

  it('reports text on the error channel', async () => {
    const server = await fakeKubelet((ws) =>
      ws.send(frame(1, 'error forwarding port 8443 to pod demo-0: connection refused')),
    )
    const h = collect()
    await openForwardStream({client: fakeClient(server), namespace: 'ns', pod: 'demo-0', port: 8443}, h)
    await expect.poll(() => h.errors.join('')).toBe('error forwarding port 8443 to pod demo-0: connection refused')
    expect(h.data).toEqual([])
  })

  it("rejects with the API server's own message when it refuses the upgrade", async () => {
    const http: Server = createServer()
    http.on('upgrade', (_req, socket) => {
      const body = JSON.stringify({
        kind: 'Status',
        message: 'pods "demo-0" is forbidden: User "bob" cannot create resource "pods/portforward"',
      })
      socket.end(
        `HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      )
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => http.close(() => resolve())))
    const address = http.address()
    const server = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
    await expect(
      openForwardStream({client: fakeClient(server), namespace: 'ns', pod: 'demo-0', port: 8443}, collect()),
    ).rejects.toThrow(
      'the API server answered 403: pods "demo-0" is forbidden: User "bob" cannot create resource "pods/portforward"',
    )
  })
})

describe('startPortForward (own WebSocket streams)', () => {
  const ready = {
    metadata: {name: 'demo-0', uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z'},
    status: {phase: 'Running', conditions: [{type: 'Ready', status: 'True'}]},
  }

  async function forwardTo(server: string): Promise<PortForwarder> {
    const forward = await startPortForward({
      client: fakeClient(server, [ready]),
      namespace: 'ns',
      labelSelector: 'app=vcluster',
      remotePort: 8443,
      knownPods: [ready],
    })
    cleanups.push(() => forward.close())
    return forward
  }

  it('delivers a large answer intact to a slow reader (the stream pauses and resumes)', async () => {
    const payload = Buffer.alloc(24 << 20)
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE(i, i)
    // 32 KiB frames, as the kubelet writes them, then the pod closes the connection.
    const server = await fakeKubelet((ws) =>
      ws.on('message', () => {
        for (let at = 0; at < payload.length; at += 32 << 10) ws.send(frame(0, payload.subarray(at, at + (32 << 10))))
        ws.close()
      }),
    )
    const forward = await forwardTo(server)
    expect(forward.pod()).toBe('demo-0')
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = []
      const socket = connect(forward.port, '127.0.0.1', () => socket.write('GET /'))
      socket.on('data', (c: Buffer) => {
        chunks.push(c)
        // Read slowly for a while, so the forward's buffer fills.
        if (chunks.length % 64 === 0) {
          socket.pause()
          setTimeout(() => socket.resume(), 20)
        }
      })
      socket.on('end', () => resolve(Buffer.concat(chunks)))
      socket.on('error', reject)
    })
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex')
    expect(received.length).toBe(payload.length)
    expect(digest(received)).toBe(digest(payload))
  })

  it('listens on the preferred port, or on a free one when that is taken', async () => {
    const server = await fakeKubelet(echo)
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())))
    const takenPort = (taken.address() as {port: number}).port
    const open = (preferredPort: number) =>
      startPortForward({
        client: fakeClient(server, [ready]),
        namespace: 'ns',
        labelSelector: 'x',
        remotePort: 8443,
        knownPods: [ready],
        preferredPort,
      })
    const fallback = await open(takenPort)
    cleanups.push(() => fallback.close())
    expect(fallback.port).not.toBe(takenPort)
    expect(fallback.port).toBeGreaterThan(0)
    const free = fallback.port
    await fallback.close()
    const preferred = await open(free)
    cleanups.push(() => preferred.close())
    expect(preferred.port).toBe(free)
  })

  it('ends the local connection when the pod side closes, and the client may connect again', async () => {
    const server = await fakeKubelet((ws) =>
      ws.on('message', (m: Buffer) => {
        ws.send(frame(0, Buffer.concat([Buffer.from('bye:'), m.subarray(1)])))
        ws.close()
      }),
    )
    const forward = await forwardTo(server)
    const once = (text: string) =>
      new Promise<string>((resolve, reject) => {
        let got = ''
        const socket = connect(forward.port, '127.0.0.1', () => socket.write(text))
        socket.on('data', (c: Buffer) => (got += c.toString()))
        socket.on('end', () => resolve(got))
        socket.on('error', reject)
      })
    expect(await once('one')).toBe('bye:one')
    expect(await once('two')).toBe('bye:two')
  })
})
