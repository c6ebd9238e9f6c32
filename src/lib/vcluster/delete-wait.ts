/**
 * delete's wait until nothing of the vCluster is left: deletion is asynchronous (finalizers, the garbage collector,
 * a syncer still stopping). Each kind is listed once and, while anything of it is left, watched from that list's
 * version: the requests do not grow with the wait. When the namespace itself is being deleted only it is waited for
 * (everything in it goes with it). Once the syncer is gone, what it made outside the namespace is looked at once.
 */
import {ForbiddenError, NotFoundError, TimeoutError, UnavailableError} from '../errors.js'
import type {KubeClient} from '../kube/client.js'
import {collectionPath} from '../kube/resources.js'
import {abortableSleep} from '../kube/watch.js'
import {managedBySelector, removed} from './delete-cluster.js'
import type {DeleteRights} from './delete-rights.js'

/** How long one watch request runs before the server ends it and the next starts from the last version seen. */
const WATCH_SECONDS = 60
/** Where the user may list but not watch a kind (a least-privilege Role): how often what is left is listed again. */
const POLL_MS = 1000

interface Obj {
  metadata: {name: string; resourceVersion?: string; deletionTimestamp?: string}
}

/** One kind's objects to wait for. */
export interface Target {
  kind: string
  path: string
  query: Record<string, string>
  /** Whether a listed object still counts (default: every object does). */
  counts?: (o: Obj) => boolean
  /** The namespace is being deleted: losing sight of it (its RoleBindings, and so the user's rights, go too) is gone. */
  vanishes?: boolean
}

interface State {
  names: Set<string>
  rv: string
}

export interface GoneOptions {
  name: string
  namespace: string
  keptClaims: boolean
  namespaceDeleted: boolean
  rights: DeleteRights
  timeoutMs: number
}

/** The vCluster's objects in its namespace, by its release label (its claims unless kept). */
export function namespacedTargets(name: string, namespace: string, keptClaims: boolean, vanishes = false): Target[] {
  const kinds = [
    'StatefulSet',
    'Deployment',
    'Pod',
    'Service',
    'Secret',
    ...(keptClaims ? [] : ['PersistentVolumeClaim']),
  ]
  return kinds.map((kind) => ({
    kind,
    path: collectionPath(kind, namespace),
    query: {labelSelector: `release=${name}`},
    vanishes,
  }))
}

/** The namespace alone, as upstream's delete --delete-namespace waits (with one watch, not a GET a second). */
export function namespaceTarget(namespace: string): Target {
  return {kind: 'Namespace', path: collectionPath('Namespace'), query: {fieldSelector: `metadata.name=${namespace}`}}
}

export async function waitUntilGone(client: KubeClient, options: GoneOptions): Promise<void> {
  const {name, namespace, rights} = options
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), options.timeoutMs)
  const left = new Map<string, State>()
  const watchAll = async (targets: Target[]) => {
    const allowed = await Promise.all(targets.map((t) => rights.may(t.kind, 'list')))
    await Promise.all(targets.filter((_, i) => allowed[i]).map((t) => untilNoneLeft(client, t, rights, left, abort)))
  }
  try {
    const whole =
      options.namespaceDeleted && (await rights.may('Namespace', 'list')) && (await rights.may('Namespace', 'watch'))
    await watchAll(
      whole
        ? [namespaceTarget(namespace)]
        : namespacedTargets(name, namespace, options.keptClaims, options.namespaceDeleted),
    )
    // The syncer is stopped now: what it made outside the namespace can no longer come back.
    if (!abort.signal.aborted) await watchAll(await clusterTargets(client, name, namespace, rights))
  } finally {
    clearTimeout(timer)
  }
  const still = [...left.entries()].flatMap(([kind, s]) => [...s.names].map((n) => `${kind}/${n}`))
  if (abort.signal.aborted && still.length > 0)
    throw new TimeoutError(
      `vCluster ${name} is deleted, but these are still going away: ${still.join(', ')}`,
      `Check them with kubectl -n ${namespace} get ${still[0]}, or run the delete again.`,
    )
}

