import {NotFoundError, UsageError} from '../errors.js'
import {editKubeconfigs, type KubeconfigSet} from './edit.js'
import {parseContextName} from './names.js'
import {existingKubeconfigFiles, type NamedEntry} from './resolve.js'

/** Name of the kubeconfig extension on contexts we write (kubectl keeps extensions when it edits the file). */
export const CONNECT_EXTENSION = 'vcluster-cli'

/** What `disconnect` and `delete` need to know about a context we wrote, stored in the context itself. */
export interface ConnectInfo {
  name: string
  namespace: string
  hostContext: string
  /** The context that was current before `connect` switched away from it. */
  previousContext?: string
}

export interface VClusterContext {
  /** Cluster, user and context share this name, as upstream writes them. */
  contextName: string
  server: string
  /** Base64 PEM of the CA; dropped when insecure. */
  certificateAuthorityData?: string
  insecure?: boolean
  /** The user entry: client certificate and key data, or a token. */
  user: Record<string, unknown>
  info: ConnectInfo
}

function entries(c: VClusterContext): {cluster: NamedEntry; user: NamedEntry; context: NamedEntry} {
  const cluster: Record<string, unknown> = {server: c.server}
  if (c.insecure === true) cluster['insecure-skip-tls-verify'] = true
  else if (c.certificateAuthorityData !== undefined) cluster['certificate-authority-data'] = c.certificateAuthorityData
  const info: Record<string, string> = {
    name: c.info.name,
    namespace: c.info.namespace,
    'host-context': c.info.hostContext,
  }
  if (c.info.previousContext !== undefined) info['previous-context'] = c.info.previousContext
  return {
    cluster: {name: c.contextName, cluster},
    user: {name: c.contextName, user: c.user},
    context: {
      name: c.contextName,
      context: {cluster: c.contextName, user: c.contextName, extensions: [{name: CONNECT_EXTENSION, extension: info}]},
    },
  }
}

/** A self-contained kubeconfig holding one vCluster context, current (for --print and `connect -- cmd`). */
export function standaloneKubeconfig(c: VClusterContext): Record<string, unknown> {
  const e = entries(c)
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [e.cluster],
    users: [e.user],
    contexts: [e.context],
    'current-context': c.contextName,
    preferences: {},
  }
}

export function readConnectInfo(context: NamedEntry | undefined): ConnectInfo | undefined {
  const body = context?.context as {extensions?: {name?: string; extension?: Record<string, unknown>}[]} | undefined
  const ext = body?.extensions?.find((e) => e.name === CONNECT_EXTENSION)?.extension
  if (ext === undefined || typeof ext.name !== 'string' || typeof ext.namespace !== 'string') return undefined
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)
  return {
    name: ext.name,
    namespace: ext.namespace,
    hostContext: str(ext['host-context']) ?? '',
    previousContext: str(ext['previous-context']),
  }
}

/**
 * Writes the vCluster's contexts under the kubeconfig locks. The first one becomes current when switch is set;
 * it remembers the context that was current, so disconnect and Ctrl-C can go back to it.
 */
export async function writeVClusterContexts(
  files: readonly string[],
  contexts: readonly VClusterContext[],
  switchTo: boolean,
): Promise<{previousContext: string}> {
  return editKubeconfigs(files, (set) => {
    const [main] = contexts
    if (main === undefined) return {previousContext: set.currentContext()}
    const current = set.currentContext()
    const earlier = readConnectInfo(set.entry('contexts', main.contextName))?.previousContext
    const previousContext =
      current !== '' && current !== main.contextName ? current : (earlier ?? main.info.hostContext)
    for (const [i, c] of contexts.entries()) {
      const e = entries(i === 0 && switchTo ? {...c, info: {...c.info, previousContext}} : c)
      set.upsert('clusters', e.cluster)
      set.upsert('users', e.user)
      set.upsert('contexts', e.context)
    }
    if (switchTo) set.setCurrentContext(main.contextName)
    return {previousContext}
  })
}

/**
 * After Ctrl-C: switches back, but only while the vCluster's context is still current and still points at our
 * forward (the user may have moved on, or a newer connect may have taken the context over).
 */
export async function restoreContext(
  files: readonly string[],
  contextName: string,
  to: string,
  server: string,
): Promise<boolean> {
  return editKubeconfigs(files, (set) => {
    const cluster = set.entry('clusters', contextName)?.cluster as {server?: unknown} | undefined
    if (set.currentContext() !== contextName || cluster?.server !== server) return false
    set.setCurrentContext(to)
    return true
  })
}

export interface Disconnected {
  from: string
  to: string
}

