// delete --delete-namespace as a namespace user: refused before anything is deleted when the user may not delete its
// namespace (no refused request sent), and, when a RoleBinding there lets it, the namespace goes and delete waits
// for it without the cluster-wide rights to watch namespaces.
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {newNamespace, useHostCluster, vcluster, waitFor, type TestNamespace} from '../cluster/index.js'
import {auditLogPath} from '../cluster/rig.js'

const cluster = useHostCluster()

/** The user's refused requests after the audit log's first `from` characters. */
function refusedSince(user: string, from: number): string[] {
  return readFileSync(auditLogPath(cluster.name, cluster.dir), 'utf8')
    .slice(from)
    .split('\n')
    .filter((l) => l !== '')
    .map(
      (l) =>
        JSON.parse(l) as {
          user?: {username?: string}
          verb?: string
          requestURI?: string
          responseStatus?: {code?: number}
        },
    )
    .filter((e) => e.user?.username === user && e.responseStatus?.code === 403)
    .map((e) => `${e.verb} ${e.requestURI}`)
}

async function created(ns: TestNamespace, name: string): Promise<string[]> {
  const user = ['--kubeconfig', ns.userKubeconfig, '-n', ns.name]
  const r = await vcluster(['create', name, ...user, '--no-connect'])
  expect(r.exitCode, r.stderr).toBe(0)
  return user
}

describe('delete --delete-namespace as a namespace user', () => {
  it('without delete on its namespace: refused up front (exit 5), nothing deleted, no request refused', async () => {
    const ns = await newNamespace('delnsno')
    const user = await created(ns, 'demo')
    const from = readFileSync(auditLogPath(cluster.name, cluster.dir), 'utf8').length
    const r = await vcluster(['delete', 'demo', ...user, '--delete-namespace'])
    expect(r.exitCode, r.stderr).toBe(5)
    expect(r.stderr).toContain(`missing permissions in namespace ${ns.name}, nothing was changed: namespaces: delete`)
    expect(r.stderr).toContain('without --delete-namespace')
    expect((await ns.kubectl(['get', 'statefulset', 'demo', '-o', 'name'])).stdout.trim()).toBe('statefulset.apps/demo')
    expect(refusedSince(ns.user, from)).toEqual([])
  })

  it('allowed by a RoleBinding in it: the namespace goes, and delete waits for it without watching namespaces', async () => {
    const ns = await newNamespace('delnsyes')
    await cluster.kubectl([
      '-n',
      ns.name,
      'create',
      'role',
      'own-namespace',
      '--verb=get,delete',
      '--resource=namespaces',
    ])
    await cluster.kubectl([
      '-n',
      ns.name,
      'create',
      'rolebinding',
      'own-namespace',
      '--role=own-namespace',
      `--user=${ns.user}`,
    ])
    await waitFor(
      async () =>
        (await ns.kubectl(['auth', 'can-i', 'delete', `namespace/${ns.name}`], {reject: false})).stdout.trim() ===
        'yes',
      {
        what: 'delete on its own namespace in effect',
      },
    )
    const user = await created(ns, 'demo')
    const r = await vcluster(['delete', 'demo', ...user, '--delete-namespace'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stderr).toContain(`deleted namespace ${ns.name}`)
    expect(r.stderr).toContain('nothing of it is left')
    const left = await cluster.kubectl(['get', 'namespace', ns.name, '-o', 'jsonpath={.metadata.deletionTimestamp}'], {
      reject: false,
    })
    // Gone, or going: its objects were deleted before the user's rights in it went.
    expect(left.exitCode !== 0 || left.stdout !== '').toBe(true)
  })
})
