// delete removes what a vCluster's syncer made outside its namespace, as upstream's delete does: PriorityClasses and
// namespaces labelled vcluster.loft.sh/managed-by=<namespace>-x-<name>, and clears the vCluster's metadata off a
// namespace it imported. The cluster admin also makes such objects here, as the syncer would, so that each kind is
// present whatever the real vCluster synced before the delete. A namespace-scoped user's delete succeeds and names
// what only a cluster admin can remove.
import {describe, expect, it} from 'vitest'
import {deferCleanup, newNamespace, useHostCluster, vcluster} from '../cluster/index.js'

const MARKER = 'vcluster.loft.sh/managed-by'

/** What the syncer makes: a PriorityClass and a namespace labelled as the vCluster's. */
function syncedObjects(marker: string, suffix: string): string {
  return `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: synced-pc-${suffix}
  labels: {${MARKER}: ${marker}}
value: 1000
---
apiVersion: v1
kind: Namespace
metadata:
  name: synced-ns-${suffix}
  labels: {${MARKER}: ${marker}}
`
}

/** A host namespace the vCluster imported: it and its objects carry the vCluster's metadata, and must stay. */
function importedNamespace(marker: string, suffix: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: imported-ns-${suffix}
  labels: {${MARKER}: ${marker}, team: a}
  annotations: {vcluster.loft.sh/object-imported: "true"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: imported-ns-${suffix}
  labels: {vcluster.loft.sh/namespace: default, app: web}
  annotations: {vcluster.loft.sh/object-name: app}
`
}

const names = async (args: string[]) =>
  (await useHostCluster().kubectl([...args, '-o', 'name'])).stdout.split('\n').filter((l) => l !== '')

describe('delete and the cluster-scoped objects the vCluster synced', () => {
  it('removes its PriorityClasses and namespaces, and clears a namespace it imported', async () => {
    const cluster = useHostCluster()
    const ns = await newNamespace('delpc')
    const admin = ['--kubeconfig', cluster.adminKubeconfig, '-n', ns.name]
    const suffix = ns.name.split('-').at(-1) as string
    deferCleanup(() =>
      cluster.kubectl([
        'delete',
        `priorityclass/synced-pc-${suffix}`,
        `namespace/synced-ns-${suffix}`,
        `namespace/imported-ns-${suffix}`,
        '--ignore-not-found',
        '--wait=false',
      ]),
    )
    const created = await vcluster(['create', 'demo', ...admin, '--no-connect'])
    expect(created.exitCode, created.stderr).toBe(0)
    const marker = `${ns.name}-x-demo`
    await cluster.kubectl(['create', '-f', '-'], {
      input: `${syncedObjects(marker, suffix)}---\n${importedNamespace(marker, suffix)}`,
    })
    expect(await names(['get', 'priorityclasses,namespaces', '-l', `${MARKER}=${marker}`])).toHaveLength(3)

    const deleted = await vcluster(['delete', 'demo', ...admin])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    expect(deleted.stderr).not.toContain('warning')
    // Confirmed by delete itself (it waits until nothing labelled remains), checked here again.
    expect(await names(['get', 'priorityclasses,namespaces', '-l', `${MARKER}=${marker}`])).toEqual([])
    const imported = await cluster.kubectlJson(['get', 'namespace', `imported-ns-${suffix}`])
    expect(imported.metadata.deletionTimestamp).toBeUndefined()
    expect(imported.metadata.labels).toMatchObject({team: 'a'})
    expect(
      Object.keys({...imported.metadata.labels, ...imported.metadata.annotations}).filter((k) =>
        k.startsWith('vcluster.loft.sh/'),
      ),
    ).toEqual([])
    const cm = await cluster.kubectlJson(['-n', `imported-ns-${suffix}`, 'get', 'configmap', 'app'])
    expect(cm.metadata.labels).toEqual({app: 'web'})
    expect(cm.metadata.annotations ?? {}).toEqual({})
  })

  it('as a namespace-scoped user: succeeds, leaves them, and names them with the command for a cluster admin', async () => {
    const cluster = useHostCluster()
    const ns = await newNamespace('delpcns')
    const suffix = ns.name.split('-').at(-1) as string
    deferCleanup(() =>
      cluster.kubectl([
        'delete',
        `priorityclass/synced-pc-${suffix}`,
        `namespace/synced-ns-${suffix}`,
        '--ignore-not-found',
        '--wait=false',
      ]),
    )
    // Syncing PriorityClasses needs a ClusterRole, which only the admin may create; the user deletes.
    const created = await vcluster([
      'create',
      'demo',
      '--kubeconfig',
      cluster.adminKubeconfig,
      '-n',
      ns.name,
      '--no-connect',
      '--set',
      'sync.toHost.priorityClasses.enabled=true',
    ])
    expect(created.exitCode, created.stderr).toBe(0)
    const marker = `${ns.name}-x-demo`
    await cluster.kubectl(['create', '-f', '-'], {input: syncedObjects(marker, suffix)})

    // The real vCluster syncs its own system PriorityClasses too (e.g. system-node-critical-x-NS-x-demo).
    const before = await names(['get', 'priorityclass', '-l', `${MARKER}=${marker}`])
    expect(before).toContain(`priorityclass.scheduling.k8s.io/synced-pc-${suffix}`)

    const deleted = await vcluster(['delete', 'demo', '--kubeconfig', ns.userKubeconfig, '-n', ns.name])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    expect(deleted.stderr).toContain(
      `warning: vCluster demo may have left PriorityClasses labelled ${MARKER}=${marker}`,
    )
    expect(deleted.stderr).toContain(`  kubectl delete priorityclasses -l ${MARKER}=${marker}\n`)
    expect(deleted.stderr).toContain(`kubectl delete clusterrolebinding,clusterrole vc-demo-v-${ns.name}`)
    // Namespace sync is off in its config: no warning about namespaces, though the user could not look.
    expect(deleted.stderr).not.toContain('namespaces labelled')
    // Left as they were: the user may not delete them (the vCluster may have synced more before it stopped).
    expect(await names(['get', 'priorityclass', '-l', `${MARKER}=${marker}`])).toEqual(expect.arrayContaining(before))

    // The admin's command from the warning does the rest.
    await cluster.kubectl(['delete', 'priorityclasses', '-l', `${MARKER}=${marker}`])
    await cluster.kubectl(['delete', 'clusterrolebinding,clusterrole', `vc-demo-v-${ns.name}`, '--ignore-not-found'])
    expect(await names(['get', 'priorityclass', '-l', `${MARKER}=${marker}`])).toEqual([])
  })

  it('as a namespace-scoped user with the default config: no warning (the vCluster could not make any)', async () => {
    const ns = await newNamespace('delquiet')
    const user = ['--kubeconfig', ns.userKubeconfig, '-n', ns.name]
    const created = await vcluster(['create', 'demo', ...user, '--no-connect'])
    expect(created.exitCode, created.stderr).toBe(0)
    const deleted = await vcluster(['delete', 'demo', ...user])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    expect(deleted.stderr).not.toContain('warning')
  })

  it('keeps a namespace it created while another vCluster lives there (as upstream)', async () => {
    const cluster = useHostCluster()
    const ns = `delkeep-${Date.now().toString(36)}`
    deferCleanup(() => cluster.kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']))
    const admin = ['--kubeconfig', cluster.adminKubeconfig, '-n', ns]
    const created = await vcluster(['create', 'demo', ...admin, '--no-connect', '--no-wait'])
    expect(created.exitCode, created.stderr).toBe(0)
    expect((await cluster.kubectlJson(['get', 'namespace', ns])).metadata.annotations).toMatchObject({
      'vcluster.loft.sh/created': 'true',
    })
    // Another vCluster in the same namespace, e.g. one made by upstream's CLI (ours refuses a second one).
    await cluster.kubectl(['-n', ns, 'create', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: other, labels: {app: vcluster, release: other}}
spec:
  replicas: 0
  serviceName: other
  selector: {matchLabels: {app: vcluster, release: other}}
  template:
    metadata: {labels: {app: vcluster, release: other}}
    spec: {containers: [{name: syncer, image: example.invalid/none}]}
`,
    })
    const deleted = await vcluster(['delete', 'demo', ...admin])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    expect(deleted.stderr).toContain(`kept namespace ${ns}: vCluster other is still in it`)
    const left = await cluster.kubectlJson(['get', 'namespace', ns])
    expect(left.metadata.deletionTimestamp).toBeUndefined()
    expect(await names(['-n', ns, 'get', 'statefulsets'])).toEqual(['statefulset.apps/other'])
  })
})
