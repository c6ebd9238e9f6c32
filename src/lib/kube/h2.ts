import type {ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders, OutgoingHttpHeaders} from 'node:http2'
import type {RequestOptions} from 'node:https'
import {LineBuffer} from './lines.js'

/**
 * One HTTP/2 connection to an API server, as kubectl keeps: every request and watch of a command is a stream on it,
 * so a command pays one TLS handshake instead of one per concurrent request (create sent six at once, each ~50 ms
 * of CPU on a local cluster). When the connection breaks (an API server restart) the next request opens a new one.
 * Servers that do not speak HTTP/2 (ALPN) are remembered and the caller falls back to HTTP/1.1.
 */
const CONNECT_TIMEOUT_MS = 15_000

export class H2Connection {
  private session: ClientHttp2Session | undefined
  private opening: Promise<ClientHttp2Session | undefined> | undefined
  private h1Only = false
  /** The client certificate the session was opened with. */
  private cert: RequestOptions['cert']

  constructor(private readonly origin: string) {}

  /** The live session, a new one, or undefined when the server only speaks HTTP/1.1 (use that instead). */
  async get(tls: RequestOptions): Promise<ClientHttp2Session | undefined> {
    if (this.h1Only) return undefined
    const s = this.session
    // A credential plugin may hand out a new client certificate mid-command: that needs a new TLS connection.
    if (s !== undefined && !sameCert(this.cert, tls.cert)) {
      s.close()
      this.session = undefined
    } else if (s !== undefined && !s.closed && !s.destroyed) {
      return s
    }
    this.cert = tls.cert
    this.opening ??= this.open(tls).finally(() => (this.opening = undefined))
    return this.opening
  }

  /** Ends the session (a request timed out on it: it may be half-open), so the next request opens a fresh one. */
  reset(session: ClientHttp2Session): void {
    if (this.session === session) this.session = undefined
    session.destroy()
  }

  close(): void {
    this.session?.close()
    this.session = undefined
  }

  private open(tls: RequestOptions): Promise<ClientHttp2Session | undefined> {
    const http2 = process.getBuiltinModule('node:http2')
    return new Promise((resolve, reject) => {
      const session = http2.connect(this.origin, {
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: tls.rejectUnauthorized,
        servername: tls.servername,
      })
      // A server that accepts the connection but never completes TLS and HTTP/2 set-up must not hold every request.
      const timer = setTimeout(
        () => session.destroy(Object.assign(new Error('connecting timed out'), {code: 'ETIMEDOUT'})),
        CONNECT_TIMEOUT_MS,
      )
      session.once('close', () => clearTimeout(timer))
      const fail = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        if (error.code !== 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') return reject(error)
        this.h1Only = true // the server refused h2 in the TLS handshake
        resolve(undefined)
      }
      session.once('error', fail)
      session.once('connect', () => {
        clearTimeout(timer)
        session.off('error', fail)
        // Later session errors reach the streams in flight; the session is then replaced on the next request.
        session.on('error', () => {})
        if (session.alpnProtocol !== 'h2') {
          this.h1Only = true // the server ignored ALPN: HTTP/1.1 only
          session.destroy()
          return resolve(undefined)
        }
        session.on('goaway', () => session.close())
        session.unref()
        this.session = session
        resolve(session)
      })
    })
  }
}

/** Whether two client certificates (as TLS options hold them: a Buffer, a string, a list) are the same. */
export function sameCert(a: RequestOptions['cert'], b: RequestOptions['cert']): boolean {
  if (a === b) return true
  const text = (c: RequestOptions['cert']): string =>
    c === undefined ? '' : Array.isArray(c) ? c.map((x) => x.toString()).join('\n') : c.toString()
  return text(a) === text(b)
}

