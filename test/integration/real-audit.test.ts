// What the real vCluster (upstream's `vcluster start` 0.36.1 in the rig's real mode) and our CLI ask of the host:
// with the default config and with sync options that need cluster-wide rights, created by the namespace user, the
// host API server's audit log shows 0 refusals (403) for the vCluster's ServiceAccount and for the user. A refusal
// would be a right missing from the RBAC we render (src/lib/manifests/*rules*.ts) or a request the CLI should not make.
import {readFileSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  STORAGE_CLASS,
  newNamespace,
  sleep,
  useHostCluster,
  vcluster,
  waitFor,
  type TestNamespace,
} from '../cluster/index.js'
import {auditLogPath} from '../cluster/rig.js'
import {tempDir} from '../helpers/temp.js'

const cluster = useHostCluster()

const CLUSTER_WIDE_SYNC = `sync:
  fromHost:
    nodes:
      enabled: true
    storageClasses:
      enabled: true
    ingressClasses:
      enabled: true
  toHost:
    priorityClasses:
      enabled: true
`

interface AuditEvent {
  user?: {username?: string}
  verb?: string
  requestURI?: string
  responseStatus?: {code?: number}
}

function auditLog(): string {
  return readFileSync(auditLogPath(cluster.name, cluster.dir), 'utf8')
}

/** The audit log's events (one JSON object a line) of the given users, from the log's first `end` characters. */
function auditEvents(users: readonly string[], end?: number): AuditEvent[] {
  return auditLog()
    .slice(0, end)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => users.includes(e.user?.username ?? ''))
}

async function inside(ns: TestNamespace, name: string, args: string[]): Promise<string> {
  const r = await vcluster(
    ['connect', name, '--kubeconfig', ns.userKubeconfig, '-n', ns.name, '--', 'kubectl', ...args],
    {timeoutMs: 120_000},
  )
  if (r.exitCode !== 0) throw new Error(`connect -- kubectl ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`)
  return r.stdout
}

/**
 * The lifecycle on the real vCluster as the namespace user: create, a workload inside synced to the host and
 * Running, the vCluster left at its work a while, delete. Returns the two users the audit log is read for.
 */
async function lifecycle(name: string, config: string | undefined, more?: (ns: TestNamespace) => Promise<void>) {
  const ns = await newNamespace('real-audit', {mode: 'real'})
  const dir = tempDir('real-audit-')
  const values = join(dir, 'vcluster.yaml')
  writeFileSync(values, config ?? '{}\n')
  const common = [name, '-f', values, '--kubeconfig', ns.userKubeconfig, '-n', ns.name]
  if (config !== undefined) {
    // As a platform team would: grant the user what `create --print-role` asks for this config (Role and ClusterRole).
    const role = await vcluster(['create', ...common, '--dry-run=client', '--print-role', '--for-user', ns.user])
    expect(role.exitCode, role.stderr).toBe(0)
    expect(role.stdout).toContain('kind: ClusterRole')
    await cluster.kubectl(['apply', '-f', '-'], {input: role.stdout})
    await waitFor(
      async () =>
        (
          await ns.kubectl(['auth', 'can-i', 'create', 'priorityclasses.scheduling.k8s.io'], {reject: false})
        ).stdout.trim() === 'yes',
      {what: 'the printed ClusterRole in effect'},
    )
  }
  const created = await vcluster(['create', ...common, '--connect=false', '--timeout', '5m'], {timeoutMs: 360_000})
  expect(created.exitCode, created.stderr).toBe(0)

  await inside(ns, name, ['create', 'deployment', 'work', '--image=nginx:1.27', '-n', 'default'])
  await waitFor(
    async () => {
      const pods = await cluster.kubectlJson(['-n', ns.name, 'get', 'pods', '-l', 'app=work'])
      return pods.items.length === 1 && pods.items[0].status.phase === 'Running'
    },
    {timeoutMs: 90_000, what: 'the synced pod Running on the host'},
  )
  await waitFor(
    async () =>
      (await inside(ns, name, [
        'get',
        'pods',
        '-n',
        'default',
        '-l',
        'app=work',
        '-o',
        'jsonpath={.items[*].status.phase}',
      ])) === 'Running',
    {timeoutMs: 60_000, what: 'Running seen inside'},
  )
  await more?.(ns)
  // Its controllers resync, lease renewals, the syncer's watches: a refusal in steady state shows up here.
  await sleep(20_000)
  // pause and resume as the user: the pods it synced go and come back, with no refused request either.
  const user = ['--kubeconfig', ns.userKubeconfig, '-n', ns.name]
  for (const step of ['pause', 'resume']) {
    const r = await vcluster([step, name, ...user], {timeoutMs: 180_000})
    expect(r.exitCode, r.stderr).toBe(0)
  }
  const beforeDelete = auditLog().length
  const deleted = await vcluster(['delete', name, '--kubeconfig', ns.userKubeconfig, '-n', ns.name], {
    timeoutMs: 180_000,
  })
  expect(deleted.exitCode, deleted.stderr).toBe(0)
  return {serviceAccount: `system:serviceaccount:${ns.name}:vc-${name}`, user: ns.user, beforeDelete}
}

