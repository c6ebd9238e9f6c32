import {ConflictError, ForbiddenError, NotFoundError, TimeoutError} from '../errors.js'
import type {KubeClient} from './client.js'

export const CREATED_ANNOTATION = 'vcluster.loft.sh/created'

export interface Namespace {
  metadata: {name: string; annotations?: Record<string, string>}
  status?: {phase?: string}
}

/**
 * Makes sure the namespace exists. Returns true when this call created it. A user who may not read or create
 * namespaces (namespace-scoped rights only) goes on: the namespace is assumed to exist, and the applies say so if not.
 */
export async function ensureNamespace(
  client: KubeClient,
  namespace: string,
  create: boolean,
  dryRun = false,
  waitMs = 120_000,
  lookup?: Promise<Namespace>,
): Promise<boolean> {
  let existing: Namespace | undefined
  try {
    existing = await (lookup ?? lookupNamespace(client, namespace))
  } catch (error) {
    if (error instanceof ForbiddenError) return createIfAllowed(client, namespace, create, dryRun, true)
    if (!(error instanceof NotFoundError)) throw error
  }
  if (existing?.status?.phase === 'Terminating') {
    // A namespace being deleted cannot take new objects: wait (bounded by the caller's --timeout) until it is gone.
    await waitUntilGone(client, namespace, waitMs)
    existing = undefined
  }
  if (existing !== undefined) return false
  if (!create)
    throw new NotFoundError(`namespace ${namespace} does not exist`, 'Create it, or drop --create-namespace=false.')
  return createIfAllowed(client, namespace, create, dryRun, false)
}

/** The namespace, read early by callers that have other reads to make (rejects with NotFound or Forbidden). */
export function lookupNamespace(client: KubeClient, namespace: string): Promise<Namespace> {
  const lookup = client.request<Namespace>({path: `/api/v1/namespaces/${namespace}`})
  lookup.catch(() => undefined) // awaited by ensureNamespace, or not at all when the caller stops early
  return lookup
}

async function createIfAllowed(
  client: KubeClient,
  namespace: string,
  create: boolean,
  dryRun: boolean,
  mayExist: boolean,
): Promise<boolean> {
  if (!create) return false
  try {
    await client.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      query: {dryRun: dryRun ? 'All' : undefined},
      body: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {name: namespace, annotations: {[CREATED_ANNOTATION]: 'true'}},
      },
    })
    return true
  } catch (error) {
    if (error instanceof ConflictError) return false
    if (error instanceof ForbiddenError && mayExist) return false
    throw error
  }
}

async function waitUntilGone(client: KubeClient, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ns = await client.request<Namespace | undefined>({path: `/api/v1/namespaces/${namespace}`, allow: [404]})
    if (ns === undefined) return
    const left = deadline - Date.now()
    if (left <= 0) break
    await new Promise((r) => setTimeout(r, Math.min(1000, left)))
  }
  throw new TimeoutError(
    `namespace ${namespace} is still terminating after ${timeoutMs / 1000}s`,
    `Check what blocks it: kubectl get namespace -o yaml ${namespace}`,
  )
}
