// Least privilege: the Role `create --dry-run=client --print-role` prints is all a user needs for the whole
// lifecycle, and a user missing one of its rules is told, in one message, every verb and resource missing.
import {describe, expect, it} from 'vitest'
import {parseAllDocuments, stringify} from 'yaml'
import {newRoleOnlyNamespace, useHostCluster, vcluster, waitFor} from '../cluster/index.js'

interface Rule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
}

/** The printed Role and RoleBinding for `user`, optionally edited (to take a right away). */
async function printedRole(
  namespace: string,
  user: string,
  edit: (rules: Rule[]) => Rule[] = (r) => r,
): Promise<string> {
  const printed = await vcluster([
    'create',
    'demo',
    '-n',
    namespace,
    '--dry-run=client',
    '--print-role',
    '--for-user',
    user,
  ])
  expect(printed.exitCode, printed.stderr).toBe(0)
  const docs = parseAllDocuments(printed.stdout).map((d) => d.toJS())
  expect(docs.map((d) => d.kind)).toEqual(['Role', 'RoleBinding'])
  docs[0].rules = edit(docs[0].rules)
  return docs.map((d) => stringify(d)).join('---\n')
}

/** Everything in the namespace that carries the vCluster's release label, seen by the admin. */
async function labelled(ns: string): Promise<string[]> {
  const r = await useHostCluster().kubectl([
    '-n',
    ns,
    'get',
    'statefulsets,pods,services,secrets,serviceaccounts,roles,rolebindings,pvc',
    '-l',
    'release=demo',
    '-o',
    'name',
  ])
  return r.stdout.split('\n').filter((l) => l !== '')
}

describe('least privilege: a user bound only to the printed Role', () => {
  it('creates, lists, connects to, upgrades, pauses, resumes, describes and deletes a vCluster', async () => {
    const ns = await newRoleOnlyNamespace('lp', {rbac: ({namespace, user}) => printedRole(namespace, user)})
    const cluster = useHostCluster()
    const user = ['--kubeconfig', ns.userKubeconfig, '-n', ns.name]
    // Really nothing more: no admin role, no namespace rights, nothing outside the namespace.
    expect((await ns.kubectl(['auth', 'can-i', 'create', 'namespaces'], {reject: false})).stdout.trim()).toBe('no')
    expect(
      (await ns.kubectl(['auth', 'can-i', 'create', 'deployments', '-n', ns.name], {reject: false})).stdout.trim(),
    ).toBe('no')
    expect(
      (await ns.kubectl(['auth', 'can-i', 'get', 'secrets', '-n', 'default'], {reject: false})).stdout.trim(),
    ).toBe('no')

    const created = await vcluster(['create', 'demo', ...user, '--no-connect'], {timeoutMs: 300_000})
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.stderr).toContain('vCluster demo ready after')

    const listed = await vcluster(['list', ...user, '-o', 'json'])
    expect(listed.exitCode, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toMatchObject([{Name: 'demo', Namespace: ns.name, Status: 'Running'}])
    const everywhere = await vcluster(['list', '--kubeconfig', ns.userKubeconfig])
    expect(everywhere.exitCode, everywhere.stderr).toBe(0)
    expect(everywhere.stderr).toContain(`listing all namespaces is forbidden; showing namespace ${ns.name} only`)

    const connected = await vcluster(['connect', 'demo', ...user, '--', 'kubectl', 'get', 'ns'])
    expect(connected.exitCode, connected.stderr).toBe(0)
    expect(connected.stdout).toMatch(/^kube-system\s+Active/m)

    const upgraded = await vcluster([
      'upgrade',
      'demo',
      ...user,
      '--set',
      'controlPlane.statefulSet.labels.team=a',
      '--yes',
    ])
    expect(upgraded.exitCode, upgraded.stderr).toBe(0)
    expect((await cluster.kubectlJson(['-n', ns.name, 'get', 'statefulset', 'demo'])).metadata.labels.team).toBe('a')

    const paused = await vcluster(['pause', 'demo', ...user])
    expect(paused.exitCode, paused.stderr).toBe(0)
    expect(JSON.parse((await vcluster(['list', ...user, '-o', 'json'])).stdout)[0].Status).toBe('Paused')
    const resumed = await vcluster(['resume', 'demo', ...user])
    expect(resumed.exitCode, resumed.stderr).toBe(0)

    const described = await vcluster(['describe', 'demo', ...user, '-o', 'json'])
    expect(described.exitCode, described.stderr).toBe(0)
    expect(JSON.parse(described.stdout)).toMatchObject({
      name: 'demo',
      namespace: ns.name,
      status: 'Running',
      config: {controlPlane: {statefulSet: {labels: {team: 'a'}}}},
    })

    const deleted = await vcluster(['delete', 'demo', ...user])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    expect(deleted.stderr).not.toMatch(/forbidden/i)
    expect(await labelled(ns.name)).toEqual([])
    // The namespace was the admin's: it stays.
    expect((await cluster.kubectlJson(['get', 'namespace', ns.name])).status.phase).toBe('Active')
  })

  it('without the RBAC rule: create names every missing verb and resource in one message, exit 5, nothing applied', async () => {
    const withoutRbac = (rules: Rule[]) => rules.filter((r) => !r.apiGroups.includes('rbac.authorization.k8s.io'))
    const ns = await newRoleOnlyNamespace('lp-norbac', {
      rbac: ({namespace, user}) => printedRole(namespace, user, withoutRbac),
    })
    const r = await vcluster(['create', 'demo', '--kubeconfig', ns.userKubeconfig, '-n', ns.name, '--no-connect'])
    expect(r.exitCode, r.stderr).toBe(5)
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'))
    expect(errors).toEqual([
      `error: missing permissions in namespace ${ns.name}, nothing was applied: ` +
        'rbac.authorization.k8s.io/roles: get,create,patch; rbac.authorization.k8s.io/rolebindings: get,create,patch',
    ])
    expect(r.stderr).toContain(
      `vcluster create demo -n ${ns.name} [-f your values] --dry-run=client --print-role --for-user USER`,
    )
    expect(await labelled(ns.name)).toEqual([])
  })

  it('without delete on statefulsets: delete refuses up front, exit 5, and deletes nothing', async () => {
    const noStatefulSetDelete = (rules: Rule[]) =>
      rules.map((r) =>
        r.resources.includes('statefulsets') ? {...r, verbs: r.verbs.filter((v) => v !== 'delete')} : r,
      )
    const ns = await newRoleOnlyNamespace('lp-nodel', {
      rbac: ({namespace, user}) => printedRole(namespace, user, noStatefulSetDelete),
    })
    const user = ['--kubeconfig', ns.userKubeconfig, '-n', ns.name]
    const created = await vcluster(['create', 'demo', ...user, '--no-connect', '--no-wait'])
    expect(created.exitCode, created.stderr).toBe(0)
    const before = await waitFor(
      async () => {
        const names = await labelled(ns.name)
        return names.includes('statefulset.apps/demo') ? names : undefined
      },
      {what: 'the vCluster objects'},
    )
    const r = await vcluster(['delete', 'demo', ...user])
    expect(r.exitCode, r.stderr).toBe(5)
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      `error: missing permissions in namespace ${ns.name}, nothing was changed: apps/statefulsets: delete`,
    ])
    expect(await labelled(ns.name)).toEqual(expect.arrayContaining(before.filter((n) => !n.startsWith('pod/'))))
  })
})