const refusals = (events: AuditEvent[]) =>
  events.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.user?.username} ${e.verb} ${e.requestURI}`)

/**
 * 0 refusals for the vCluster's ServiceAccount over its whole life, and for the user over create, work and delete:
 * delete asks what it may do (src/lib/vcluster/delete-rights.ts) instead of trying cluster-wide kinds and
 * deletecollection and taking the 403 as "skip".
 */
function expectNoRefusals(users: {serviceAccount: string; user: string; beforeDelete: number}): void {
  const bySa = auditEvents([users.serviceAccount])
  const byUser = auditEvents([users.user], users.beforeDelete)
  process.stderr.write(
    `[real-audit] ${users.serviceAccount}: ${bySa.length} requests; ${users.user}: ${byUser.length}\n`,
  )
  const byDelete = auditEvents([users.user]).slice(byUser.length)
  process.stderr.write(`[real-audit] delete: ${byDelete.length} requests\n`)
  // The log is read: the vCluster and the CLI both made many requests (else 0 refusals would prove nothing).
  expect(bySa.length).toBeGreaterThan(20)
  expect(byUser.length).toBeGreaterThan(10)
  expect(refusals(bySa)).toEqual([])
  expect(refusals(byUser)).toEqual([])
  expect(byDelete.length).toBeGreaterThan(10)
  expect(refusals(byDelete)).toEqual([])
}

describe('the real vCluster asks the host nothing it may not', () => {
  it('default config: 0 forbidden requests from its ServiceAccount and from the namespace user', async () => {
    expectNoRefusals(await lifecycle('audit', undefined))
  })

  it('nodes, storage classes and ingress classes from the host, priority classes to it: 0 forbidden requests', async () => {
    const users = await lifecycle('wide', CLUSTER_WIDE_SYNC, async (ns) => {
      // The cluster-wide syncers at work: the host's nodes, storage and ingress classes inside; a PriorityClass out.
      await cluster.kubectl(['apply', '-f', '-'], {
        input:
          'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: audit-host}\nspec: {controller: example.com/none}\n',
      })
      await waitFor(async () => (await inside(ns, 'wide', ['get', 'nodes', '-o', 'name'])).includes('node/'), {
        timeoutMs: 60_000,
        what: 'host nodes inside',
      })
      await waitFor(
        async () => (await inside(ns, 'wide', ['get', 'ingressclasses', '-o', 'name'])).includes('audit-host'),
        {timeoutMs: 60_000, what: 'the host IngressClass inside'},
      )
      await waitFor(
        async () => (await inside(ns, 'wide', ['get', 'storageclasses', '-o', 'name'])).includes(STORAGE_CLASS),
        {timeoutMs: 60_000, what: `the host StorageClass ${STORAGE_CLASS} inside`},
      )
      await inside(ns, 'wide', ['create', 'priorityclass', 'audit-high', '--value=1000'])
      await waitFor(
        async () => (await cluster.kubectl(['get', 'priorityclasses', '-o', 'name'])).stdout.includes('audit-high'),
        {timeoutMs: 60_000, what: 'the PriorityClass synced to the host'},
      )
    })
    await cluster.kubectl(['delete', 'ingressclass', 'audit-host', '--ignore-not-found'])
    expectNoRefusals(users)
  })
})
