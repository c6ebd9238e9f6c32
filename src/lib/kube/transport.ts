import {request as httpsRequest, type RequestOptions} from 'node:https'
import type {ClientRequest, IncomingMessage} from 'node:http'
import {ForbiddenError, UnavailableError, VClusterError} from '../errors.js'
import {apiError} from './api-error.js'
import {h2Lines, h2Request, type H2Connection} from './h2.js'
import {LineBuffer} from './lines.js'

// How requests reach the API server: HTTP/2 streams or HTTP/1.1, retried with backoff within a budget.

/**
 * Plain-http servers only. Not an ESM import: importing node:http as ESM builds its namespace, whose lazy getters
 * (WebSocket, MessageEvent) compile Node's bundled undici, ~25 ms on every command.
 */
const httpRequest = (options: RequestOptions, onResponse: (res: IncomingMessage) => void): ClientRequest =>
  process.getBuiltinModule('node:http').request(options, onResponse)

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504])
export const RETRY_BUDGET_MS = 20_000
const REQUEST_TIMEOUT_MS = 30_000

interface Answer {
  status: number
  text: string
  retryAfter?: string
}

/**
 * Sends once, and again with backoff while the API server is restarting or shedding load (connection errors,
 * 429 and 5xx, honouring Retry-After), within a bounded budget; then the last answer or error stands.
 */
export type Sender = (base: URL, options: RequestOptions, payload: string | undefined) => Promise<Answer>

export async function sendWithRetry(
  base: URL,
  options: RequestOptions,
  payload: string | undefined,
  budgetMs = RETRY_BUDGET_MS,
  transport: Sender = send,
): Promise<Answer> {
  const deadline = Date.now() + budgetMs
  for (let attempt = 0; ; attempt++) {
    let answer: Answer | undefined
    let failure: unknown
    try {
      answer = await transport(base, options, payload)
    } catch (error) {
      failure = error
      // Refusals that no retry changes (a proxy that denies the tunnel) end here.
      if (error instanceof ForbiddenError) throw error
    }
    if (failure !== undefined) unreachableAt.set(base.origin, Date.now())
    if (
      answer !== undefined &&
      ((!RETRY_STATUSES.has(answer.status) && !justRestarted(base, answer.status)) || isTypeError(answer))
    )
      return answer
    const wait = retryDelay(attempt, answer?.retryAfter)
    if (Date.now() + wait > deadline) {
      if (answer !== undefined) return answer
      throw failure
    }
    await new Promise((r) => setTimeout(r, wait))
  }
}

/** Server-side apply answers a wrongly typed field with a 500 that no retry changes. */
function isTypeError(answer: Answer): boolean {
  return answer.status === 500 && answer.text.includes('failed to create typed patch object')
}

/** When each API server last failed to answer at all (connection refused or reset, timeout). */
const unreachableAt = new Map<string, number>()
/** How long after an outage a 401/403 may be the server's, not the user's: its authorizer is still loading RBAC. */
const AUTHZ_SYNC_MS = 15_000

/**
 * A kube-apiserver serves requests before its RBAC informers have synced, and until then it refuses rights the
 * user has. Right after we saw it down, such a refusal is retried like a 503 (a genuine one is then reported a
 * few seconds later, still within the budget).
 */
function justRestarted(base: URL, status: number): boolean {
  return (status === 401 || status === 403) && Date.now() - (unreachableAt.get(base.origin) ?? 0) < AUTHZ_SYNC_MS
}

/** Exponential backoff from 100 ms, capped at 2 s, or the server's Retry-After (seconds, capped at 10 s). */
export function retryDelay(attempt: number, retryAfter: string | undefined): number {
  const seconds = Number(retryAfter)
  if (retryAfter !== undefined && Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 10) * 1000
  return Math.min(100 * 2 ** attempt, 2000)
}

export function send(base: URL, options: RequestOptions, payload: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = (base.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          retryAfter: headerOf(res.headers['retry-after']),
        }),
      )
      res.on('error', (error) => reject(networkError(error as NodeJS.ErrnoException, base)))
    })
    // A request that hangs (half-open connection) fails and is retried instead of waiting forever.
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error('request timed out'), {code: 'ETIMEDOUT'})),
    )
    req.on('error', (error) => reject(networkError(error as NodeJS.ErrnoException, base)))
    if (payload !== undefined) req.write(payload)
    req.end()
  })
}

/** Requests as streams of one HTTP/2 connection; HTTP/1.1 when the server does not offer HTTP/2. */
export function h2Sender(h2: H2Connection): Sender {
  return async (base, options, payload) => {
    try {
      const session = await h2.get(options)
      if (session === undefined) return await send(base, options, payload)
      return await h2Request(session, options, payload, REQUEST_TIMEOUT_MS, () => h2.reset(session))
    } catch (error) {
      throw error instanceof VClusterError ? error : networkError(error as NodeJS.ErrnoException, base)
    }
  }
}

export function h2StreamLines(h2: H2Connection): typeof streamLines {
  return async (base, options, onLine) => {
    const failed = (status: number, text: string) =>
      justRestarted(base, status)
        ? new UnavailableError(`the API server is starting (answered ${status})`)
        : apiError(status, text, {path: options.path ?? ''}, base.href)
    try {
      const session = await h2.get(options)
      if (session === undefined) return await streamLines(base, options, onLine)
      await h2Lines(session, options, options.signal, failed, onLine)
      if ((options.signal.reason as {code?: string} | undefined)?.code === 'ESTALLED') h2.reset(session)
    } catch (error) {
      if (error instanceof VClusterError || !(error instanceof Error) || !('code' in error)) throw error
      unreachableAt.set(base.origin, Date.now())
      throw networkError(error as NodeJS.ErrnoException, base)
    }
  }
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

export function streamLines(
  base: URL,
  options: RequestOptions & {signal: AbortSignal},
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = (base.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const status = res.statusCode ?? 0
          const text = Buffer.concat(chunks).toString()
          // Refused by an API server that is still starting: the caller's retry loop should try again.
          reject(
            justRestarted(base, status)
              ? new UnavailableError(`the API server is starting (answered ${status})`)
              : apiError(status, text, {path: options.path ?? ''}, base.href),
          )
        })
        return
      }
      const lines = new LineBuffer(onLine)
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        try {
          lines.push(chunk)
        } catch (error) {
          req.destroy()
          reject(error)
        }
      })
      res.on('end', () => resolve())
      res.on('error', (e) =>
        options.signal.aborted ? resolve() : reject(networkError(e as NodeJS.ErrnoException, base)),
      )
    })
    req.on('error', (error) => {
      if (options.signal.aborted) return resolve()
      unreachableAt.set(base.origin, Date.now())
      reject(networkError(error as NodeJS.ErrnoException, base))
    })
    req.end()
  })
}

function networkError(error: NodeJS.ErrnoException, base: URL): VClusterError {
  // A proxy that refused the tunnel (proxy.ts) has already said so in our terms.
  if (error instanceof VClusterError) return error
  const why =
    error.code === 'ECONNREFUSED' ? 'connection refused' : error.code === 'ENOTFOUND' ? 'host not found' : error.message
  return new UnavailableError(
    `cannot reach the host cluster at ${base.origin}: ${why}`,
    'Check that the cluster is running and that --context/--kubeconfig point at it.',
  )
}
