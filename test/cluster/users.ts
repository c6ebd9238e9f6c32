// Namespace-scoped test users: a client certificate signed by the cluster CA, rights granted only by RoleBindings
// in one namespace (nothing cluster-scoped), to prove the CLI needs no cluster-admin.
import type {V1PolicyRule} from '@kubernetes/client-node'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {stringify} from 'yaml'
import {issue} from './certs.js'
import type {ClusterFacts} from './rig.js'

/**
 * The vCluster Role's rules (upstream-vcluster.md §3.4) including the conditional leases and pods/resize ones.
 * Kubernetes' escalation check lets a user create a Role only with rights the user holds, and the built-in `admin`
 * role lacks pods/status, pods/ephemeralcontainers, endpoints and endpointslices writes, events create, leases.
 */
export const VCLUSTER_ROLE_RULES: V1PolicyRule[] = [
  {
    apiGroups: [''],
    resources: [
      'configmaps',
      'secrets',
      'services',
      'pods',
      'pods/attach',
      'pods/portforward',
      'pods/exec',
      'persistentvolumeclaims',
    ],
    verbs: ['create', 'delete', 'patch', 'update', 'get', 'list', 'watch'],
  },
  {apiGroups: [''], resources: ['pods/status', 'pods/ephemeralcontainers', 'pods/resize'], verbs: ['patch', 'update']},
  {
    apiGroups: ['apps'],
    resources: ['statefulsets', 'replicasets', 'deployments'],
    verbs: ['get', 'list', 'watch', 'patch', 'update'],
  },
  {apiGroups: [''], resources: ['endpoints', 'pods/log'], verbs: ['get', 'list', 'watch']},
  {apiGroups: [''], resources: ['events'], verbs: ['create', 'get', 'list', 'watch']},
  {apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'get', 'list', 'watch']},
  {apiGroups: [''], resources: ['endpoints'], verbs: ['create', 'delete', 'patch', 'update']},
  {
    apiGroups: ['discovery.k8s.io'],
    resources: ['endpointslices'],
    verbs: ['create', 'list', 'get', 'delete', 'patch', 'update', 'watch'],
  },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['create', 'delete', 'patch', 'update', 'get', 'list', 'watch'],
  },
  {
    apiGroups: [''],
    resources: ['serviceaccounts'],
    verbs: ['create', 'delete', 'patch', 'update', 'get', 'list', 'watch'],
  },
]

/** Name of the extra Role (and its RoleBinding) every test user gets next to the built-in `admin`. */
export const EXTRA_ROLE = 'vcluster-host-rights'

/** Namespace, user RoleBindings and the extra Role, as one multi-document manifest for the admin to apply. */
export function namespaceManifest(namespace: string, user: string, labels: Record<string, string> = {}): string {
  const subjects = [{apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user}]
  const docs = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {name: namespace, labels: {'vcluster-ts.test/namespace': 'true', ...labels}},
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: {name: EXTRA_ROLE, namespace},
      rules: VCLUSTER_ROLE_RULES,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {name: EXTRA_ROLE, namespace},
      roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: EXTRA_ROLE},
      subjects,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {name: 'user-admin', namespace},
      roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin'},
      subjects,
    },
  ]
  return docs.map((d) => stringify(d)).join('---\n')
}

/** Just the namespace, for users whose only rights come from a Role the test supplies (least-privilege tests). */
export function bareNamespaceManifest(namespace: string, labels: Record<string, string> = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {name: namespace, labels: {'vcluster-ts.test/namespace': 'true', ...labels}},
  })
}

/**
 * Issues the user's certificate and writes a self-contained kubeconfig (in users/<namespace, else user>) whose
 * context namespace is `namespace`, when given.
 */
export async function writeUserKubeconfig(
  facts: ClusterFacts,
  namespace: string | undefined,
  user: string,
): Promise<string> {
  const dir = join(facts.dir, 'users', namespace ?? user)
  const pair = await issue({cert: facts.caCert, key: facts.caKey}, dir, 'user', {cn: user})
  const b64 = (file: string) => readFileSync(file).toString('base64')
  const file = join(dir, 'kubeconfig.yaml')
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{name: 'host', cluster: {server: facts.server, 'certificate-authority-data': b64(facts.caCert)}}],
      users: [{name: user, user: {'client-certificate-data': b64(pair.cert), 'client-key-data': b64(pair.key)}}],
      contexts: [{name: user, context: {cluster: 'host', user, ...(namespace === undefined ? {} : {namespace})}}],
      'current-context': user,
    }),
    {mode: 0o600},
  )
  return file
}
