import {createServer, type Server, type Socket} from 'node:net'
import {UnavailableError, UsageError} from '../errors.js'
import type {KubeClient} from './client.js'
import {SpareStreams} from './forward-spare.js'
import {openForwardStream, type ForwardStream, type StreamHandlers} from './forward-stream.js'
import {PodTracker, type PodItem} from './pod-tracker.js'

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
  /** Only this pod (of those the label selector matches), followed by name: a re-created pod keeps it. */
  podName?: string
  /** The local address to listen on (default 127.0.0.1). */
  address?: string
  remotePort: number
  /** 0 or undefined: a free port. */
  localPort?: number
  /** Without localPort: the port to try first; a free one when it is taken. */
  preferredPort?: number
  /** How long one accepted connection waits for a pod to answer before it is closed. */
  retryWindowMs?: number
  /** How long to wait for a Ready pod before listening (the workload may be ready a moment before its pod is). */
  podWaitMs?: number
  /** The pods as the caller already listed them (connect reads them with the Secrets): saves a lookup. */
  knownPods?: readonly PodItem[]
  /**
   * How many streams to open ahead of the connections that will take them, one at a time (default 0): the
   * first connections then skip the stream's set-up (a TLS connection and an upgrade through the API server,
   * ~15-20 ms). connect uses 2: its TLS check, then the command's (or the user's) first connection.
   */
  spareStreams?: number
  onEvent?: (event: ForwardEvent) => void
}

export interface PortForwarder {
  address: string
  port: number
  /** The pod the last connection went to. */
  pod(): string
  close(): Promise<void>
}

const ADDRESS = '127.0.0.1'
/** What a connection may send before its first answer and still be replayed (a TLS ClientHello is a few KiB). */
const MAX_REPLAY_BYTES = 1 << 20
/** How much pod data may wait for a slow local client before the stream stops reading from the API server. */
const MAX_PENDING_BYTES = 4 << 20
/** How long opening one stream (the upgrade through the API server) may take. */
const OPEN_TIMEOUT_MS = 10_000

/**
 * Listens on 127.0.0.1 and opens one port-forward stream (forward-stream.ts, through the host API server) per
 * accepted connection. Until the first byte comes back, what the client sent is kept: if the pod is gone or the API
 * server drops the stream, the connection is retried (new pod, backoff) and replayed, so a restarted vCluster pod
 * costs a short wait instead of a failed request.
 */
export async function startPortForward(options: ForwardOptions): Promise<PortForwarder> {
  const {podName} = options
  const pods = new PodTracker(
    options.client,
    options.namespace,
    options.labelSelector,
    options.onEvent,
    podName === undefined ? undefined : `metadata.name=${podName}`,
  )
  const known = options.knownPods?.filter((p) => podName === undefined || p.metadata.name === podName)
  if (known === undefined || !pods.seed(known)) {
    await pods.refresh(Date.now() + (options.podWaitMs ?? 0)).catch(() => {
      const which = podName === undefined ? 'no ready vCluster pod' : `pod ${podName} is not a ready vCluster pod`
      throw new UnavailableError(
        `${which} (${options.labelSelector}) in namespace ${options.namespace}`,
        `Check it: kubectl -n ${options.namespace} get pods -l ${options.labelSelector}`,
      )
    })
  }
  const address = options.address ?? ADDRESS
  const fresh: OpenStream = (handlers) =>
    openForwardStream(
      {client: options.client, namespace: options.namespace, pod: pods.name, port: options.remotePort},
      handlers,
    )
  const spares = new SpareStreams(fresh, () => pods.name, options.spareStreams ?? 0)
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // The connection's first attempt takes the stream opened ahead, if any; retries open their own.
    let first = true
    const open: OpenStream = (handlers) => {
      const taken = first ? spares.take(handlers) : undefined
      first = false
      return taken ?? fresh(handlers)
    }
    void forwardConnection(socket, pods, options, open)
  })
  const preferred =
    options.localPort === undefined && options.preferredPort !== undefined
      ? await listen(server, options.preferredPort, address).catch(() => undefined)
      : undefined
  const port = preferred ?? (await listen(server, options.localPort ?? 0, address))
  pods.follow()
  spares.refill()
  return {
    address,
    port,
    pod: () => pods.name,
    close: async () => {
      spares.stop()
      pods.stop()
      // Each connection's stream is dropped when its socket closes.
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function listen(server: Server, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(
          new UsageError(
            `local port ${port} is already in use`,
            'Pick another with --local-port, or leave it out to use a free one.',
          ),
        )
      else if (error.code === 'EADDRNOTAVAIL')
        reject(
          new UsageError(
            `cannot listen on ${address}: no network interface of this machine has that address`,
            'Pass --address with one of its addresses (default 127.0.0.1).',
          ),
        )
      else reject(error)
    })
    server.listen(port, address, () => {
      const bound = server.address()
      resolve(typeof bound === 'object' && bound !== null ? bound.port : port)
    })
  })
}