/**
 * `vcluster disconnect`: in the kubeconfig files a command reads (--kubeconfig, else $KUBECONFIG, else
 * ~/.kube/config), switches from the vCluster context (default: the current one) back to where connect came from.
 */
export function disconnect(options: {kubeconfig?: string; context?: string; lockTimeoutMs?: number}) {
  const files = existingKubeconfigFiles(options.kubeconfig, {
    required: true,
    hint: 'Point --kubeconfig or KUBECONFIG at the kubeconfig connect wrote to.',
  })
  return disconnectContext(files, options.context, options.lockTimeoutMs)
}

/** Switches from a vCluster context back to the one before connect, else to its host context. */
/** lockTimeoutMs: how long to wait for another writer's kubeconfig lock. */
export async function disconnectContext(
  files: readonly string[],
  contextOverride?: string,
  lockTimeoutMs?: number,
): Promise<Disconnected> {
  return editKubeconfigs(
    files,
    (set) => {
      const from = contextOverride ?? set.currentContext()
      const to = switchBackTarget(set, from)
      set.setCurrentContext(to)
      return {from, to}
    },
    lockTimeoutMs,
  )
}

function switchBackTarget(set: KubeconfigSet, from: string): string {
  const info = readConnectInfo(set.entry('contexts', from))
  const candidates =
    info !== undefined ? [info.previousContext, info.hostContext] : [parseContextName(from)?.hostContext]
  if (candidates.every((c) => c === undefined || c === '')) {
    throw new UsageError(
      from === ''
        ? 'there is no current context'
        : `the current context "${from}" is not a vCluster context written by vcluster connect`,
      'Switch yourself with: kubectl config use-context <name>',
    )
  }
  const known = set.names('contexts')
  const to = candidates.find((c) => c !== undefined && c !== '' && c !== from && known.includes(c))
  if (to === undefined) {
    throw new NotFoundError(
      `the context to switch back to (${candidates.filter(Boolean).join(' or ')}) is no longer in the kubeconfig`,
      `Known contexts: ${known.join(', ') || 'none'}. Switch with: kubectl config use-context <name>`,
    )
  }
  return to
}

export interface VClusterRef {
  name: string
  namespace: string
  /** When set, only contexts reached through this host context. */
  hostContext?: string
}

/** Is this context one we (or upstream) wrote for the vCluster? By its extension, else by upstream's naming. */
export function isVClusterContext(entry: NamedEntry, ref: VClusterRef): boolean {
  const info = readConnectInfo(entry)
  if (info !== undefined)
    return (
      info.name === ref.name &&
      info.namespace === ref.namespace &&
      (ref.hostContext === undefined || info.hostContext === ref.hostContext)
    )
  const parsed = parseContextName(entry.name)
  if (parsed === undefined || parsed.name !== ref.name || parsed.namespace !== ref.namespace) return false
  return (
    ref.hostContext === undefined ||
    parsed.hostContext === ref.hostContext ||
    parsed.hostContext.startsWith(`${ref.hostContext}_`)
  )
}

/**
 * Removes a vCluster's contexts (and their clusters and users, unless another context uses them) from every file;
 * when one was current, switches to its host context. Returns the removed context names.
 */
export async function removeVClusterContexts(files: readonly string[], ref: VClusterRef): Promise<string[]> {
  return editKubeconfigs(files, (set) => {
    const ours = set
      .names('contexts')
      .map((n) => set.entry('contexts', n) as NamedEntry)
      .filter((e) => isVClusterContext(e, ref))
    if (ours.length === 0) return []
    const current = set.currentContext()
    for (const e of ours) set.remove('contexts', e.name)
    const left = set.names('contexts').map((n) => pick(set.entry('contexts', n)))
    for (const e of ours) {
      const {cluster, user} = pick(e)
      if (cluster !== undefined && !left.some((l) => l.cluster === cluster)) set.remove('clusters', cluster)
      if (user !== undefined && !left.some((l) => l.user === user)) set.remove('users', user)
    }
    const currentEntry = ours.find((e) => e.name === current)
    if (currentEntry !== undefined)
      set.setCurrentContext(readConnectInfo(currentEntry)?.hostContext ?? parseContextName(current)?.hostContext ?? '')
    return ours.map((e) => e.name)
  })
}

function pick(entry: NamedEntry | undefined): {cluster?: string; user?: string} {
  const body = entry?.context as {cluster?: unknown; user?: unknown} | undefined
  return {
    ...(typeof body?.cluster === 'string' ? {cluster: body.cluster} : {}),
    ...(typeof body?.user === 'string' ? {user: body.user} : {}),
  }
}
