/** Golden manifests for RBAC: extra rules, settings that need a ClusterRole, multi-namespace mode. */
import {describe, expect} from 'vitest'
import type {KubeObject} from '../../../src/lib/manifests/index.js'
import {NAME, NAMESPACE, find, goldenCases, ids, ruleKey} from './helpers.js'
import {golden} from './golden-values.js'

const CLUSTER_ROLE = `vc-${NAME}-v-${NAMESPACE}`
const rulesOf = (objects: KubeObject[], kind: string, name: string): string[] =>
  find(objects, kind, name).rules.map(ruleKey)

function expectClusterBinding(objects: KubeObject[], name: string): void {
  const role = find(objects, 'ClusterRole', name)
  const binding = find(objects, 'ClusterRoleBinding', name)
  expect(role.metadata).not.toHaveProperty('namespace')
  expect(binding.metadata).not.toHaveProperty('namespace')
  expect(binding.subjects).toEqual([{kind: 'ServiceAccount', name: `vc-${NAME}`, namespace: NAMESPACE}])
  expect(binding.roleRef).toEqual({apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name})
  // Roles come before bindings in apply order.
  const firstBinding = objects.findIndex((o) => o.kind.endsWith('Binding'))
  expect(ids(objects).indexOf(`ClusterRole/${name}`)).toBeLessThan(firstBinding)
}

describe('golden manifests: RBAC', () => {
  goldenCases([
    {
      ...golden('rbac-extra-rules'),
      check: (objects) => {
        const role = rulesOf(objects, 'Role', `vc-${NAME}`)
        // Rendered for the newest Kubernetes when no host is known, so pods/resize is in (as helm's default).
        expect(role).toHaveLength(10)
        expect(role).toContain('|pods/resize|patch,update')
        expect(role.at(-1)).toBe('monitoring.coreos.com|servicemonitors|get,list')
        // Extra cluster rules alone make the ClusterRole appear (enabled: auto).
        expect(rulesOf(objects, 'ClusterRole', CLUSTER_ROLE)).toEqual(['|namespaces|get'])
        expectClusterBinding(objects, CLUSTER_ROLE)
      },
    },
    {
      ...golden('rbac-overwrite-and-disabled'),
      check: (objects) => {
        expect(rulesOf(objects, 'Role', `vc-${NAME}`)).toEqual(['|pods|*'])
        expect(ids(objects).filter((id) => id.startsWith('Cluster'))).toEqual([])
      },
    },
    {
      ...golden('sync-cluster-role'),
      check: (objects) => {
        expect(rulesOf(objects, 'ClusterRole', CLUSTER_ROLE)).toEqual([
          '|pods,nodes,nodes/status|get,watch,list',
          '|nodes/metrics,nodes/stats,nodes/proxy|get',
          '|nodes,nodes/status|update,patch',
          'storage.k8s.io|storageclasses|create,delete,patch,update,get,watch,list',
        ])
        expectClusterBinding(objects, CLUSTER_ROLE)
        // Ingresses are namespaced: the Role gets them.
        expect(rulesOf(objects, 'Role', `vc-${NAME}`)).toContain(
          'networking.k8s.io|ingresses|create,delete,patch,update,get,list,watch',
        )
      },
    },
    {
      ...golden('from-host-classes'),
      check: (objects) => {
        const rules = find(objects, 'ClusterRole', CLUSTER_ROLE).rules
        expect(rules.map(ruleKey)).toEqual([
          'storage.k8s.io|storageclasses|get,watch,list',
          'networking.k8s.io|ingressclasses|get,watch,list',
          'scheduling.k8s.io|priorityclasses|create,delete,patch,update,get,list,watch',
          '|namespaces|get,list,watch',
          '|configmaps|list,watch',
          '|configmaps|get',
        ])
        // "" in a mapping means the vCluster's own namespace.
        expect(rules[3].resourceNames).toEqual(['shared', NAMESPACE])
        expect(rules[5].resourceNames).toEqual(['ca-bundle', 'settings'])
      },
    },
    {
      ...golden('multi-namespace'),
      check: (objects) => {
        const mn = `vc-mn-${NAME}-v-${NAMESPACE}`
        expect(ids(objects)).not.toContain(`Role/vc-${NAME}`)
        expect(rulesOf(objects, 'ClusterRole', mn)[0]).toBe(
          '|configmaps,secrets,services,pods,pods/attach,pods/portforward,pods/exec,persistentvolumeclaims|create,delete,patch,update,get,list,watch',
        )
        expectClusterBinding(objects, mn)
        expect(rulesOf(objects, 'ClusterRole', CLUSTER_ROLE)).toEqual([
          '|namespaces,serviceaccounts|create,delete,patch,update,get,watch,list',
        ])
      },
    },
    {
      ...golden('cluster-role-forced'),
      check: (objects) => {
        // enabled: true renders the ClusterRole even when no setting needs a rule in it.
        const role = objects.find((o) => o.kind === 'ClusterRole')
        expect(role?.metadata.name).toBe(CLUSTER_ROLE)
        // The chart prints `rules:` with nothing after it (null): the key is left out.
        expect(role).not.toHaveProperty('rules')
      },
    },
  ])
})
