import {Agent, type AgentOptions, type RequestOptions} from 'node:https'
import type {Socket} from 'node:net'
import type {Duplex} from 'node:stream'
import {connect as tlsConnect, type ConnectionOptions} from 'node:tls'
import {ForbiddenError, UsageError} from '../errors.js'

/** How long the proxy may take to answer the CONNECT. */
const CONNECT_TIMEOUT_MS = 15_000

/**
 * The cluster's `proxy-url` as kubectl uses it: an HTTP (or HTTPS) proxy that opens a tunnel with CONNECT, user and
 * password in the URL sent as Proxy-Authorization. SOCKS proxies are refused with a usage error.
 */
export function parseProxyUrl(proxyUrl: string): URL {
  let url: URL
  try {
    url = new URL(proxyUrl)
  } catch {
    throw new UsageError(
      `proxy-url "${proxyUrl}" in the kubeconfig is not a URL`,
      "Fix the cluster's proxy-url in your kubeconfig.",
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `proxy-url "${proxyUrl}": only http:// and https:// proxies are supported`,
      'Use an HTTP CONNECT proxy as proxy-url.',
    )
  }
  return url
}

/** Opens a tunnel to host:port through the proxy (HTTP CONNECT); resolves with the raw socket. */
export function openTunnel(proxy: URL, host: string, port: number): Promise<Socket> {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`
  const headers: Record<string, string> = {host: target}
  if (proxy.username !== '') {
    const auth = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
    headers['proxy-authorization'] = `Basic ${Buffer.from(auth).toString('base64')}`
  }
  // Loaded here, not imported: an ES import of node:http evaluates its lazy WebSocket getter, which loads Node's
  // bundled undici (~25 ms of CPU on every command that talks to a cluster, proxy or not).
  const send = process.getBuiltinModule(proxy.protocol === 'https:' ? 'node:https' : 'node:http').request
  return new Promise((resolve, reject) => {
    const req = send({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port === '' ? (proxy.protocol === 'https:' ? 443 : 80) : Number(proxy.port),
      method: 'CONNECT',
      path: target,
      headers,
      timeout: CONNECT_TIMEOUT_MS,
      agent: false,
    })
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket)
      socket.destroy()
      const why =
        `the proxy ${proxy.host} (the kubeconfig's proxy-url) refused the tunnel to ${target}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()
      // Denied (403, or 407: proxy authentication) is final; anything else (502, 503) may pass on a retry.
      if (res.statusCode === 403 || res.statusCode === 407)
        reject(
          new ForbiddenError(
            why,
            'Check the proxy-url (and its user and password) in your kubeconfig, or ask who runs the proxy.',
          ),
        )
      else reject(Object.assign(new Error(why), {code: 'EPROXY'}))
    })
    req.once('timeout', () =>
      req.destroy(
        Object.assign(new Error(`the proxy ${proxy.host} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`), {
          code: 'ETIMEDOUT',
        }),
      ),
    )
    req.once('error', reject)
    req.end()
  })
}

/**
 * An HTTPS agent whose connections go through the proxy: CONNECT, then TLS to the API server inside the tunnel with
 * the request's own TLS options (CA, client certificate, server name). Used for requests, watches and the
 * port-forward's WebSocket upgrades alike.
 */
export class TunnelAgent extends Agent {
  constructor(
    private readonly proxy: URL,
    options: AgentOptions = {},
  ) {
    super(options)
  }

  override createConnection(
    requested: RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): undefined {
    const options = requested as ConnectionOptions & RequestOptions
    const host = (options.host ?? 'localhost').replace(/^\[|\]$/g, '')
    openTunnel(this.proxy, host, Number(options.port ?? 443)).then(
      (socket) => {
        const servername = options.servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host)
        const tls = tlsConnect({...options, socket, servername})
        callback?.(null, tls)
      },
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    )
    return undefined
  }
}
