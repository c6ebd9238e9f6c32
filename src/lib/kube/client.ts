import {Agent, request as httpsRequest, type RequestOptions} from 'node:https'
import {existsSync} from 'node:fs'
import type {ClientRequest, IncomingMessage} from 'node:http'
import {ConflictError, ForbiddenError, NotFoundError, UnavailableError, UsageError, VClusterError} from '../errors.js'
import {kubeconfigFiles, selectContext, type KubeSelection} from '../kubeconfig/resolve.js'
import {loadCredentials} from './credentials.js'
import {H2Connection, h2Lines, h2Request} from './h2.js'

export interface KubeTarget {
  kubeconfig?: string
  context?: string
  namespace?: string
  /** The command's --timeout: also how long a kubeconfig credential plugin may take. */
  timeoutMs?: number
}

export interface RequestSpec {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  contentType?: string
  /** Status codes that resolve to undefined instead of throwing (e.g. 404 on delete). */
  allow?: number[]
}

/** A thin client for the host API server: one keep-alive connection, typed errors, a request counter. */
export interface KubeClient {
  selection: KubeSelection
  /** The kubeconfig's own current-context (which `connect` switches), whatever --context chose. */
  currentContext: string
  server: string
  requestCount: number
  request<T>(spec: RequestSpec): Promise<T>
  /** Opens a watch; calls onEvent per event until the signal aborts or the server closes the stream. */
  watch(path: string, query: Record<string, string | undefined>, onEvent: (type: string, object: unknown) => void, signal: AbortSignal): Promise<void>
  /** Puts the kubeconfig's TLS material and auth headers on options (for port-forward's WebSocket upgrades). */
  applyCredentials(options: RequestOptions): Promise<void>
  close(): void
}

/** Loads the kubeconfig as kubectl would and returns a client; client-node is imported only here, lazily. */
export async function connectKube(target: KubeTarget, env: NodeJS.ProcessEnv = process.env): Promise<KubeClient> {
  const files = kubeconfigFiles(target.kubeconfig, env).filter((f) => target.kubeconfig !== undefined || existsSync(f))
  if (files.length === 0) {
    throw new UsageError('no kubeconfig found', 'Point --kubeconfig or KUBECONFIG at the kubeconfig of your host cluster.')
  }
  if (target.kubeconfig !== undefined && !existsSync(target.kubeconfig)) {
    throw new UsageError(`kubeconfig ${target.kubeconfig} does not exist`, 'Check the path given to --kubeconfig.')
  }
  const credentials = await loadCredentials(files, {execTimeoutMs: target.timeoutMs})
  const selection = selectContext(credentials.doc, files, target)
  const currentContext = credentials.doc['current-context'] ?? ''
  const server = credentials.server(selection.cluster)
  if (server === undefined) throw new UsageError(`context "${selection.contextName}" names no cluster`, 'Fix the context in your kubeconfig.')
  const apply = credentials.applier(selection.cluster, selection.user)
  // Auth-provider plugins, impersonation and proxies: client-node's implementation, loaded only for them.
  const kc = apply === undefined ? await clientNodeConfig(files, selection.contextName) : undefined
  // HTTP/2 on our own credentials; client-node's (proxies among them) keep HTTP/1.1 and their agent.
  return makeClient(kc ?? {applyToHTTPSOptions: apply as (o: RequestOptions) => Promise<void>}, selection, server, currentContext, kc === undefined)
}

/** client-node's KubeConfig for these files and this context (auth plugins, impersonation, proxies). */
async function clientNodeConfig(files: readonly string[], context: string): Promise<{applyToHTTPSOptions(o: RequestOptions): Promise<void>}> {
  // The module, not the package index (~900 files, 0.7-0.9 s unbundled): the bundle carries only what it needs.
  const {KubeConfig} = await import('@kubernetes/client-node/dist/config.js')
  const kc = new KubeConfig()
  const savedEnv = process.env.KUBECONFIG
  try {
    process.env.KUBECONFIG = files.join(':')
    kc.loadFromDefault()
  } catch (error) {
    throw new UsageError(`cannot load kubeconfig ${files.join(', ')}: ${(error as Error).message}`)
  } finally {
    if (savedEnv === undefined) delete process.env.KUBECONFIG
    else process.env.KUBECONFIG = savedEnv
  }
  kc.setCurrentContext(context)
  return kc
}

