import {describe, expect, it} from 'vitest'
import {managedBySelector, safeConcatName} from '../../../src/lib/vcluster/delete-cluster.js'
import {vclusterMetadataPatch} from '../../../src/lib/vcluster/delete-imported.js'
import {DELETE_CLUSTER_WIDE, operationPermissions} from '../../../src/lib/vcluster/permissions.js'

describe('the label of what the syncer made on the host', () => {
  // Expected values printed by upstream's own translate.SafeConcatName (v0.36.1), run with `go run`.
  it.each([
    ['team-a', 'demo', 'team-a-x-demo'],
    [
      'a-very-long-namespace-name-for-the-tenant-team',
      'my-virtual-cluster',
      'a-very-long-namespace-name-for-the-tenant-team-x-my--00943822a9',
    ],
    ['ns.with.dots-and-more-words-in-it-0123456789', 'x.-y', 'ns.with.dots-and-more-words-in-it-0123456789-x-x.-y'],
    [`${'n'.repeat(51)}.abc`, 'z'.repeat(20), `${'n'.repeat(51)}-5d37e8d7dc`],
  ])("SafeConcatName(%s, x, %s) is upstream's %s", (namespace, name, expected) => {
    expect(safeConcatName(namespace, 'x', name)).toBe(expected)
    expect(managedBySelector(name, namespace)).toBe(`vcluster.loft.sh/managed-by=${expected}`)
  })
})

describe("an imported namespace's clean-up", () => {
  it('removes only the vcluster.loft.sh/ labels and annotations, as JSON pointers', () => {
    const patch = vclusterMetadataPatch({
      name: 'team',
      labels: {'vcluster.loft.sh/managed-by': 'ns-x-demo', app: 'web'},
      annotations: {
        'vcluster.loft.sh/object-imported': 'true',
        'vcluster.loft.sh/a~b': 'x',
        'example.com/vcluster.loft.sh': 'keep',
      },
    })
    expect(patch).toEqual([
      {op: 'remove', path: '/metadata/labels/vcluster.loft.sh~1managed-by'},
      {op: 'remove', path: '/metadata/annotations/vcluster.loft.sh~1object-imported'},
      {op: 'remove', path: '/metadata/annotations/vcluster.loft.sh~1a~0b'},
    ])
    expect(vclusterMetadataPatch({name: 'x', labels: {app: 'web'}})).toBeUndefined()
  })
})

describe("delete's cluster-wide rights", () => {
  it('are not asked for by its preflight: a namespace-scoped user may delete, and is warned instead', () => {
    const needed = operationPermissions('delete', {workloadKind: 'StatefulSet'})
    expect(needed.filter((p) => p.clusterScoped === true)).toEqual([])
    for (const p of DELETE_CLUSTER_WIDE) {
      expect(p.clusterScoped).toBe(true)
      expect(needed.some((n) => n.group === p.group && n.resource === p.resource)).toBe(false)
    }
    expect(DELETE_CLUSTER_WIDE).toContainEqual({
      group: 'scheduling.k8s.io',
      resource: 'priorityclasses',
      verb: 'delete',
      clusterScoped: true,
    })
  })
})
