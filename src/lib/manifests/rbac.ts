/** The control plane's Roles, ClusterRoles and their bindings. */
import {needsClusterRole, clusterRoleRules} from './cluster-rules.js'
import {metadata} from './labels.js'
import {clusterRoleName, multiNamespaceRoleName, roleName, serviceAccountName, truncateName} from './names.js'
import {roleRules} from './role-rules.js'
import type {KubeObject, RenderInput} from './types.js'

const RBAC = 'rbac.authorization.k8s.io/v1'

function subjects(input: RenderInput) {
  return [{kind: 'ServiceAccount', name: serviceAccountName(input.config, input.name), namespace: input.namespace}]
}

/** A role and its binding to the control plane's ServiceAccount. */
function boundRole(
  input: RenderInput,
  kind: 'Role' | 'ClusterRole',
  name: string,
  rules: unknown[],
): [KubeObject, KubeObject] {
  const clusterScoped = kind === 'ClusterRole'
  return [
    // No rules at all (a forced ClusterRole with nothing to grant): the chart prints `rules:` with nothing, i.e. null.
    {apiVersion: RBAC, kind, metadata: metadata(input, name, {clusterScoped}), ...(rules.length > 0 ? {rules} : {})},
    {
      apiVersion: RBAC,
      kind: clusterScoped ? 'ClusterRoleBinding' : 'RoleBinding',
      metadata: metadata(input, name, {clusterScoped}),
      subjects: subjects(input),
      roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind, name},
    },
  ]
}

/**
 * The namespaced rights (`rbac.role`). When namespaces are synced (multi-namespace mode) they are needed in every
 * namespace, so the chart makes them a ClusterRole `vc-mn-<name>-v-<namespace>` instead.
 */
export function roleObjects(input: RenderInput): KubeObject[] {
  if (input.config.rbac?.role?.enabled === false) return []
  const rules = roleRules(input)
  if (input.config.sync?.toHost?.namespaces?.enabled === true) {
    return boundRole(input, 'ClusterRole', multiNamespaceRoleName(input.name, input.namespace), rules)
  }
  return boundRole(input, 'Role', roleName(input.name), rules)
}

/** The ClusterRole `vc-<name>-v-<namespace>`, only when some setting needs cluster-wide access. */
export function clusterRoleObjects(input: RenderInput): KubeObject[] {
  if (!needsClusterRole(input.config)) return []
  return boundRole(input, 'ClusterRole', clusterRoleName(input.name, input.namespace), clusterRoleRules(input))
}

/**
 * Read access to the platform API key Secret when it lives in another namespace (`platform.apiKey.namespace`);
 * these two objects go into that namespace.
 */
export function platformSecretObjects(input: RenderInput): KubeObject[] {
  const apiKey = input.config.platform?.apiKey
  const namespace = apiKey?.namespace
  if (apiKey?.createRBAC === false || namespace === undefined || namespace === '' || namespace === input.namespace)
    return []
  const secretName =
    apiKey?.secretName !== undefined && apiKey.secretName !== '' ? apiKey.secretName : 'vcluster-platform-api-key'
  const name = truncateName(`vc-${input.name}-v-${input.namespace}-platform-role`)
  const bindingName = truncateName(`vc-${input.name}-v-${input.namespace}-platform-role-binding`)
  return [
    {
      apiVersion: RBAC,
      kind: 'Role',
      metadata: metadata(input, name, {namespace}),
      rules: [{apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [secretName]}],
    },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: metadata(input, bindingName, {namespace}),
      subjects: subjects(input),
      roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name},
    },
  ]
}
