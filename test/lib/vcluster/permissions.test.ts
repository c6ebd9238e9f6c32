import {describe, expect, it} from 'vitest'
import {parseAllDocuments} from 'yaml'
import {renderManifests, workloadKind} from '../../../src/lib/manifests/index.js'
import {loadCreateConfig} from '../../../src/lib/vcluster/create.js'
import {renderDeployerRole} from '../../../src/lib/vcluster/dry-run.js'
import {
  OPERATIONS,
  lifecyclePermissions,
  operationPermissions,
  rulesOf,
  type RoleRule,
} from '../../../src/lib/vcluster/permissions.js'
import type {Permission} from '../../../src/lib/kube/preflight.js'
import {runCli} from '../../helpers/run-cli.js'

const covered = (rules: RoleRule[], p: Permission) =>
  rules.some((r) => r.apiGroups.includes(p.group) && r.resources.includes(p.resource) && r.verbs.includes(p.verb))

/** Rules of the Role the vCluster itself gets (`vc-NAME`), as permissions. */
async function vclusterRolePermissions(sets: string[]): Promise<Permission[]> {
  const loaded = await loadCreateConfig({sets})
  const objects = renderManifests({
    name: 'demo',
    namespace: 'team',
    config: loaded.config,
    values: loaded.values,
    hostVersion: 'v1.36.0',
  })
  const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'vc-demo')
  const rules = (role?.rules ?? []) as RoleRule[]
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((group) => r.resources.flatMap((resource) => r.verbs.map((verb) => ({group, resource, verb})))),
  )
}

const roleRules = (objects: {kind: string; rules?: unknown}[]) =>
  (objects.find((o) => o.kind === 'Role')?.rules ?? []) as RoleRule[]

describe('the deployer Role (create --dry-run=client --print-role)', () => {
  it('holds every right the vCluster Role grants (escalation check) for default and non-default configs', async () => {
    for (const sets of [
      [],
      ['sync.toHost.ingresses.enabled=true', 'sync.toHost.serviceAccounts.enabled=true'],
      ['controlPlane.statefulSet.highAvailability.replicas=3', 'controlPlane.backingStore.etcd.embedded.enabled=true'],
      ['privateNodes.enabled=true'],
    ]) {
      const role = await renderDeployerRole({name: 'demo', namespace: 'team', sets})
      const rules = roleRules(role.objects)
      const missing = (await vclusterRolePermissions(sets)).filter((p) => !covered(rules, p))
      expect(missing, sets.join(' ')).toEqual([])
    }
  })

  it('adds the rules a non-default config gives the vCluster: synced ingresses, network policies, leases', async () => {
    const plain = roleRules((await renderDeployerRole({name: 'demo', namespace: 'team'})).objects)
    const synced = roleRules(
      (
        await renderDeployerRole({
          name: 'demo',
          namespace: 'team',
          sets: [
            'sync.toHost.ingresses.enabled=true',
            'sync.toHost.networkPolicies.enabled=true',
            'controlPlane.backingStore.etcd.embedded.enabled=true',
          ],
        })
      ).objects,
    )
    const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']
    for (const resource of ['ingresses', 'networkpolicies']) {
      expect(plain.some((r) => r.resources.includes(resource))).toBe(false)
      expect(synced).toContainEqual({
        apiGroups: ['networking.k8s.io'],
        resources: expect.arrayContaining([resource]),
        verbs: all,
      })
    }
    expect(plain.some((r) => r.apiGroups.includes('coordination.k8s.io'))).toBe(false)
    expect(synced).toContainEqual({apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: all})
  })

  it('covers what every command checks, and nothing cluster-wide for the default config', async () => {
    const loaded = await loadCreateConfig({})
    const objects = renderManifests({name: 'demo', namespace: 'team', config: loaded.config, values: loaded.values})
    const target = {objects, workloadKind: workloadKind(loaded.config)}
    const role = await renderDeployerRole({name: 'demo', namespace: 'team'})
    expect(role.clusterWide).toBe(false)
    expect(role.objects.map((o) => o.kind)).toEqual(['Role'])
    for (const op of OPERATIONS) {
      expect(
        operationPermissions(op, target).filter((p) => !covered(roleRules(role.objects), p)),
        op,
      ).toEqual([])
    }
    expect(lifecyclePermissions(target).some((p) => p.resource === 'namespaces')).toBe(false)
    expect(lifecyclePermissions(target).some((p) => p.verb === 'deletecollection')).toBe(false)
  })

  it('puts cluster-wide rights in a ClusterRole, and binds both to the given subjects', async () => {
    const role = await renderDeployerRole({
      name: 'demo',
      namespace: 'team',
      sets: ['sync.fromHost.nodes.enabled=true'],
      for: {users: ['alice'], serviceAccounts: ['ci/deployer', 'bot']},
    })
    expect(role.objects.map((o) => o.kind)).toEqual(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'])
    expect(role.clusterWide).toBe(true)
    expect(role.objects[1]?.subjects).toEqual([
      {apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice'},
      {kind: 'ServiceAccount', name: 'deployer', namespace: 'ci'},
      {kind: 'ServiceAccount', name: 'bot', namespace: 'team'},
    ])
    expect(role.objects[2]?.rules).toContainEqual(
      expect.objectContaining({resources: expect.arrayContaining(['nodes'])}),
    )
    await expect(renderDeployerRole({name: 'demo', for: {serviceAccounts: ['a/b/c']}})).rejects.toThrow(
      'expected NAMESPACE/NAME',
    )
    await expect(renderDeployerRole({name: 'demo', for: {users: ['']}})).rejects.toThrow('--for-user needs a name')
  })

  it('folds permissions into one rule per API group and verb set, in a stable order', () => {
    const rules = rulesOf([
      {group: 'apps', resource: 'statefulsets', verb: 'patch'},
      {group: '', resource: 'secrets', verb: 'get'},
      {group: 'apps', resource: 'statefulsets', verb: 'get'},
      {group: '', resource: 'pods', verb: 'get'},
      {group: '', resource: 'pods', verb: 'delete'},
    ])
    expect(rules).toEqual([
      {apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete']},
      {apiGroups: [''], resources: ['secrets'], verbs: ['get']},
      {apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'patch']},
    ])
  })
})

describe('vcluster create --print-role', () => {
  it('prints kubectl apply input: a Role and the RoleBinding for --for-user', async () => {
    const r = await runCli([
      'create',
      'demo',
      '-n',
      'team',
      '--dry-run=client',
      '--print-role',
      '--for-user',
      'alice',
      '--set',
      'sync.toHost.ingresses.enabled=true',
    ])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(
      /^# Rights to create, list, describe, connect to, upgrade, pause, resume and delete vCluster demo$/m,
    )
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS())
    expect(docs.map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`)).toEqual([
      'Role/team/vcluster-demo-deployer',
      'RoleBinding/team/vcluster-demo-deployer',
    ])
    expect(docs[0].rules).toContainEqual(
      expect.objectContaining({apiGroups: ['networking.k8s.io'], resources: ['ingresses']}),
    )
    expect(docs[1].roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'vcluster-demo-deployer',
    })
  })

  it('needs --dry-run=client; --for-user needs --print-role', async () => {
    const r = await runCli(['create', 'demo', '--print-role'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('--print-role needs --dry-run=client')
    expect((await runCli(['create', 'demo', '--dry-run=client', '--for-user', 'alice'])).exitCode).toBe(2)
  })
})
