import {connect, createServer, type Server} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import type {KubeClient} from '../../../src/lib/kube/client.js'
import {PodTracker, pickReadyPod} from '../../../src/lib/kube/pod-tracker.js'
import type {ForwardStream} from '../../../src/lib/kube/forward-stream.js'
import {forwardConnection, type ForwardEvent, type OpenStream} from '../../../src/lib/kube/port-forward.js'
import {stablePort} from '../../../src/lib/vcluster/connect.js'

const readyPod = (name: string, uid: string, created = '2026-01-01T00:00:00Z') => ({
  metadata: {name, uid, creationTimestamp: created},
  status: {phase: 'Running', conditions: [{type: 'Ready', status: 'True'}]},
})

/** A KubeClient whose pod list is whatever `pods()` says now; nothing else is used by the tracker. */
function fakeClient(pods: () => unknown[]): KubeClient {
  return {request: async () => ({items: pods()}), watch: async () => undefined} as unknown as KubeClient
}

let server: Server | undefined
afterEach(() => server?.close())

async function listenWith(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler)
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return typeof address === 'object' && address !== null ? address.port : 0
}

function roundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(payload))
    let got = ''
    socket.on('data', (d) => {
      got += d.toString()
      if (got.includes(payload)) socket.end(() => resolve(got))
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(got))
  })
}

describe('forwardConnection', () => {
  it('retries a stream that failed before answering on a fresh pod lookup, replaying what the client sent', async () => {
    let pods = [readyPod('demo-0', 'old')]
    const events: ForwardEvent[] = []
    const tracker = new PodTracker(
      fakeClient(() => pods),
      'ns',
      'app=vcluster',
      (e) => events.push(e),
    )
    await tracker.refresh(Date.now())
    const attempts: string[] = []
    const open: OpenStream = async (handlers) => {
      const attempt = attempts.push(tracker.name)
      if (attempt === 1) {
        // The pod went away: the kubelet reports it on the error channel and the stream closes.
        pods = [readyPod('demo-0', 'new')]
        setImmediate(() => {
          handlers.onError('error forwarding port 8443: no such pod')
          handlers.onClose()
        })
        return {send: () => true, resume() {}, end() {}, close() {}}
      }
      let open = true
      const stream: ForwardStream = {
        send(chunk) {
          setImmediate(() => open && handlers.onData(Buffer.concat([Buffer.from('pong:'), chunk])))
          return true
        },
        resume() {},
        end() {
          if (open) handlers.onClose()
          open = false
        },
        close: () => void (open = false),
      }
      return stream
    }
    const port = await listenWith(
      (socket) =>
        void forwardConnection(
          socket,
          tracker,
          {client: fakeClient(() => pods), namespace: 'ns', labelSelector: 'app=vcluster', remotePort: 8443},
          open,
        ),
    )
    expect(await roundTrip(port, 'hello')).toBe('pong:hello')
    expect(attempts).toEqual(['demo-0', 'demo-0'])
    expect(events.map((e) => e.type)).toEqual(['retrying', 'pod-changed', 'recovered'])
  })

  it('closes the connection when no pod answers within the retry window', async () => {
    const events: ForwardEvent[] = []
    const tracker = new PodTracker(
      fakeClient(() => [readyPod('demo-0', 'a')]),
      'ns',
      'app=vcluster',
      (e) => events.push(e),
    )
    await tracker.refresh(Date.now())
    const open: OpenStream = async () => Promise.reject(new Error('Unexpected server response: 404'))
    const port = await listenWith(
      (socket) =>
        void forwardConnection(
          socket,
          tracker,
          {
            client: fakeClient(() => []),
            namespace: 'ns',
            labelSelector: 'x',
            remotePort: 8443,
            retryWindowMs: 700,
            onEvent: (e) => events.push(e),
          },
          open,
        ),
    )
    expect(await roundTrip(port, 'hello')).toBe('')
    expect(events.map((e) => e.type)).toEqual(['retrying', 'connection-failed'])
    expect(events[0]).toMatchObject({reason: 'Unexpected server response: 404'})
  })
})

describe('stablePort', () => {
  const target = (server: string, namespace: string, name: string) => ({
    client: {server} as KubeClient,
    found: {name, namespace, workload: {} as never},
  })
  it('is the same for the same vCluster on the same host cluster, in 20000-29999, and differs between vClusters', () => {
    const a = stablePort(target('https://127.0.0.1:6443', 'team-a', 'demo'))
    expect(stablePort(target('https://127.0.0.1:6443', 'team-a', 'demo'))).toBe(a)
    expect(a).toBeGreaterThanOrEqual(20_000)
    expect(a).toBeLessThan(30_000)
    const others = [
      target('https://127.0.0.1:6443', 'team-b', 'demo'),
      target('https://127.0.0.1:6443', 'team-a', 'demo2'),
      target('https://10.0.0.1:6443', 'team-a', 'demo'),
    ]
    expect(new Set([a, ...others.map(stablePort)]).size).toBe(4)
  })
})

describe('pickReadyPod', () => {
  it('takes the newest Ready pod that is not terminating', () => {
    const terminating = {
      ...readyPod('b', '2', '2026-01-03T00:00:00Z'),
      metadata: {name: 'b', uid: '2', creationTimestamp: '2026-01-03T00:00:00Z', deletionTimestamp: 'x'},
    }
    const pending = {
      metadata: {name: 'c', uid: '3', creationTimestamp: '2026-01-04T00:00:00Z'},
      status: {phase: 'Pending'},
    }
    expect(
      pickReadyPod([
        readyPod('a', '1', '2026-01-01T00:00:00Z'),
        readyPod('d', '4', '2026-01-02T00:00:00Z'),
        terminating,
        pending,
      ]),
    ).toEqual({name: 'd', uid: '4'})
    expect(pickReadyPod([pending])).toBeUndefined()
  })
})
