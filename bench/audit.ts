/**
 * API requests counted at the API server, not by the CLI: the bench cluster runs with an audit log
 * (`cluster:up -- --audit`), and the CLI runs as a user of its own, so its requests are told apart from kubectl's,
 * the rig's watcher's and the controllers' (all of which run as the cluster's admin).
 */
import {closeSync, openSync, readSync, statSync} from 'node:fs'
import type {ClusterFacts} from '../test/cluster/rig.js'
import {writeUserKubeconfig} from '../test/cluster/users.js'

export const BENCH_USER = 'vcluster-bench'

export interface AuditEvent {
  stage: string
  verb: string
  requestURI: string
  user: {username: string}
  userAgent?: string
  requestReceivedTimestamp: string
}

/** A kubeconfig for BENCH_USER (client certificate, cluster-admin through a binding the caller applies). */
export async function benchUserKubeconfig(facts: ClusterFacts): Promise<{kubeconfig: string; binding: string}> {
  const kubeconfig = await writeUserKubeconfig(facts, undefined, BENCH_USER)
  const binding = JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: {name: BENCH_USER},
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin'},
    subjects: [{apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: BENCH_USER}],
  })
  return {kubeconfig, binding}
}

/** The audit events BENCH_USER's requests completed while `run` ran, oldest first. */
export async function auditedRequests(auditLog: string, run: () => unknown): Promise<AuditEvent[]> {
  const from = statSync(auditLog).size
  await run()
  // A watch is logged when the server sees it closed, a moment after the CLI exits.
  await new Promise((r) => setTimeout(r, 1500))
  const fd = openSync(auditLog, 'r')
  const buf = Buffer.alloc(statSync(auditLog).size - from)
  readSync(fd, buf, 0, buf.length, from)
  closeSync(fd)
  return buf
    .toString('utf8')
    .split('\n')
    .filter((l) => l.includes(`"${BENCH_USER}"`))
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.stage === 'ResponseComplete' && e.user.username === BENCH_USER)
    .sort((a, b) => a.requestReceivedTimestamp.localeCompare(b.requestReceivedTimestamp))
}

const PREFLIGHT = /\/selfsubject(rules|access)reviews/

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection'])
const NAMESPACE_OBJECT = /^\/api\/v1\/namespaces\/[^/?]+(\?|$)/

/**
 * Sorts a create's requests by what they are for, not by order (create sends its reads and the permission check
 * together): lookups (host version, existing vCluster, stored config), the preflight (permission reviews), and
 * the apply phase (the namespace check and create, then one server-side apply per object).
 */
export function createPhases(events: AuditEvent[]): {before: number; preflight: number; after: number} {
  const preflight = events.filter((e) => PREFLIGHT.test(e.requestURI)).length
  const apply = events.filter(
    (e) => !PREFLIGHT.test(e.requestURI) && (WRITE_VERBS.has(e.verb) || NAMESPACE_OBJECT.test(e.requestURI)),
  ).length
  return {before: events.length - preflight - apply, preflight, after: apply}
}

/** `verb path` per request in order (query strings cut), or for long lists the count per verb and resource. */
export function describeRequests(events: AuditEvent[]): string {
  const lines = events.map((e) => `${e.verb} ${e.requestURI.split('?')[0]}`)
  if (lines.length <= 20) return lines.join(', ')
  const counts = new Map<string, number>()
  for (const e of events) {
    const path = e.requestURI.split('?')[0] ?? ''
    const resource = path.replace(/^\/apis?\/(?:[^/]+\/)?v1\/(?:namespaces\/[^/]+\/)?/, '').split('/')[0] || path
    const key = `${e.verb} ${resource}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(', ')
}
