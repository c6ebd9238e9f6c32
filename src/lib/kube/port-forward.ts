import {createServer, type Server, type Socket} from 'node:net'
import {PassThrough, Writable} from 'node:stream'
import type {KubeConfig} from '@kubernetes/client-node'
import {UnavailableError, UsageError} from '../errors.js'
import type {KubeClient} from './client.js'
import {PodTracker} from './pod-tracker.js'

export type ForwardEvent =
  | {type: 'pod-changed'; pod: string; replaced: string}
  | {type: 'pod-gone'; pod: string}
  | {type: 'retrying'; pod?: string; reason: string}
  | {type: 'recovered'; pod: string}
  | {type: 'connection-failed'; reason: string}

export interface ForwardOptions {
  client: KubeClient
  namespace: string
  /** Pods to forward to; the newest Ready one is used, and looked up again when it stops answering. */
  labelSelector: string
  remotePort: number
  /** 0 or undefined: a free port. */
  localPort?: number
  /** How long one accepted connection waits for a pod to answer before it is closed. */
  retryWindowMs?: number
  /** How long to wait for a Ready pod before listening (the workload may be ready a moment before its pod is). */
  podWaitMs?: number
  onEvent?: (event: ForwardEvent) => void
}

export interface PortForwarder {
  address: string
  port: number
  /** The pod the last connection went to. */
  pod(): string
  close(): Promise<void>
}

/** Minimal view of the `ws` socket client-node returns. */
interface StreamSocket {
  on(event: 'close', listener: () => void): void
  close(): void
}

const ADDRESS = '127.0.0.1'
/** What a connection may send before its first answer and still be replayed (a TLS ClientHello is a few KiB). */
const MAX_REPLAY_BYTES = 1 << 20
/** How long opening one stream (the upgrade through the API server) may take. */
const OPEN_TIMEOUT_MS = 10_000

/**
 * Listens on 127.0.0.1 and opens one port-forward stream (client-node's PortForward, through the host API server)
 * per accepted connection. Until the first byte comes back, what the client sent is kept: if the pod is gone or
 * the API server drops the stream, the connection is retried (new pod, backoff) and replayed, so a restarted
 * vCluster pod costs a short wait instead of a failed request.
 */
export async function startPortForward(options: ForwardOptions): Promise<PortForwarder> {
  const pods = new PodTracker(options.client, options.namespace, options.labelSelector, options.onEvent)
  await pods.refresh(Date.now() + (options.podWaitMs ?? 0)).catch(() => {
    throw new UnavailableError(`no ready vCluster pod (${options.labelSelector}) in namespace ${options.namespace}`, `Check it: kubectl -n ${options.namespace} get pods -l ${options.labelSelector}`)
  })
  // Deep imports, not the package index: the bundle then carries only what these need (scripts/bundle.ts).
  const {PortForward} = await import('@kubernetes/client-node/dist/portforward.js')
  const {WebSocketHandler} = await import('@kubernetes/client-node/dist/web-socket-handler.js')
  const kc = (await options.client.loadKubeConfig()) as KubeConfig
  // Our own idle streams: client-node would otherwise end process.stdout when a stream-close frame arrives.
  const handler = new WebSocketHandler(kc, undefined, {stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough()})
  const forwarder = new PortForward(kc, true, handler)
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    void forwardConnection(socket, pods, options, (input, output, err) => forwarder.portForward(options.namespace, pods.name, [options.remotePort], output, err, input) as Promise<unknown> as Promise<StreamSocket>)
  })
  const port = await listen(server, options.localPort ?? 0)
  pods.follow()
  return {
    address: ADDRESS,
    port,
    pod: () => pods.name,
    close: async () => {
      pods.stop()
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new UsageError(`local port ${port} is already in use`, 'Pick another with --local-port, or leave it out to use a free one.'))
      else reject(error)
    })
    server.listen(port, ADDRESS, () => {
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : port)
    })
  })
}

