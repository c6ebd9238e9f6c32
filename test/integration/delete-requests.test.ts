// The requests `delete` sends, counted by the host API server's audit log, for a cluster admin (a user of its own,
// bound to cluster-admin, so other tests' admin requests are not counted) on a real vCluster with the default config:
// none refused, and waiting until everything is gone costs the same few requests however long it takes (one watch per
// kind still going, not a poll). With --delete-namespace, never more than upstream's delete --delete-namespace.
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {
  deferCleanup,
  newNamespace,
  sleep,
  useHostCluster,
  vcluster,
  waitFor,
  type TestNamespace,
} from '../cluster/index.js'
import {auditLogPath} from '../cluster/rig.js'

/** Upstream's `vcluster delete --delete-namespace` of a real vCluster (v0.36.1), as the bench counted it (bench/versus.ts). */
const UPSTREAM_DELETE_NAMESPACE_REQUESTS = 43

interface AuditEvent {
  user?: {username?: string}
  verb?: string
  requestURI?: string
  responseStatus?: {code?: number}
  requestReceivedTimestamp?: string
}

const cluster = useHostCluster()

/**
 * The requests `user` sent from `since` on (a watch of create's that ended after it is create's), found after the
 * log's first `from` characters, as `verb path` lines (query left out).
 */
function requestsOf(user: string, from: number, since: number): {lines: string[]; uris: string[]; refused: string[]} {
  const events = readFileSync(auditLogPath(cluster.name, cluster.dir), 'utf8')
    .slice(from)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.user?.username === user && Date.parse(e.requestReceivedTimestamp ?? '') >= since)
  const line = (e: AuditEvent) => `${e.verb} ${(e.requestURI ?? '').split('?')[0]}`
  return {
    lines: events.map(line),
    uris: events.map((e) => `${e.verb} ${e.requestURI}`),
    refused: events.filter((e) => e.responseStatus?.code === 403).map((e) => `${line(e)} (${e.requestURI})`),
  }
}

/** A namespace whose user is also bound to cluster-admin, with a real vCluster `name` created and ready in it. */
async function adminWithVCluster(prefix: string, name: string): Promise<TestNamespace> {
  const ns = await newNamespace(prefix, {mode: 'real'})
  const binding = `${ns.name}-cluster-admin`
  await cluster.kubectl(['create', 'clusterrolebinding', binding, '--clusterrole=cluster-admin', `--user=${ns.user}`])
  deferCleanup(() => cluster.kubectl(['delete', 'clusterrolebinding', binding, '--ignore-not-found']))
  await waitFor(
    async () =>
      (await ns.kubectl(['auth', 'can-i', 'delete', 'priorityclasses'], {reject: false})).stdout.trim() === 'yes',
    {what: 'the cluster-admin binding in effect'},
  )
  const created = await vcluster(
    ['create', name, '--kubeconfig', ns.userKubeconfig, '-n', ns.name, '--connect=false'],
    {
      timeoutMs: 360_000,
    },
  )
  expect(created.exitCode, created.stderr).toBe(0)
  return ns
}

/**
 * Runs delete with `args` as the namespace's user, `meanwhile` beside it; returns its requests, each counted once per
 * `verb path`.
 */
async function countedDelete(ns: TestNamespace, name: string, args: string[], meanwhile?: () => Promise<unknown>) {
  const from = readFileSync(auditLogPath(cluster.name, cluster.dir), 'utf8').length
  const since = Date.now()
  const [deleted] = await Promise.all([
    vcluster(['delete', name, '--kubeconfig', ns.userKubeconfig, '-n', ns.name, ...args], {timeoutMs: 180_000}),
    meanwhile?.(),
  ])
  expect(deleted.exitCode, deleted.stderr).toBe(0)
  const {lines, uris, refused} = requestsOf(ns.user, from, since)
  // A poll shows as the same request again and again (find's two lists run twice: to find it, and before the
  // namespace goes, to see no other vCluster lives there).
  const repeated = [...new Set(uris)].filter((u) => uris.filter((x) => x === u).length > 2)
  process.stderr.write(
    `[delete-requests] delete ${args.join(' ')}: ${lines.length} requests\n  ${lines.join('\n  ')}\n`,
  )
  return {count: lines.length, refused, repeated}
}

describe('the requests of delete on a real vCluster, as a cluster admin', () => {
  it(`--delete-namespace: none refused, none repeated while it waits, at most upstream's ${UPSTREAM_DELETE_NAMESPACE_REQUESTS}`, async () => {
    const ns = await adminWithVCluster('delreq', 'req')
    const r = await countedDelete(ns, 'req', ['--delete-namespace'])
    expect(r.refused).toEqual([])
    expect(r.repeated).toEqual([])
    expect(r.count).toBeLessThanOrEqual(UPSTREAM_DELETE_NAMESPACE_REQUESTS)
    expect((await cluster.kubectl(['get', 'namespace', ns.name], {reject: false})).exitCode).not.toBe(0)
  })

  it('keeping the namespace: none refused, none repeated while it waits (held 10 s) until everything is gone', async () => {
    const ns = await adminWithVCluster('delreqkeep', 'keep')
    // A finalizer of the test's own holds the Service a while, so the wait is long enough for a poll to show.
    const hold = ['-n', ns.name, 'patch', 'service', 'keep', '--type=merge']
    await cluster.kubectl([...hold, '-p', '{"metadata":{"finalizers":["vcluster-ts.test/hold"]}}'])
    const release = async () => {
      await waitFor(
        async () =>
          (
            await cluster.kubectl([
              '-n',
              ns.name,
              'get',
              'service',
              'keep',
              '-o',
              'jsonpath={.metadata.deletionTimestamp}',
            ])
          ).stdout !== '',
        {what: 'delete to delete the held Service'},
      )
      await sleep(10_000)
      await cluster.kubectl([...hold, '-p', '{"metadata":{"finalizers":null}}'])
    }
    const r = await countedDelete(ns, 'keep', [], release)
    expect(r.refused).toEqual([])
    expect(r.repeated).toEqual([])
    const left = await cluster.kubectl([
      '-n',
      ns.name,
      'get',
      'statefulsets,pods,services,secrets,pvc',
      '-l',
      'release=keep',
      '-o',
      'name',
    ])
    expect(left.stdout.trim()).toBe('')
  })
})
