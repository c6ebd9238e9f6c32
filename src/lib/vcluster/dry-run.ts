import {UsageError, type ConfigProblem} from '../errors.js'
import {renderManifests, workloadKind} from '../manifests/index.js'
import type {KubeObject} from '../kube/object.js'
import {NEWEST_KUBERNETES} from '../versions.js'
import {loadCreateConfig} from './create.js'
import {checkVClusterName, createNamespace} from './names.js'
import {lifecyclePermissions, rulesOf} from './permissions.js'

export interface DryRunOptions {
  name: string
  /** -n; else create's rule on the kubeconfig's context (createNamespace). */
  namespace?: string
  kubeconfig?: string
  context?: string
  files?: string[]
  sets?: string[]
  expose?: boolean
}

/** Renders the manifests create would apply, without a cluster (--dry-run=client). */
export async function renderDryRun(
  options: DryRunOptions,
): Promise<{namespace: string; objects: KubeObject[]; warnings: ConfigProblem[]}> {
  checkVClusterName(options.name)
  const loaded = await loadCreateConfig(options)
  const namespace = await createNamespace(options.name, options)
  return {
    namespace,
    objects: renderManifests({name: options.name, namespace, config: loaded.config, values: loaded.values}),
    warnings: loaded.warnings,
  }
}

export interface RoleSubject {
  kind: 'User' | 'Group' | 'ServiceAccount'
  name: string
  namespace?: string
}

export interface DeployerRole {
  namespace: string
  /** The Role (and ClusterRole when the config needs cluster-wide rights), each followed by its binding if asked. */
  objects: KubeObject[]
  ruleCount: number
  clusterWide: boolean
  warnings: ConfigProblem[]
}

const RBAC = 'rbac.authorization.k8s.io/v1'

/**
 * The Role a cluster admin grants so a user can run the whole lifecycle of this vCluster with this config
 * (`create --dry-run=client --print-role`): every right the commands check (permissions.ts), which includes every
 * right the vCluster's own Role grants (the API server's escalation check). Namespace creation is not in it.
 */
export async function renderDeployerRole(options: DryRunOptions & {for?: SubjectNames}): Promise<DeployerRole> {
  checkVClusterName(options.name)
  const loaded = await loadCreateConfig(options)
  const namespace = await createNamespace(options.name, options)
  const objects = renderManifests({
    name: options.name,
    namespace,
    config: loaded.config,
    values: loaded.values,
    hostVersion: NEWEST_KUBERNETES,
  })
  const needed = lifecyclePermissions({objects, workloadKind: workloadKind(loaded.config)})
  const rules = rulesOf(needed.filter((p) => p.clusterScoped !== true))
  const clusterRules = rulesOf(needed.filter((p) => p.clusterScoped === true))
  const subjects = subjectsOf(options.for ?? {}, namespace)
  const name = `vcluster-${options.name}-deployer`
  const annotations = {
    'vcluster.loft.sh/description': `Rights the vcluster CLI needs to create, list, describe, connect to, upgrade, pause, resume and delete vCluster ${options.name} in namespace ${namespace}.`,
  }
  const out: KubeObject[] = [{apiVersion: RBAC, kind: 'Role', metadata: {name, namespace, annotations}, rules}]
  if (subjects.length > 0) out.push(binding('RoleBinding', 'Role', name, namespace, subjects))
  if (clusterRules.length > 0) {
    const clusterName = `vcluster-${options.name}-${namespace}-deployer`
    out.push({apiVersion: RBAC, kind: 'ClusterRole', metadata: {name: clusterName, annotations}, rules: clusterRules})
    if (subjects.length > 0) out.push(binding('ClusterRoleBinding', 'ClusterRole', clusterName, undefined, subjects))
  }
  return {
    namespace,
    objects: out,
    ruleCount: rules.length + clusterRules.length,
    clusterWide: clusterRules.length > 0,
    warnings: loaded.warnings,
  }
}

function binding(
  kind: string,
  roleKind: string,
  name: string,
  namespace: string | undefined,
  subjects: RoleSubject[],
): KubeObject {
  return {
    apiVersion: RBAC,
    kind,
    metadata: {name, ...(namespace === undefined ? {} : {namespace})},
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name},
    subjects: subjects.map((s) =>
      s.kind === 'ServiceAccount'
        ? {kind: s.kind, name: s.name, namespace: s.namespace}
        : {apiGroup: 'rbac.authorization.k8s.io', kind: s.kind, name: s.name},
    ),
  }
}

/** Who the binding is for, as given on the command line. */
export interface SubjectNames {
  users?: string[]
  groups?: string[]
  /** `NAMESPACE/NAME`, or `NAME` in the vCluster's namespace. */
  serviceAccounts?: string[]
}

function subjectsOf(names: SubjectNames, namespace: string): RoleSubject[] {
  for (const [flag, list] of [
    ['--for-user', names.users],
    ['--for-group', names.groups],
  ] as const) {
    if ((list ?? []).some((n) => n.trim() === '')) throw new UsageError(`${flag} needs a name`)
  }
  return [
    ...(names.users ?? []).map((name): RoleSubject => ({kind: 'User', name})),
    ...(names.groups ?? []).map((name): RoleSubject => ({kind: 'Group', name})),
    ...(names.serviceAccounts ?? []).map((value) => serviceAccountSubject(value, namespace)),
  ]
}

function serviceAccountSubject(value: string, namespace: string): RoleSubject {
  const parts = value.split('/')
  const [ns, name] = parts.length === 1 ? [namespace, parts[0]] : parts
  if (parts.length > 2 || ns === undefined || ns === '' || name === undefined || name === '') {
    throw new UsageError(`--for-service-account ${value}: expected NAMESPACE/NAME or NAME`)
  }
  return {kind: 'ServiceAccount', name, namespace: ns}
}