function makeClient(kc: {applyToHTTPSOptions(o: RequestOptions): Promise<void>}, selection: KubeSelection, server: string, currentContext: string, http2: boolean): KubeClient {
  const base = new URL(server)
  const h2 = http2 && base.protocol === 'https:' ? new H2Connection(base.origin) : undefined
  let agent: Agent | undefined
  // One keep-alive agent, built from the TLS material of the first request (client certs do not change).
  const agentFor = (o: RequestOptions): Agent =>
    (agent ??= new Agent({keepAlive: true, maxSockets: 16, ca: o.ca, cert: o.cert, key: o.key, rejectUnauthorized: o.rejectUnauthorized, servername: o.servername}))
  const client: KubeClient = {
    selection,
    currentContext,
    server,
    requestCount: 0,
    applyCredentials: async (options) => {
      await kc.applyToHTTPSOptions(options)
      options.headers = {'user-agent': USER_AGENT, ...options.headers}
    },
    close: () => {
      agent?.destroy()
      h2?.close()
    },
    async request<T>(spec: RequestSpec): Promise<T> {
      client.requestCount++
      const options = await requestOptions(kc, base, agentFor, spec)
      const payload = spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body)
      const {status, text} = await sendWithRetry(base, options, payload, RETRY_BUDGET_MS, h2 === undefined ? send : h2Sender(h2))
      if (status >= 200 && status < 300) return (text === '' ? undefined : JSON.parse(text)) as T
      if (spec.allow?.includes(status)) return undefined as T
      throw apiError(status, text, spec, server)
    },
    async watch(path, query, onEvent, signal) {
      client.requestCount++
      const options = await requestOptions(kc, base, agentFor, {path, query: {...query, watch: 'true', allowWatchBookmarks: 'true'}})
      await (h2 === undefined ? streamLines : h2StreamLines(h2))(base, {...options, signal}, (line) => {
        const event = JSON.parse(line) as {type: string; object: unknown}
        if (event.type === 'ERROR') throw apiError(Number((event.object as {code?: number}).code ?? 500), JSON.stringify(event.object), {path}, server)
        // Bookmarks carry only a resourceVersion in an otherwise empty object; never treat one as state.
        if (event.type === 'BOOKMARK') return
        onEvent(event.type, event.object)
      })
    },
  }
  return client
}

async function requestOptions(kc: {applyToHTTPSOptions(o: RequestOptions): Promise<void>}, base: URL, agentFor: (o: RequestOptions) => Agent, spec: RequestSpec): Promise<RequestOptions> {
  const query = new URLSearchParams()
  for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) query.set(k, String(v))
  const qs = query.toString()
  const options: RequestOptions = {
    method: spec.method ?? 'GET',
    hostname: base.hostname.replace(/^\[|\]$/g, ''),
    port: base.port,
    path: `${base.pathname.replace(/\/$/, '')}${spec.path}${qs === '' ? '' : `?${qs}`}`,
    headers: {accept: 'application/json', 'user-agent': USER_AGENT, ...(spec.body !== undefined ? {'content-type': spec.contentType ?? 'application/json'} : {})},
  }
  await kc.applyToHTTPSOptions(options)
  if (base.protocol === 'https:') options.agent = agentFor(options)
  return options
}

/**
 * Plain-http servers only. Not an ESM import: importing node:http as ESM builds its namespace, whose lazy getters
 * (WebSocket, MessageEvent) compile Node's bundled undici, ~25 ms on every command.
 */
const httpRequest = (options: RequestOptions, onResponse: (res: IncomingMessage) => void): ClientRequest =>
  process.getBuiltinModule('node:http').request(options, onResponse)

/** Names us in API server audit logs, as kubectl does (`kubectl/v1.33.1 (linux/amd64) ...`). */
const USER_AGENT = `vcluster-cli (${process.platform}/${process.arch}) node/${process.versions.node}`

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504])
const RETRY_BUDGET_MS = 20_000
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
type Sender = (base: URL, options: RequestOptions, payload: string | undefined) => Promise<Answer>

