import {parseContextName} from './names.js'
import type {KubeconfigDoc, NamedEntry} from './resolve.js'

export interface ContextEntryInput {
  /** Cluster, user and context share this name, as upstream writes them. */
  name: string
  server: string
  certificateAuthorityData?: string
  insecureSkipTlsVerify?: boolean
  /** The user entry (client cert/key data or token), taken from the vCluster's kubeconfig. */
  user: Record<string, unknown>
  namespace?: string
}

function upsert(list: NamedEntry[] | undefined, entry: NamedEntry): NamedEntry[] {
  const items = (list ?? []).filter((e) => e.name !== entry.name)
  items.push(entry)
  return items
}

/** Adds or replaces the cluster, user and context of one name. */
export function upsertContext(doc: KubeconfigDoc, input: ContextEntryInput): void {
  const cluster: Record<string, unknown> = {server: input.server}
  if (input.insecureSkipTlsVerify === true) cluster['insecure-skip-tls-verify'] = true
  else if (input.certificateAuthorityData !== undefined) cluster['certificate-authority-data'] = input.certificateAuthorityData
  doc.clusters = upsert(doc.clusters, {name: input.name, cluster})
  doc.users = upsert(doc.users, {name: input.name, user: input.user})
  const context: Record<string, unknown> = {cluster: input.name, user: input.name}
  if (input.namespace !== undefined) context.namespace = input.namespace
  doc.contexts = upsert(doc.contexts as NamedEntry[] | undefined, {name: input.name, context}) as KubeconfigDoc['contexts']
  doc.apiVersion ??= 'v1'
  doc.kind ??= 'Config'
}

/**
 * Removes the contexts (and their same-named clusters and users) of one vCluster. When the current context was
 * one of them, switches back to its host context. Returns the removed context names.
 */
export function removeVClusterContexts(doc: KubeconfigDoc, name: string, namespace: string): string[] {
  const isOurs = (n: string) => {
    const parsed = parseContextName(n)
    return parsed !== undefined && parsed.name === name && parsed.namespace === namespace
  }
  const removed = (doc.contexts ?? []).map((c) => c.name).filter(isOurs)
  if (removed.length === 0) return []
  doc.contexts = (doc.contexts ?? []).filter((c) => !isOurs(c.name))
  doc.clusters = (doc.clusters ?? []).filter((c) => !removed.includes(c.name))
  doc.users = (doc.users ?? []).filter((u) => !removed.includes(u.name))
  const current = doc['current-context'] ?? ''
  if (removed.includes(current)) doc['current-context'] = parseContextName(current)?.hostContext ?? ''
  return removed
}
