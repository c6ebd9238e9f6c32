import {Agent, type RequestOptions} from 'node:https'
import {UsageError} from '../errors.js'
import {existingKubeconfigFiles, selectContext, type KubeSelection} from '../kubeconfig/resolve.js'
import {apiError} from './api-error.js'
import {loadCredentials} from './credentials.js'
import {H2Connection, sameCert} from './h2.js'
import {parseProxyUrl, TunnelAgent} from './proxy.js'
import {h2Sender, h2StreamLines, RETRY_BUDGET_MS, send, sendWithRetry, streamLines} from './transport.js'

export {apiError} from './api-error.js'
export {retryDelay, sendWithRetry} from './transport.js'

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
  /** 'text': the body as it came (e.g. a pod's log, text/plain), not parsed as JSON. */
  responseType?: 'json' | 'text'
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
  watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (type: string, object: unknown) => void,
    signal: AbortSignal,
  ): Promise<void>
  /** Puts the kubeconfig's TLS material and auth headers on options (for port-forward's WebSocket upgrades). */
  applyCredentials(options: RequestOptions): Promise<void>
  close(): void
}

/** Loads the kubeconfig as kubectl would and returns a client; client-node is imported only here, lazily. */
export async function connectKube(target: KubeTarget, env: NodeJS.ProcessEnv = process.env): Promise<KubeClient> {
  const files = existingKubeconfigFiles(target.kubeconfig, {required: true, env})
  const credentials = await loadCredentials(files, {execTimeoutMs: target.timeoutMs})
  const selection = selectContext(credentials.doc, files, target)
  const currentContext = credentials.doc['current-context'] ?? ''
  const server = credentials.server(selection.cluster)
  if (server === undefined)
    throw new UsageError(`context "${selection.contextName}" names no cluster`, 'Fix the context in your kubeconfig.')
  const apply = credentials.applier(selection.cluster, selection.user)
  // Auth-provider plugins and impersonation: client-node's implementation, loaded only for them.
  const kc = apply === undefined ? await clientNodeConfig(files, selection.contextName) : undefined
  const proxyUrl = credentials.proxyUrl(selection.cluster)
  const proxy = proxyUrl === undefined ? undefined : parseProxyUrl(proxyUrl)
  // HTTP/2 on our own credentials without a proxy; through a proxy (our tunnel, as kubectl's CONNECT) and with
  // client-node's credentials, HTTP/1.1 on our keep-alive agent.
  const auth = kc ?? {applyToHTTPSOptions: apply as (o: RequestOptions) => Promise<void>}
  return makeClient(auth, selection, server, currentContext, kc === undefined && proxy === undefined, proxy)
}

/** client-node's KubeConfig for these files and this context (auth plugins, impersonation). */
async function clientNodeConfig(
  files: readonly string[],
  context: string,
): Promise<{applyToHTTPSOptions(o: RequestOptions): Promise<void>}> {
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

function makeClient(
  kc: {applyToHTTPSOptions(o: RequestOptions): Promise<void>},
  selection: KubeSelection,
  server: string,
  currentContext: string,
  http2: boolean,
  proxy?: URL,
): KubeClient {
  const base = new URL(server)
  const h2 = http2 && base.protocol === 'https:' ? new H2Connection(base.origin) : undefined
  let agent: Agent | undefined
  // One keep-alive agent (HTTP/1.1 only), built from the TLS material of the requests.
  const agentFor = (o: RequestOptions): Agent => {
    // A new client certificate (from a credential plugin, mid-command) needs new connections.
    if (agent !== undefined && !sameCert(agent.options.cert, o.cert)) agent.destroy()
    else if (agent !== undefined) return agent
    const tls = {
      keepAlive: true,
      maxSockets: 16,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      rejectUnauthorized: o.rejectUnauthorized,
      servername: o.servername,
    }
    agent = proxy === undefined ? new Agent(tls) : new TunnelAgent(proxy, tls)
    return agent
  }
  const client: KubeClient = {
    selection,
    currentContext,
    server,
    requestCount: 0,
    applyCredentials: async (options) => {
      await kc.applyToHTTPSOptions(options)
      options.headers = {'user-agent': USER_AGENT, ...options.headers}
      // The port-forward's WebSocket upgrades go through the proxy too (one tunnel per stream).
      if (proxy !== undefined) options.agent = new TunnelAgent(proxy)
    },
    close: () => {
      agent?.destroy()
      h2?.close()
    },
    async request<T>(spec: RequestSpec): Promise<T> {
      client.requestCount++
      const options = await requestOptions(kc, base, agentFor, spec)
      const payload =
        spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body)
      const {status, text} = await sendWithRetry(
        base,
        options,
        payload,
        RETRY_BUDGET_MS,
        h2 === undefined ? send : h2Sender(h2),
      )
      if (status >= 200 && status < 300) {
        if (spec.responseType === 'text') return text as T
        return (text === '' ? undefined : JSON.parse(text)) as T
      }
      if (spec.allow?.includes(status)) return undefined as T
      throw apiError(status, text, spec, server)
    },
    async watch(path, query, onEvent, signal) {
      client.requestCount++
      const options = await requestOptions(kc, base, agentFor, {
        path,
        query: {...query, watch: 'true', allowWatchBookmarks: 'true'},
      })
      await (h2 === undefined ? streamLines : h2StreamLines(h2))(base, {...options, signal}, (line) => {
        const event = JSON.parse(line) as {type: string; object: unknown}
        if (event.type === 'ERROR')
          throw apiError(
            Number((event.object as {code?: number}).code ?? 500),
            JSON.stringify(event.object),
            {path},
            server,
          )
        // Bookmarks carry only a resourceVersion in an otherwise empty object; never treat one as state.
        if (event.type === 'BOOKMARK') return
        onEvent(event.type, event.object)
      })
    },
  }
  return client
}

async function requestOptions(
  kc: {applyToHTTPSOptions(o: RequestOptions): Promise<void>},
  base: URL,
  agentFor: (o: RequestOptions) => Agent,
  spec: RequestSpec,
): Promise<RequestOptions> {
  const query = new URLSearchParams()
  for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) query.set(k, String(v))
  const qs = query.toString()
  const options: RequestOptions = {
    method: spec.method ?? 'GET',
    hostname: base.hostname.replace(/^\[|\]$/g, ''),
    port: base.port,
    path: `${base.pathname.replace(/\/$/, '')}${spec.path}${qs === '' ? '' : `?${qs}`}`,
    headers: {
      // Errors come back as JSON Status objects either way.
      accept: spec.responseType === 'text' ? 'text/plain, application/json' : 'application/json',
      'user-agent': USER_AGENT,
      ...(spec.body !== undefined ? {'content-type': spec.contentType ?? 'application/json'} : {}),
    },
  }
  await kc.applyToHTTPSOptions(options)
  // Our agent replaces whatever client-node set: it carries the kubeconfig's proxy-url itself (TunnelAgent).
  if (base.protocol === 'https:') options.agent = agentFor(options)
  return options
}

/** Names us in API server audit logs, as kubectl does (`kubectl/v1.33.1 (linux/amd64) ...`). */
const USER_AGENT = `vcluster-cli (${process.platform}/${process.arch}) node/${process.versions.node}`