export async function sendWithRetry(base: URL, options: RequestOptions, payload: string | undefined, budgetMs = RETRY_BUDGET_MS, transport: Sender = send): Promise<Answer> {
  const deadline = Date.now() + budgetMs
  for (let attempt = 0; ; attempt++) {
    let answer: Answer | undefined
    let failure: unknown
    try {
      answer = await transport(base, options, payload)
    } catch (error) {
      failure = error
    }
    if (failure !== undefined) unreachableAt.set(base.origin, Date.now())
    if (answer !== undefined && ((!RETRY_STATUSES.has(answer.status) && !justRestarted(base, answer.status)) || isTypeError(answer))) return answer
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

function send(base: URL, options: RequestOptions, payload: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = (base.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: headerOf(res.headers['retry-after'])}))
      res.on('error', (error) => reject(networkError(error as NodeJS.ErrnoException, base)))
    })
    // A request that hangs (half-open connection) fails and is retried instead of waiting forever.
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('request timed out'), {code: 'ETIMEDOUT'})))
    req.on('error', (error) => reject(networkError(error as NodeJS.ErrnoException, base)))
    if (payload !== undefined) req.write(payload)
    req.end()
  })
}

/** Requests as streams of one HTTP/2 connection; HTTP/1.1 when the server does not offer HTTP/2. */
function h2Sender(h2: H2Connection): Sender {
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

function h2StreamLines(h2: H2Connection): typeof streamLines {
  return async (base, options, onLine) => {
    const failed = (status: number, text: string) =>
      justRestarted(base, status) ? new UnavailableError(`the API server is starting (answered ${status})`) : apiError(status, text, {path: options.path ?? ''}, base.href)
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

function streamLines(base: URL, options: RequestOptions & {signal: AbortSignal}, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = (base.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const status = res.statusCode ?? 0
          const text = Buffer.concat(chunks).toString()
          // Refused by an API server that is still starting: the caller's retry loop should try again.
          reject(justRestarted(base, status) ? new UnavailableError(`the API server is starting (answered ${status})`) : apiError(status, text, {path: options.path ?? ''}, base.href))
        })
        return
      }
      let buffer = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        let nl: number
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim()
          buffer = buffer.slice(nl + 1)
          if (line === '') continue
          try {
            onLine(line)
          } catch (error) {
            req.destroy()
            reject(error)
            return
          }
        }
      })
      res.on('end', () => resolve())
      res.on('error', (e) => (options.signal.aborted ? resolve() : reject(networkError(e as NodeJS.ErrnoException, base))))
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
  const why = error.code === 'ECONNREFUSED' ? 'connection refused' : error.code === 'ENOTFOUND' ? 'host not found' : error.message
  return new UnavailableError(`cannot reach the host cluster at ${base.origin}: ${why}`, 'Check that the cluster is running and that --context/--kubeconfig point at it.')
}

interface Status {
  message?: string
  reason?: string
}

export function apiError(status: number, text: string, spec: Pick<RequestSpec, 'path' | 'method'>, server: string): VClusterError {
  let body: Status = {}
  try {
    body = JSON.parse(text) as Status
  } catch {
    body = {message: text.slice(0, 200)}
  }
  const message = body.message ?? `HTTP ${status}`
  if (status === 404) return new NotFoundError(message)
  if (status === 403) return new ForbiddenError(message, 'Ask your cluster admin for the missing permission, or use another --namespace.')
  if (status === 401) return new ForbiddenError(`the host cluster at ${server} rejected the credentials: ${message}`, 'Refresh your kubeconfig credentials.')
  if (status === 409) return new ConflictError(message)
  if (status === 422 || status === 400 || (status === 500 && message.includes('failed to create typed patch object'))) {
    return new UsageError(`the API server rejected ${spec.method ?? 'GET'} ${spec.path}: ${message}`)
  }
  return new UnavailableError(`the API server answered ${status} for ${spec.method ?? 'GET'} ${spec.path}: ${message}`)
}