/** HTTP/2 request headers from the options the credentials were put on (authorization, user agent, accept). */
export function h2Headers(options: RequestOptions, contentLength?: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {':method': options.method ?? 'GET', ':path': options.path ?? '/'}
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    const name = k.toLowerCase()
    // Connection-specific headers are forbidden in HTTP/2.
    if (
      v === undefined ||
      name === 'connection' ||
      name === 'host' ||
      name === 'keep-alive' ||
      name === 'transfer-encoding'
    )
      continue
    headers[name] = v as string
  }
  if (contentLength !== undefined) headers['content-length'] = contentLength
  return headers
}

const openCount = new WeakMap<ClientHttp2Session, number>()

/**
 * Opens a stream. The session is unref'd while idle (as an HTTP/1.1 keep-alive agent's free sockets are), so an
 * idle connection never keeps the CLI running; while a stream is open it holds the process as any request does.
 */
export function openStream(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  signal?: AbortSignal,
): ClientHttp2Stream {
  openCount.set(session, (openCount.get(session) ?? 0) + 1)
  session.ref()
  const stream = session.request(headers, signal === undefined ? {} : {signal})
  stream.once('close', () => {
    const left = (openCount.get(session) ?? 1) - 1
    openCount.set(session, left)
    if (left === 0 && !session.destroyed) session.unref()
  })
  return stream
}

export function statusOf(headers: IncomingHttpHeaders): number {
  return Number(headers[':status'] ?? 0)
}

export interface H2Answer {
  status: number
  text: string
  retryAfter?: string
}

/** One request on the session; rejects with the stream's error, or when the stream closes without an answer. */
export function h2Request(
  session: ClientHttp2Session,
  options: RequestOptions,
  payload: string | undefined,
  timeoutMs: number,
  onTimeout: () => void,
): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const body = payload === undefined ? undefined : Buffer.from(payload)
    const stream = openStream(session, h2Headers(options, body?.length))
    const chunks: Buffer[] = []
    let status = 0
    let retryAfter: string | undefined
    stream.on('response', (headers) => {
      status = statusOf(headers)
      retryAfter = firstHeader(headers['retry-after'])
    })
    stream.on('data', (c: Buffer) => chunks.push(c))
    const closed = () =>
      Object.assign(new Error(`the connection closed before an answer (HTTP/2 code ${stream.rstCode ?? '?'})`), {
        code: 'ECONNRESET',
      })
    // A stream reset by a dying server can end without ever having had response headers: that is no answer.
    stream.on('end', () =>
      status === 0 ? reject(closed()) : resolve({status, text: Buffer.concat(chunks).toString('utf8'), retryAfter}),
    )
    stream.on('error', reject)
    stream.on('close', () => reject(closed()))
    // A stream that hangs (half-open connection) fails and is retried on a fresh connection.
    stream.setTimeout(timeoutMs, () => {
      onTimeout()
      stream.destroy(Object.assign(new Error('request timed out'), {code: 'ETIMEDOUT'}))
    })
    stream.end(body)
  })
}

/**
 * A watch on the session: each line of the body to onLine until the server ends it or the signal aborts (then it
 * resolves). An answer of 300 or more rejects with failed(status, body).
 */
export function h2Lines(
  session: ClientHttp2Session,
  options: RequestOptions,
  signal: AbortSignal,
  failed: (status: number, text: string) => Error,
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = openStream(session, h2Headers(options), signal)
    let status = 0
    let errorText = ''
    const lines = new LineBuffer(onLine)
    stream.setEncoding('utf8')
    stream.on('response', (headers) => (status = statusOf(headers)))
    stream.on('data', (chunk: string) => {
      if (status >= 300) return void (errorText += chunk)
      try {
        lines.push(chunk)
      } catch (error) {
        stream.destroy()
        reject(error)
      }
    })
    stream.on('end', () => {
      if (status === 0 && !signal.aborted)
        reject(Object.assign(new Error('the watch connection closed'), {code: 'ECONNRESET'}))
      else if (status >= 300) reject(failed(status, errorText))
      else resolve()
    })
    stream.on('error', (error) => (signal.aborted ? resolve() : reject(error)))
    stream.on('close', () =>
      signal.aborted
        ? resolve()
        : reject(Object.assign(new Error('the watch connection closed'), {code: 'ECONNRESET'})),
    )
  })
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
