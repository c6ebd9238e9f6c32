import type {RequestOptions} from 'node:https'
import {createSecureContext, type SecureContext} from 'node:tls'
import type {WebSocket} from 'ws'
import type {KubeClient} from './client.js'

/**
 * Kubernetes' port-forward over WebSocket (subprotocol v4.channel.k8s.io), one port per stream: every message starts
 * with its channel, 0 for data and 1 for errors, and the first message on each channel is the port (2 bytes, little
 * endian). Our own instead of client-node's: loading client-node costs ~100 ms per connect, and this one pauses the
 * WebSocket while the local socket is full (client-node buffers without bound).
 */
export const PROTOCOL = 'v4.channel.k8s.io'
const DATA = 0
const ERROR = 1

export interface StreamHandlers {
  /** Data from the pod; return false when the receiver is full: the stream pauses until resume(). */
  onData(chunk: Buffer): boolean
  /** Text on the error channel (the kubelet could not reach the pod's port, for instance). */
  onError(text: string): void
  /** The stream ended, either way; reason is set when it never opened or the server refused it. */
  onClose(reason?: string): void
}

export interface ForwardStream {
  /** Sends data to the pod; false when the stream's buffer is full: onDrain is called once it has room again. */
  send(chunk: Buffer, onDrain: () => void): boolean
  /** Reads from the API server again after onData returned false. */
  resume(): void
  /** The client ended its side: v4 has no half-close, so the stream closes (after what is in flight). */
  end(): void
  /** Drops the stream now. */
  close(): void
}

export interface StreamTarget {
  client: Pick<KubeClient, 'server' | 'applyCredentials'>
  namespace: string
  pod: string
  port: number
}

const HANDSHAKE_TIMEOUT_MS = 15_000
/** Above this many buffered bytes towards the pod, send() says to wait. */
const HIGH_WATER = 1 << 20

/** Opens one stream through the API server; resolves once the upgrade succeeded, rejects with the reason otherwise. */
export async function openForwardStream(target: StreamTarget, handlers: StreamHandlers): Promise<ForwardStream> {
  // Loaded on first use: only the forward needs it.
  const {WebSocket} = await import('ws')
  const options: RequestOptions & {secureContext?: SecureContext} = {}
  await target.client.applyCredentials(options)
  options.secureContext = secureContextFor(options)
  const base = new URL(target.client.server)
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/portforward?ports=${target.port}`
  const url = `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}${base.pathname.replace(/\/$/, '')}${path}`
  // A handshake that hangs gives up too (the caller's own timer only stops waiting for it).
  const ws = new WebSocket(url, [PROTOCOL], {
    ...options,
    perMessageDeflate: false,
    followRedirects: false,
    skipUTF8Validation: true,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  })
  return new Promise((resolve, reject) => {
    let opened = false
    let refused: string | undefined
    ws.on('unexpected-response', (_req, res) => {
      // The API server's Status message says why (403: no pods/portforward right; 404: the pod is gone).
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        refused = `the API server answered ${res.statusCode ?? 0}: ${statusMessage(Buffer.concat(chunks).toString('utf8'))}`
        ws.terminate()
      })
    })
    ws.on('error', (error) => {
      if (!opened) refused ??= error.message
    })
    ws.on('close', () => {
      if (!opened) return reject(new Error(refused ?? 'the API server closed the stream before it opened'))
      handlers.onClose()
    })
    ws.on('open', () => {
      opened = true
      resolve(streamOf(ws))
    })
    ws.on('message', receiver(ws, handlers))
  })
}

let cached: {material: string; context: SecureContext} | undefined

/**
 * One TLS context for every stream with the same CA, certificate and key: building one parses the PEMs, ~6 ms of
 * CPU per stream in a --cpu-prof profile of `connect -- kubectl`. New material (a credential plugin's new
 * certificate) gets a new context; undefined leaves TLS to build its own (material it does not cover, e.g. pfx).
 */
export function secureContextFor(options: RequestOptions): SecureContext | undefined {
  if (options.pfx !== undefined || options.passphrase !== undefined) return undefined
  const parts = [options.ca, options.cert, options.key].map(text)
  if (parts.includes(undefined)) return undefined
  const material = parts.join('\u0001')
  if (cached?.material !== material)
    cached = {material, context: createSecureContext({ca: options.ca, cert: options.cert, key: options.key})}
  return cached.context
}

/** PEM material as one string to compare; undefined for what cannot be compared so (a KeyObject). */
function text(value: unknown): string | undefined {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString('latin1')
  if (!Array.isArray(value)) return undefined
  const parts = value.map(text)
  return parts.includes(undefined) ? undefined : parts.join('\u0002')
}

function receiver(ws: WebSocket, handlers: StreamHandlers): (data: Buffer) => void {
  const portPending = [true, true]
  return (data) => {
    const channel = data[0]
    if (channel !== DATA && channel !== ERROR) return
    let payload = data.subarray(1)
    if (portPending[channel] === true) {
      portPending[channel] = false
      payload = payload.subarray(2)
    }
    if (payload.length === 0) return
    if (channel === ERROR) return handlers.onError(payload.toString('utf8'))
    if (!handlers.onData(payload)) ws.pause()
  }
}

function streamOf(ws: WebSocket): ForwardStream {
  let full = false
  return {
    send(chunk, onDrain) {
      if (ws.readyState !== 1) return true
      const frame = Buffer.allocUnsafe(chunk.length + 1)
      frame[0] = DATA
      chunk.copy(frame, 1)
      ws.send(frame, () => {
        if (full && ws.bufferedAmount < HIGH_WATER) {
          full = false
          onDrain()
        }
      })
      full = ws.bufferedAmount >= HIGH_WATER
      return !full
    },
    resume: () => ws.resume(),
    end: () => ws.close(),
    close: () => ws.terminate(),
  }
}

function statusMessage(text: string): string {
  try {
    return (JSON.parse(text) as {message?: string}).message ?? text.slice(0, 200)
  } catch {
    return text.slice(0, 200)
  }
}
