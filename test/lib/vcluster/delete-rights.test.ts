import {describe, expect, it} from 'vitest'
import type {KubeClient, RequestSpec} from '../../../src/lib/kube/client.js'
import type {RulesReview} from '../../../src/lib/kube/preflight.js'
import {NO_NAMESPACE, allowedBy, deleteRights, removalFor, removalOf} from '../../../src/lib/vcluster/delete-rights.js'

/** The rules `admin` (with `view`'s namespaces) and the vCluster Role give a user through RoleBindings in one namespace. */
const NAMESPACE_USER: RulesReview = {
  status: {
    resourceRules: [
      {verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['namespaces', 'resourcequotas', 'limitranges']},
      {
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        apiGroups: [''],
        resources: ['pods', 'services', 'secrets', 'configmaps', 'persistentvolumeclaims', 'serviceaccounts'],
      },
      {
        verbs: ['create', 'delete', 'patch', 'update', 'get', 'list', 'watch'],
        apiGroups: [''],
        resources: ['endpoints'],
      },
    ],
  },
}
/** What every authenticated user holds cluster-wide (system:basic-user and friends): no resource of delete's. */
const BASIC_USER: RulesReview = {
  status: {
    resourceRules: [
      {verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews']},
      {verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews']},
    ],
  },
}
const CLUSTER_ADMIN: RulesReview = {status: {resourceRules: [{verbs: ['*'], apiGroups: ['*'], resources: ['*']}]}}

/** A client answering the cluster-wide rules review (namespace NO_NAMESPACE) and access reviews; records requests. */
function fakeClient(cluster: RulesReview, allowed: (attrs: Record<string, string>) => boolean = () => false) {
  const sent: RequestSpec[] = []
  const client = {
    async request(spec: RequestSpec) {
      sent.push(spec)
      const body = spec.body as {kind: string; spec: {namespace?: string; resourceAttributes?: Record<string, string>}}
      if (body.kind === 'SelfSubjectRulesReview' && body.spec.namespace === NO_NAMESPACE) return cluster
      if (body.kind === 'SelfSubjectAccessReview')
        return {status: {allowed: allowed(body.spec.resourceAttributes as Record<string, string>)}}
      throw new Error(`unexpected request ${spec.method} ${spec.path}`)
    },
  } as unknown as KubeClient
  return {client, sent}
}

describe('how delete removes a kind', () => {
  it('deletecollection: one request; list and delete: one by one; list alone: look; not even list: skip', () => {
    expect(removalOf({list: true, delete: true, deletecollection: true})).toBe('collection')
    expect(removalOf({list: false, delete: false, deletecollection: true})).toBe('collection')
    expect(removalOf({list: true, delete: true, deletecollection: false})).toBe('each')
    expect(removalOf({list: true, delete: false, deletecollection: false})).toBe('list-only')
    expect(removalOf({list: false, delete: true, deletecollection: false})).toBe('skip')
  })
})

describe('a right from a rules review', () => {
  it('is granted by a covering rule, refused without one, and asked for one by one only when the review is incomplete', () => {
    const list = {group: 'scheduling.k8s.io', resource: 'priorityclasses', verb: 'list'}
    expect(allowedBy(CLUSTER_ADMIN, list)).toBe(true)
    expect(allowedBy(BASIC_USER, list)).toBe(false)
    expect(allowedBy({status: {...BASIC_USER.status, incomplete: true}}, list)).toBe('ask')
    // A rule for some names only does not cover a list or a delete by label.
    const named = {
      status: {resourceRules: [{verbs: ['list'], apiGroups: ['*'], resources: ['*'], resourceNames: ['x']}]},
    }
    expect(allowedBy(named, list)).toBe(false)
  })
})

describe("delete's rights", () => {
  it('a namespace user: namespaced kinds from its namespace, cluster-wide kinds refused without a request each', async () => {
    const {client, sent} = fakeClient(BASIC_USER)
    const rights = deleteRights(client, 'team', Promise.resolve(NAMESPACE_USER))
    expect(await removalFor(rights, 'Secret')).toBe('collection')
    expect(await removalFor(rights, 'Endpoints')).toBe('each')
    expect(await removalFor(rights, 'ResourceQuota')).toBe('list-only')
    expect(await removalFor(rights, 'EndpointSlice')).toBe('skip')
    expect(sent).toEqual([]) // namespaced questions: the preflight's review answers them
    // view's `namespaces` in a RoleBinding reads the user's own namespace, not every namespace.
    expect(await rights.mayOwnNamespace('get')).toBe(true)
    expect(await rights.mayOwnNamespace('delete')).toBe(false)
    for (const kind of ['Namespace', 'PriorityClass', 'ClusterRole', 'ClusterRoleBinding'])
      for (const verb of ['list', 'watch', 'delete']) expect(await rights.may(kind, verb)).toBe(false)
    // All of it from one cluster-wide rules review, for a namespace no RoleBinding can be in.
    expect(sent.map((s) => (s.body as {spec: {namespace: string}}).spec.namespace)).toEqual([NO_NAMESPACE])
  })

  it('a cluster admin: everything, from the same two reviews', async () => {
    const {client, sent} = fakeClient(CLUSTER_ADMIN)
    const rights = deleteRights(client, 'team', Promise.resolve(CLUSTER_ADMIN))
    expect(await Promise.all([rights.may('PriorityClass', 'delete'), rights.may('Namespace', 'watch')])).toEqual([
      true,
      true,
    ])
    expect(await removalFor(rights, 'StatefulSet')).toBe('collection')
    expect(sent).toHaveLength(1)
  })

  it('an incomplete review (a webhook authorizer): one access review per right in question, asked once', async () => {
    const {client, sent} = fakeClient(
      {status: {...BASIC_USER.status, incomplete: true}},
      (a) => a.resource === 'priorityclasses' && a.verb === 'list' && a.namespace === undefined,
    )
    const rights = deleteRights(client, 'team', Promise.resolve(NAMESPACE_USER))
    expect(await rights.may('PriorityClass', 'list')).toBe(true)
    expect(await rights.may('PriorityClass', 'list')).toBe(true)
    expect(await rights.may('PriorityClass', 'delete')).toBe(false)
    expect(sent.filter((s) => (s.body as {kind: string}).kind === 'SelfSubjectAccessReview')).toHaveLength(2)
  })
})
