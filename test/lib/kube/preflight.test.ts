import {describe, expect, it} from 'vitest'
import {missingPermissionsError, requiredPermissions} from '../../../src/lib/kube/preflight.js'

describe('requiredPermissions', () => {
  it('needs get/create/patch on every kind and every right a Role grants', () => {
    const perms = requiredPermissions([
      {apiVersion: 'v1', kind: 'Secret', metadata: {name: 's', namespace: 'n'}},
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: {name: 'r', namespace: 'n'},
        rules: [{apiGroups: [''], resources: ['pods', 'pods/status'], verbs: ['get', 'update']}],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: {name: 'c'},
        rules: [{apiGroups: [''], resources: ['nodes'], verbs: ['list']}],
      },
    ])
    const keys = perms.map((p) => `${p.clusterScoped === true ? 'cluster:' : ''}${p.group}/${p.resource}:${p.verb}`)
    expect(keys).toEqual([
      '/secrets:get',
      '/secrets:create',
      '/secrets:patch',
      'rbac.authorization.k8s.io/roles:get',
      'rbac.authorization.k8s.io/roles:create',
      'rbac.authorization.k8s.io/roles:patch',
      '/pods:get',
      '/pods:update',
      '/pods/status:get',
      '/pods/status:update',
      'cluster:rbac.authorization.k8s.io/clusterroles:get',
      'cluster:rbac.authorization.k8s.io/clusterroles:create',
      'cluster:rbac.authorization.k8s.io/clusterroles:patch',
      'cluster:/nodes:list',
    ])
  })

  it('lists every missing permission in one line', () => {
    const error = missingPermissionsError('team-a', [
      {group: '', resource: 'secrets', verb: 'create'},
      {group: '', resource: 'secrets', verb: 'patch'},
      {group: 'apps', resource: 'statefulsets', verb: 'create'},
      {group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'create', clusterScoped: true},
    ])
    expect(error.message).toBe(
      'missing permissions in namespace team-a, nothing was applied: secrets: create,patch; apps/statefulsets: create; rbac.authorization.k8s.io/clusterroles (cluster-wide): create',
    )
    expect(error.exitCode).toBe(5)
  })
})