export type OpenStream = (input: PassThrough, output: Writable, err: Writable) => Promise<StreamSocket>

/** One accepted connection: stream attempts until one answers, the window ends, or the client goes away. */
export async function forwardConnection(socket: Socket, pods: PodTracker, options: ForwardOptions, open: OpenStream): Promise<void> {
  const sent: Buffer[] = []
  let sentBytes = 0
  let input: PassThrough | undefined
  let clientEnded = false
  let established = false
  socket.setNoDelay(true)
  socket.on('data', (chunk: Buffer) => {
    if (!established) {
      sent.push(chunk)
      sentBytes += chunk.length
    }
    input?.write(chunk)
  })
  socket.on('end', () => {
    clientEnded = true
    input?.end()
  })
  socket.on('error', () => socket.destroy())
  const deadline = Date.now() + (options.retryWindowMs ?? 30_000)
  for (let attempt = 0; !socket.destroyed; attempt++) {
    input = new PassThrough()
    for (const chunk of sent) input.write(chunk)
    if (clientEnded) input.end()
    const outcome = await attemptStream(socket, input, open, () => (established = true))
    if (outcome === 'established' || socket.destroyed) {
      if (outcome === 'established') pods.succeeded()
      return
    }
    pods.failed(outcome)
    const backoff = Math.min(200 * 2 ** attempt, 2000)
    if (Date.now() + backoff > deadline || sentBytes > MAX_REPLAY_BYTES) break
    await sleep(backoff)
    await pods.refresh(deadline).catch(() => undefined)
  }
  if (!socket.destroyed) options.onEvent?.({type: 'connection-failed', reason: `no answer from the vCluster pod within ${Math.round((options.retryWindowMs ?? 30_000) / 1000)}s`})
  socket.destroy()
}

/** Resolves 'established' once the pod sent data, or a reason when the stream failed before that. */
function attemptStream(socket: Socket, input: PassThrough, open: OpenStream, onEstablished: () => void): Promise<string> {
  return new Promise((resolve) => {
    let outcome: string | undefined
    let errorText = ''
    let stream: StreamSocket | undefined
    let timer: NodeJS.Timeout | undefined
    const settle = (result: string) => {
      clearTimeout(timer)
      socket.off('close', onClientClose)
      if (outcome !== undefined) return
      outcome = result
      if (result === 'established') socket.once('close', () => stream?.close())
      else stream?.close()
      resolve(result)
    }
    const output = new Writable({
      write(chunk: Buffer, _enc, done) {
        // The first frame of each stream is only the port number, which client-node strips to an empty chunk.
        if (chunk.length === 0) return done()
        if (outcome === undefined) {
          onEstablished()
          settle('established')
        }
        // Straight into the socket's buffer, waiting only while it is full: waiting for every chunk to be flushed
        // keeps one chunk in flight and loses throughput when the machine is busy.
        if (!socket.writable || socket.write(chunk)) return done()
        const resume = () => {
          socket.off('drain', resume).off('close', resume)
          done()
        }
        socket.on('drain', resume).on('close', resume)
      },
    })
    const err = new Writable({
      write(chunk: Buffer, _enc, done) {
        errorText += chunk.toString('utf8')
        if (errorText.trim() !== '') settle(errorText.trim())
        done()
      },
    })
    // A function declaration: settle (above) removes it, so retries do not pile up listeners.
    function onClientClose(): void {
      stream?.close()
      settle('client closed')
    }
    socket.once('close', onClientClose)
    timer = setTimeout(() => settle('the API server did not open the stream within 10s'), OPEN_TIMEOUT_MS)
    open(input, output, err).then(
      (ws) => {
        clearTimeout(timer)
        stream = ws
        if (outcome !== undefined && outcome !== 'established') return ws.close()
        ws.on('close', () => {
          if (outcome === 'established') output.end(() => socket.end())
          else settle(errorText.trim() || 'the API server closed the stream')
        })
      },
      (error: Error) => {
        clearTimeout(timer)
        settle(error.message)
      },
    )
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