/**
 * PriorityClasses the syncer made (deleted again: it may have made them anew while stopping) and the namespaces it
 * made that are still terminating. What the user may not list or delete counts as gone: the warning names it.
 */
async function clusterTargets(
  client: KubeClient,
  name: string,
  namespace: string,
  rights: DeleteRights,
): Promise<Target[]> {
  const marker = managedBySelector(name, namespace)
  if (await rights.may('PriorityClass', 'list')) {
    const found = await client.request<{items: Obj[]}>({
      path: collectionPath('PriorityClass'),
      query: {labelSelector: marker},
    })
    await Promise.all(found.items.map((o) => removed(client, rights, 'PriorityClass', o.metadata.name)))
  }
  const terminating = (o: Obj) => o.metadata.deletionTimestamp !== undefined
  return [{kind: 'Namespace', path: collectionPath('Namespace'), query: {labelSelector: marker}, counts: terminating}]
}

/** Lists the target once, then watches (or, without the right to watch, lists again) until none of it is left. */
async function untilNoneLeft(
  client: KubeClient,
  target: Target,
  rights: DeleteRights,
  left: Map<string, State>,
  abort: AbortController,
): Promise<void> {
  const canWatch = await rights.may(target.kind, 'watch')
  let state = await listed(client, target)
  while (state !== undefined && state.names.size > 0 && !abort.signal.aborted) {
    left.set(target.kind, state)
    if (canWatch && (await watchedUntilEmpty(client, target, state, abort.signal))) continue
    await abortableSleep(canWatch ? 250 : POLL_MS, abort.signal)
    if (!abort.signal.aborted) state = await listed(client, target)
  }
  if (state !== undefined && state.names.size === 0) left.delete(target.kind)
}

/** The target's objects that count, and the list's version to watch from; undefined when it vanished. */
async function listed(client: KubeClient, target: Target): Promise<State | undefined> {
  try {
    const list = await client.request<{metadata: {resourceVersion: string}; items: Obj[]}>({
      path: target.path,
      query: target.query,
    })
    const counts = target.counts ?? (() => true)
    return {names: new Set(list.items.filter(counts).map((o) => o.metadata.name)), rv: list.metadata.resourceVersion}
  } catch (error) {
    if (vanished(target, error)) return undefined
    throw error
  }
}

/** The namespace being deleted took the user's rights there (its RoleBindings) or is gone: so is everything in it. */
function vanished(target: Target, error: unknown): boolean {
  return target.vanishes === true && (error instanceof ForbiddenError || error instanceof NotFoundError)
}

/**
 * One watch from the last version seen; true when none is left, false when it ended otherwise (the server's timeout,
 * an expired version, a lost or silent connection): the caller lists again.
 */
async function watchedUntilEmpty(
  client: KubeClient,
  target: Target,
  state: State,
  signal: AbortSignal,
): Promise<boolean> {
  const done = new AbortController()
  const stop = () => done.abort()
  signal.addEventListener('abort', stop, {once: true})
  // A half-open connection stays silent: end it a little after the server would have.
  const stall = setTimeout(stop, (WATCH_SECONDS + 15) * 1000)
  const counts = target.counts ?? (() => true)
  try {
    await client.watch(
      target.path,
      {...target.query, resourceVersion: state.rv, timeoutSeconds: String(WATCH_SECONDS)},
      (type, object) => {
        const o = object as Obj
        state.rv = o.metadata.resourceVersion ?? state.rv
        if (type === 'DELETED' || !counts(o)) state.names.delete(o.metadata.name)
        else state.names.add(o.metadata.name)
        if (state.names.size === 0) done.abort()
      },
      done.signal,
    )
  } catch (error) {
    if (vanished(target, error)) state.names.clear()
    else if (!(error instanceof UnavailableError)) throw error
  } finally {
    clearTimeout(stall)
    signal.removeEventListener('abort', stop)
  }
  return state.names.size === 0
}
