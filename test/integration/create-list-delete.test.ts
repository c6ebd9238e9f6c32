import {spawn} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {EXTRA_ROLE, cliEntry, newNamespace, useHostCluster, vcluster, waitFor} from '../cluster/index.js'

/** Everything in the namespace that carries the vCluster's release label (what delete must remove). */
async function labelled(ns: string, name: string): Promise<string[]> {
  const cluster = useHostCluster()
  const r = await cluster.kubectl([
    '-n',
    ns,
    'get',
    'statefulsets,deployments,pods,services,secrets,serviceaccounts,roles,rolebindings,pvc',
    '-l',
    `release=${name}`,
    '-o',
    'name',
  ])
  return r.stdout.split('\n').filter((l) => l !== '')
}

describe('create, list, delete as a namespace-scoped user', () => {
  it('creates a ready vCluster, lists it, refuses a changed config, converges when re-run, and deletes everything', async () => {
    const ns = await newNamespace('cld')
    const user = ['--kubeconfig', ns.userKubeconfig]

    const created = await vcluster([
      'create',
      'demo',
      ...user,
      '-n',
      ns.name,
      '--set',
      'controlPlane.proxy.extraSANs={demo.example.com}',
    ])
    expect(created.stderr).toContain('vCluster demo ready after')
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.stdout).toBe('')

    const cluster = useHostCluster()
    const sts = await cluster.kubectlJson(['-n', ns.name, 'get', 'statefulset', 'demo'])
    expect(sts.status.readyReplicas).toBe(1)
    expect(sts.metadata.labels).toMatchObject({
      app: 'vcluster',
      release: 'demo',
      'app.kubernetes.io/managed-by': 'vcluster-cli',
    })
    const pvc = await cluster.kubectlJson(['-n', ns.name, 'get', 'pvc', 'data-demo-0'])
    expect(pvc.status.phase).toBe('Bound')
    const names = await labelled(ns.name, 'demo')
    expect(names).toEqual(
      expect.arrayContaining([
        'statefulset.apps/demo',
        'service/demo',
        'service/demo-headless',
        'secret/vc-config-demo',
        'serviceaccount/vc-demo',
        'role.rbac.authorization.k8s.io/vc-demo',
      ]),
    )

    const json = await vcluster(['list', ...user, '-n', ns.name, '-o', 'json'])
    expect(json.exitCode, json.stderr).toBe(0)
    const items = JSON.parse(json.stdout)
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({
      Name: 'demo',
      Namespace: ns.name,
      Status: 'Running',
      Version: '0.36.1',
      Connected: false,
    })
    expect(Object.keys(items[0]).sort()).toEqual([
      'AgeSeconds',
      'Connected',
      'Created',
      'Name',
      'Namespace',
      'Status',
      'Version',
    ])

    const table = await vcluster(['list', ...user])
    expect(table.exitCode).toBe(0)
    expect(table.stderr).toContain(`listing all namespaces is forbidden; showing namespace ${ns.name} only`)
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+NAMESPACE\s+STATUS\s+VERSION\s+CONNECTED\s+AGE$/)
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`^demo\\s+${ns.name}\\s+Running\\s+0\\.36\\.1\\s+\\d+s$`))

    const again = await vcluster([
      'create',
      'demo',
      ...user,
      '-n',
      ns.name,
      '--set',
      'controlPlane.proxy.extraSANs={demo.example.com}',
    ])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stderr).toContain('vCluster demo is up to date')

    const changed = await vcluster(['create', 'demo', ...user, '-n', ns.name])
    expect(changed.exitCode).toBe(4)
    expect(changed.stderr).toContain(
      `error: vCluster demo already exists in namespace ${ns.name} with a different config`,
    )
    expect(changed.stderr).toContain(`vcluster upgrade demo -n ${ns.name}`)

    const second = await vcluster(['create', 'other', ...user, '-n', ns.name])
    expect(second.exitCode).toBe(4)
    expect(second.stderr).toContain(`there is already a virtual cluster (demo) in namespace ${ns.name}`)

    const deleted = await vcluster(['delete', 'demo', ...user, '-n', ns.name])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    expect(await labelled(ns.name, 'demo')).toEqual([])

    const missing = await vcluster(['delete', 'demo', ...user, '-n', ns.name])
    expect(missing.exitCode).toBe(3)
    const ignored = await vcluster(['delete', 'demo', ...user, '-n', ns.name, '--ignore-not-found'])
    expect(ignored.exitCode).toBe(0)

    const empty = await vcluster(['list', ...user, '-n', ns.name, '--json'])
    expect(empty.stdout.trim()).toBe('[]')
  })

  it('--dry-run=server in a fresh namespace: every object checked by the API server, nothing stored', async () => {
    const ns = await newNamespace('dryrun')
    const r = await vcluster([
      'create',
      'demo',
      '-n',
      ns.name,
      '--kubeconfig',
      ns.userKubeconfig,
      '--dry-run=server',
      '-o',
      'json',
    ])
    expect(r.exitCode, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout) as {dryRun: boolean; manifests: {kind: string}[]}
    expect(result.dryRun).toBe(true)
    expect(result.manifests.map((m) => m.kind)).toEqual(
      expect.arrayContaining(['StatefulSet', 'Role', 'RoleBinding', 'Secret']),
    )
    expect(await labelled(ns.name, 'demo')).toEqual([])
  })

  it('lists every missing permission in one message and applies nothing', async () => {
    const ns = await newNamespace('perm')
    const cluster = useHostCluster()
    await cluster.kubectl(['-n', ns.name, 'delete', 'rolebinding', EXTRA_ROLE])
    const r = await vcluster(['create', 'demo', '--kubeconfig', ns.userKubeconfig, '-n', ns.name])
    expect(r.exitCode).toBe(5)
    expect(r.stderr).toMatch(
      new RegExp(`^error: missing permissions in namespace ${ns.name}, nothing was applied: `, 'm'),
    )
    expect(r.stderr).toContain('discovery.k8s.io/endpointslices: ')
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1)
    expect(await labelled(ns.name, 'demo')).toEqual([])
  })

  it('converges when a create interrupted mid-way is run again', async () => {
    const ns = await newNamespace('intr')
    const cluster = useHostCluster()
    const args = [cliEntry(), 'create', 'demo', '--kubeconfig', ns.userKubeconfig, '-n', ns.name]
    const child = spawn(process.execPath, args, {env: cluster.env, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    await waitFor(async () => (/applying objects|applied \d+ objects/.test(stderr) ? true : undefined), {
      timeoutMs: 60_000,
      what: 'create to start applying',
    })
    child.kill('SIGINT')
    await new Promise((r) => child.on('exit', r))
    const rerun = await vcluster(['create', 'demo', '--kubeconfig', ns.userKubeconfig, '-n', ns.name])
    expect(rerun.exitCode, rerun.stderr).toBe(0)
    expect(rerun.stderr).toMatch(/vCluster demo (created|is up to date) in namespace .* and ready/)
    const sts = await cluster.kubectlJson(['-n', ns.name, 'get', 'statefulset', 'demo'])
    expect(sts.status.readyReplicas).toBe(1)
  })

  it('makes the same number of list requests for 1 and 50 vClusters', async () => {
    const cluster = useHostCluster()
    const {connectKube} = await import('../../src/lib/kube/client.js')
    const {listVClusters} = await import('../../src/lib/vcluster/list.js')
    const ns = await newNamespace('many')
    const count = async () => {
      const client = await connectKube({kubeconfig: cluster.adminKubeconfig})
      const result = await listVClusters(client, {})
      client.close()
      return {requests: client.requestCount, mine: result.items.filter((i) => i.Namespace === ns.name).length}
    }
    await cluster.kubectl(['apply', '--server-side', '-f', '-'], {input: fakeVClusters(ns.name, 1)})
    const one = await count()
    await cluster.kubectl(['apply', '--server-side', '-f', '-'], {input: fakeVClusters(ns.name, 50)})
    const fifty = await count()
    expect(one.mine).toBe(1)
    expect(fifty.mine).toBe(50)
    expect(fifty.requests).toBe(one.requests)
    expect(one.requests).toBe(3)
  })
})

/** Bare StatefulSets labelled like vClusters (list reads labels, pods and images only). */
function fakeVClusters(namespace: string, n: number): string {
  return Array.from({length: n}, (_, i) =>
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {name: `fake-${i}`, namespace, labels: {app: 'vcluster', release: `fake-${i}`}},
      spec: {
        replicas: 0,
        serviceName: `fake-${i}`,
        selector: {matchLabels: {app: 'vcluster', release: `fake-${i}`}},
        template: {
          metadata: {labels: {app: 'vcluster', release: `fake-${i}`}},
          spec: {containers: [{name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1'}]},
        },
      },
    }),
  ).join('\n---\n')
}
