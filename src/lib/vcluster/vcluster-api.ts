import {request, type RequestOptions} from 'node:https'
import {ForbiddenError, NotFoundError, TimeoutError, UnavailableError, UsageError} from '../errors.js'

/** How to reach the virtual cluster's API: the server, its CA and the user entry of the kubeconfig. */
export interface VClusterAccess {
  server: string
  /** Base64 PEM, as in a kubeconfig. */
  certificateAuthorityData?: string
  insecure?: boolean
  user: Record<string, unknown>
}

interface Reply {
  status: number
  body: string
}

const b64 = (value: unknown): Buffer | undefined =>
  typeof value === 'string' && value !== '' ? Buffer.from(value, 'base64') : undefined

/** One request to the vCluster API with the access's credentials (no retries: callers have waited for it to answer). */
export function call(access: VClusterAccess, method: string, path: string, body?: unknown): Promise<Reply> {
  const url = new URL(path, access.server.endsWith('/') ? access.server : `${access.server}/`)
  const token = access.user.token
  const payload = body === undefined ? undefined : JSON.stringify(body)
  const options: RequestOptions = {
    method,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 443 : Number(url.port),
    path: `${url.pathname}${url.search}`,
    ca: b64(access.certificateAuthorityData),
    cert: b64(access.user['client-certificate-data']),
    key: b64(access.user['client-key-data']),
    rejectUnauthorized: access.insecure !== true,
    timeout: 10_000,
    agent: false,
    headers: {
      accept: 'application/json',
      ...(typeof token === 'string' && token !== '' ? {authorization: `Bearer ${token}`} : {}),
      ...(payload === undefined ? {} : {'content-type': 'application/json'}),
    },
  }
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 10s'), {code: 'ETIMEDOUT'})))
    req.on('error', reject)
    req.end(payload)
  })
}

const TLS_CODES = /CERT|SELF_SIGNED|ERR_TLS|UNABLE_TO|HOSTNAME/

/**
 * Waits until the vCluster answers through `access` with TLS verified (connection errors are retried: a forward or
 * LoadBalancer may need a moment). Certificate and credential problems fail at once, with what to do.
 */
export async function waitUntilAnswers(
  access: VClusterAccess,
  timeoutMs: number,
  onWaiting?: (why: string) => void,
): Promise<number> {
  const started = Date.now()
  let last = ''
  // Said once when it takes a while, so a wrong --server is not mistaken for a hang.
  let told = false
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const reply = await call(access, 'GET', '/version')
      if (reply.status === 200) return Date.now() - started
      if (reply.status === 401 || reply.status === 403) {
        throw new ForbiddenError(
          `the vCluster at ${access.server} rejected its own admin credentials (${reply.status})`,
          'The Secret vc-<name> may be stale; wait for the vCluster to rewrite it and connect again.',
        )
      }
      last = `HTTP ${reply.status}`
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? ''
      if (TLS_CODES.test(code)) {
        throw new UsageError(
          `TLS verification of ${access.server} failed: ${(error as Error).message}`,
          'The certificate does not match this address; add the host to controlPlane.proxy.extraSANs, upgrade, and connect again (or pass --insecure).',
        )
      }
      if (error instanceof ForbiddenError) throw error
      last = (error as Error).message
    }
    if (!told && Date.now() - started > 2000) {
      told = true
      onWaiting?.(last)
    }
    if (Date.now() - started + delay > timeoutMs) {
      throw new TimeoutError(
        `the vCluster at ${access.server} did not answer within ${Math.round(timeoutMs / 1000)}s (${last})`,
        'Check the vCluster pod with kubectl describe pod, or connect again.',
      )
    }
    await new Promise((r) => setTimeout(r, delay))
  }
}

/** A token for a service account inside the vCluster (TokenRequest), for `--service-account NS/NAME`. */
export async function serviceAccountToken(
  access: VClusterAccess,
  namespace: string,
  name: string,
  expirationSeconds: number,
  vcluster: string,
): Promise<string> {
  const spec = {
    audiences: [
      'https://kubernetes.default.svc.cluster.local',
      'https://kubernetes.default.svc',
      'https://kubernetes.default',
    ],
    expirationSeconds,
  }
  const reply = await call(access, 'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec,
  })
  if (reply.status === 201 || reply.status === 200) {
    const token = (JSON.parse(reply.body) as {status?: {token?: string}}).status?.token
    if (token !== undefined && token !== '') return token
  }
  if (reply.status === 404) {
    throw new NotFoundError(
      `service account ${namespace}/${name} does not exist in the vCluster`,
      `Create it first: vcluster connect ${vcluster} -- kubectl -n ${namespace} create serviceaccount ${name}`,
    )
  }
  throw new UnavailableError(
    `the vCluster refused a token for ${namespace}/${name}: HTTP ${reply.status} ${reply.body.slice(0, 200)}`,
  )
}
