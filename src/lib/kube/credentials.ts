import {readFile} from 'node:fs/promises'
import type {RequestOptions} from 'node:https'
import {dirname, isAbsolute, join} from 'node:path'
import {parse} from 'yaml'
import {UsageError} from '../errors.js'
import {mergeKubeconfigs, type KubeconfigDoc, type NamedEntry} from '../kubeconfig/resolve.js'
import {execCredentialSource, type ExecConfig} from './exec-credential.js'

/** What a request needs from the kubeconfig: the server and a way to put credentials on the options. */
export interface Credentials {
  doc: KubeconfigDoc
  /** The server of the named cluster, or undefined when the cluster is missing. */
  server(cluster: string): string | undefined
  /** The named cluster's `proxy-url`, if any (every connection to it then goes through that proxy). */
  proxyUrl(cluster: string): string | undefined
  /**
   * Sets CA, client certificate and key, token or basic auth (or what an exec credential plugin gives), TLS
   * verification and server name, as client-node's applyToHTTPSOptions does; undefined when the user needs what only
   * client-node does (auth-provider plugins, impersonation): the caller then loads client-node.
   */
  applier(cluster: string, user: string): ((options: RequestOptions) => Promise<void>) | undefined
}

interface ClusterFields {
  server?: string
  'certificate-authority'?: string
  'certificate-authority-data'?: string
  'insecure-skip-tls-verify'?: boolean
  'tls-server-name'?: string
  'proxy-url'?: string
}

interface UserFields {
  'client-certificate'?: string
  'client-certificate-data'?: string
  'client-key'?: string
  'client-key-data'?: string
  token?: string
  tokenFile?: string
  username?: string
  password?: string
  exec?: unknown
  'auth-provider'?: unknown
  as?: unknown
  impersonate?: unknown
}

/** How long a credential plugin may take when the command has no --timeout of its own. */
const DEFAULT_EXEC_TIMEOUT_MS = 60_000

/** Most of the command's --timeout, so the plugin's own message (which plugin, how to check it) comes first. */
function execBound(commandTimeoutMs: number | undefined): number {
  return commandTimeoutMs === undefined ? DEFAULT_EXEC_TIMEOUT_MS : Math.max(500, Math.floor(commandTimeoutMs * 0.9))
}

/**
 * Reads and merges the kubeconfig files as kubectl does, without client-node (importing it costs ~85 ms on every
 * command). Relative paths resolve against the file that names them, as in kubectl.
 */
export async function loadCredentials(
  files: readonly string[],
  settings: {execTimeoutMs?: number} = {},
): Promise<Credentials> {
  const docs: KubeconfigDoc[] = []
  const origin = new Map<NamedEntry, string>()
  for (const file of files) {
    let doc: KubeconfigDoc
    try {
      doc = (parse(await readFile(file, 'utf8')) ?? {}) as KubeconfigDoc
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw new UsageError(`cannot load kubeconfig ${file}: ${(error as Error).message}`)
    }
    if (typeof doc !== 'object' || doc === null)
      throw new UsageError(`cannot load kubeconfig ${file}: not a kubeconfig`)
    for (const key of ['clusters', 'users'] as const) for (const e of doc[key] ?? []) origin.set(e, dirname(file))
    docs.push(doc)
  }
  const merged = mergeKubeconfigs(docs)
  const find = <T>(key: 'clusters' | 'users', name: string, field: string): [T | undefined, string] => {
    const entry = (merged[key] ?? []).find((e) => e.name === name)
    return [entry?.[field] as T | undefined, entry === undefined ? '.' : (origin.get(entry) ?? '.')]
  }
  return {
    doc: merged,
    server: (cluster) => find<ClusterFields>('clusters', cluster, 'cluster')[0]?.server,
    proxyUrl: (cluster) => find<ClusterFields>('clusters', cluster, 'cluster')[0]?.['proxy-url'] || undefined,
    applier(clusterName, userName) {
      const [cluster = {}, clusterDir] = find<ClusterFields>('clusters', clusterName, 'cluster')
      const [user = {}, userDir] = find<UserFields>('users', userName, 'user')
      if (user['auth-provider'] !== undefined || user.as !== undefined || user.impersonate !== undefined)
        return undefined
      const exec =
        user.exec === undefined || user.exec === null
          ? undefined
          : execCredentialSource(user.exec as ExecConfig, {
              user: userName,
              dir: userDir,
              cluster,
              timeoutMs: execBound(settings.execTimeoutMs),
            })
      const pem = async (data: string | undefined, path: string | undefined, dir: string) =>
        data !== undefined
          ? Buffer.from(data, 'base64')
          : path !== undefined
            ? readFile(isAbsolute(path) ? path : join(dir, path))
            : undefined
      // Read once per command, not per request (the same Buffers also let the connection see nothing changed).
      let material: Promise<(Buffer | undefined)[]> | undefined
      return async (options) => {
        material ??= Promise.all([
          pem(cluster['certificate-authority-data'], cluster['certificate-authority'], clusterDir),
          pem(user['client-certificate-data'], user['client-certificate'], userDir),
          pem(user['client-key-data'], user['client-key'], userDir),
        ])
        const [ca, cert, key] = await material
        Object.assign(options, {ca, cert, key})
        if (cluster['insecure-skip-tls-verify'] === true) options.rejectUnauthorized = false
        if (cluster['tls-server-name'] !== undefined) options.servername = cluster['tls-server-name']
        const fromExec = exec === undefined ? undefined : await exec()
        if (fromExec?.cert !== undefined) Object.assign(options, {cert: fromExec.cert, key: fromExec.key})
        const token =
          fromExec?.token ??
          user.token ??
          (user.tokenFile !== undefined
            ? (
                await readFile(isAbsolute(user.tokenFile) ? user.tokenFile : join(userDir, user.tokenFile), 'utf8')
              ).trim()
            : undefined)
        const auth =
          token !== undefined
            ? `Bearer ${token}`
            : user.username !== undefined
              ? `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`
              : undefined
        if (auth !== undefined) options.headers = {...options.headers, authorization: auth}
      }
    },
  }
}