export type OpenStream = (handlers: StreamHandlers) => Promise<ForwardStream>

/** One accepted connection as the attempts share it. */
interface Link {
  /** What the client sent before the pod first answered: replayed to the next attempt's stream. */
  sent: Buffer[]
  sentBytes: number
  clientEnded: boolean
  established: boolean
  /** The attempt's stream once open; client data goes there. */
  stream?: ForwardStream
}

/** One accepted connection: stream attempts until one answers, the window ends, or the client goes away. */
export async function forwardConnection(
  socket: Socket,
  pods: PodTracker,
  options: ForwardOptions,
  open: OpenStream,
): Promise<void> {
  const link: Link = {sent: [], sentBytes: 0, clientEnded: false, established: false}
  const resume = () => socket.resume()
  socket.setNoDelay(true)
  socket.on('data', (chunk: Buffer) => {
    if (!link.established) {
      link.sent.push(chunk)
      link.sentBytes += chunk.length
    }
    if (link.stream !== undefined && !link.stream.send(chunk, resume)) socket.pause()
  })
  socket.on('end', () => {
    link.clientEnded = true
    link.stream?.end()
  })
  socket.on('error', () => socket.destroy())
  const deadline = Date.now() + (options.retryWindowMs ?? 30_000)
  for (let attempt = 0; !socket.destroyed; attempt++) {
    const outcome = await attemptStream(socket, link, open)
    if (outcome === 'established' || socket.destroyed) {
      if (outcome === 'established') pods.succeeded()
      return
    }
    pods.failed(outcome)
    const backoff = Math.min(200 * 2 ** attempt, 2000)
    if (Date.now() + backoff > deadline || link.sentBytes > MAX_REPLAY_BYTES) break
    await sleep(backoff)
    await pods.refresh(deadline).catch(() => undefined)
  }
  if (!socket.destroyed)
    options.onEvent?.({
      type: 'connection-failed',
      reason: `no answer from the vCluster pod within ${Math.round((options.retryWindowMs ?? 30_000) / 1000)}s`,
    })
  socket.destroy()
}

/** Resolves 'established' once the pod sent data, or a reason when the stream failed before that. */
function attemptStream(socket: Socket, link: Link, open: OpenStream): Promise<string> {
  return new Promise((resolve) => {
    let outcome: string | undefined
    let errorText = ''
    let stream: ForwardStream | undefined
    let waitingForDrain = false
    const settle = (result: string) => {
      clearTimeout(timer)
      socket.off('close', onClientClose)
      if (outcome !== undefined) return
      outcome = result
      if (result === 'established') socket.once('close', () => stream?.close())
      else {
        link.stream = undefined
        stream?.close()
      }
      resolve(result)
    }
    const handlers: StreamHandlers = {
      onData(chunk) {
        if (outcome === undefined) {
          link.established = true
          settle('established')
        }
        if (!socket.writable) return true
        // Into the socket's buffer; the stream pauses only past MAX_PENDING_BYTES, not at the socket's 16 KiB
        // high-water mark, which a 32 KiB frame always passes: pausing at every frame stalls the stream.
        socket.write(chunk)
        // writableNeedDrain: 'drain' comes only after a write was refused; waiting for it otherwise would stall.
        if (socket.writableLength < MAX_PENDING_BYTES || !socket.writableNeedDrain) return true
        if (!waitingForDrain) {
          waitingForDrain = true
          socket.once('drain', () => {
            waitingForDrain = false
            stream?.resume()
          })
        }
        return false
      },
      onError(text) {
        errorText += text
        if (errorText.trim() !== '') settle(errorText.trim())
      },
      onClose() {
        if (outcome === 'established') socket.end()
        else settle(errorText.trim() || 'the API server closed the stream')
      },
    }
    // A function declaration: settle (above) removes it, so retries do not pile up listeners.
    function onClientClose(): void {
      settle('client closed')
    }
    socket.once('close', onClientClose)
    const timer = setTimeout(() => settle('the API server did not open the stream within 10s'), OPEN_TIMEOUT_MS)
    open(handlers).then(
      (opened) => {
        stream = opened
        if (outcome !== undefined && outcome !== 'established') return opened.close()
        link.stream = opened
        for (const chunk of link.sent) if (!opened.send(chunk, () => socket.resume())) socket.pause()
        if (link.clientEnded) opened.end()
      },
      (error: Error) => settle(error.message),
    )
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
