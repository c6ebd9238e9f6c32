/**
 * The API rights each command needs in the vCluster's namespace. One source for the preflight checks (create,
 * upgrade, pause, resume, delete) and for `create --dry-run=client --print-role`, so the printed Role and what the
 * commands check cannot drift apart.
 */
import type {KubeClient} from '../kube/client.js'
import {checkPermissions, requiredPermissions, type Permission, type RulesReview} from '../kube/preflight.js'
import {resourceInfo} from '../kube/resources.js'
import type {KubeObject} from '../kube/object.js'
import {compareStrings} from '../compare.js'

export type Operation = 'create' | 'upgrade' | 'list' | 'describe' | 'connect' | 'pause' | 'resume' | 'delete'

export const OPERATIONS: readonly Operation[] = [
  'create',
  'list',
  'describe',
  'connect',
  'upgrade',
  'pause',
  'resume',
  'delete',
]

export type WorkloadKind = 'StatefulSet' | 'Deployment'

/** What an operation works on: the rendered objects (create, upgrade, the printed Role) or just the workload's kind. */
export interface OperationTarget {
  workloadKind: WorkloadKind
  /** The objects create/upgrade apply; without them only the fixed needs of the operation are returned. */
  objects?: readonly KubeObject[]
  /** delete --keep-pvc leaves the claims alone. */
  keepClaims?: boolean
}

/** `group/plural` of a kind this CLI knows. */
function plural(kind: string): {group: string; resource: string} {
  const info = resourceInfo(kind)
  return {group: info.group, resource: info.plural}
}

function perms(kinds: readonly string[], verbs: readonly string[]): Permission[] {
  return kinds.flatMap((kind) => verbs.map((verb) => ({...plural(kind), verb})))
}

/** findVClusters: StatefulSets and Deployments labelled app=vcluster, two LIST requests. */
const FIND = perms(['StatefulSet', 'Deployment'], ['list'])

/** waitForReady watches the workload, its pods and claims; on timeout the diagnosis also reads events and the log. */
function waitNeeds(workload: WorkloadKind): Permission[] {
  return [
    ...perms([workload, 'Pod', 'PersistentVolumeClaim'], ['list', 'watch']),
    ...perms(['Event'], ['list']),
    {group: '', resource: 'pods/log', verb: 'get'},
  ]
}

/** pause/resume (and connect, which resumes a paused vCluster): merge-patch the workload, scale a deployed etcd. */
function scaleNeeds(workload: WorkloadKind): Permission[] {
  return [...perms([workload], ['patch']), ...perms(['StatefulSet'], ['list', 'patch'])]
}

/** Reading a vCluster: its pods (status), the config Secret and the Service (exposure). */
const READ = [...perms(['Pod'], ['list']), ...perms(['Secret', 'Service'], ['get'])]

/** Port-forwarding to the vCluster pod: GET upgrades to a stream; newer API servers also ask for create. */
const FORWARD = [
  ...perms(['Pod'], ['list', 'watch']),
  {group: '', resource: 'pods/portforward', verb: 'get'},
  {group: '', resource: 'pods/portforward', verb: 'create'},
]

/**
 * delete removes by label; without `deletecollection` it lists and deletes one by one, so delete and list suffice.
 * Kinds the user may not even list are skipped (the user cannot have made any, nor could the vCluster, whose
 * Role grants only rights the user held).
 */
function deleteNeeds(target: OperationTarget): Permission[] {
  const fixed = [target.workloadKind, 'Service', 'ServiceAccount', 'Role', 'RoleBinding', 'Secret', 'Pod']
  const claims =
    target.keepClaims === true
      ? perms(['PersistentVolumeClaim'], ['list'])
      : perms(['PersistentVolumeClaim'], ['list', 'delete'])
  return [...perms(fixed, ['list', 'delete']), ...claims, ...deleteOfRendered(target)]
}

/**
 * Cluster-wide rights delete uses when the user holds them, for what the vCluster made outside its namespace: its
 * ClusterRole and binding, the PriorityClasses and namespaces its syncer made (a namespace it imported is patched,
 * not deleted). Deliberately not in delete's preflight: without them a namespace-scoped user's delete succeeds and
 * names what a cluster admin should remove (docs/decisions.md, "Cluster-scoped leftovers").
 */
export const DELETE_CLUSTER_WIDE: readonly Permission[] = [
  ...perms(['ClusterRole', 'ClusterRoleBinding', 'PriorityClass'], ['list', 'delete']),
  ...perms(['Namespace'], ['list', 'delete', 'patch']),
].map((p) => ({...p, clusterScoped: true}))

/** list and delete on every namespaced kind create applies (upgrade removes what a new config no longer renders). */
function deleteOfRendered(target: OperationTarget): Permission[] {
  const namespaced = (target.objects ?? [])
    .map((o) => resourceInfo(o.kind, o.apiVersion))
    .filter((info) => info.namespaced)
  return namespaced.flatMap((info) =>
    ['list', 'delete'].map((verb) => ({group: info.group, resource: info.plural, verb})),
  )
}

/** Applying objects (get/create/patch each, every right a Role among them grants) plus what upgrade reads. */
function applyNeeds(target: OperationTarget): Permission[] {
  return requiredPermissions(target.objects ?? [])
}

/** The rights one operation needs in the vCluster's namespace (and cluster-wide ones, marked, from its objects). */
export function operationPermissions(operation: Operation, target: OperationTarget): Permission[] {
  const w = target.workloadKind
  const needs: Record<Operation, () => Permission[]> = {
    create: () => [...applyNeeds(target), ...FIND, ...perms(['Secret'], ['get']), ...waitNeeds(w)],
    // Upgrade also removes objects the new config no longer renders: delete on the kinds it renders.
    upgrade: () => [...applyNeeds(target), ...FIND, ...READ, ...waitNeeds(w), ...deleteOfRendered(target)],
    list: () => [...FIND, ...perms(['Pod'], ['list'])],
    describe: () => [...FIND, ...READ, ...waitNeeds(w).filter((p) => p.verb === 'list')],
    connect: () => [...FIND, ...READ, ...FORWARD, ...waitNeeds(w), ...scaleNeeds(w)],
    pause: () => [...FIND, ...scaleNeeds(w), ...perms(['Pod'], ['list', 'delete'])],
    resume: () => [...FIND, ...scaleNeeds(w), ...waitNeeds(w)],
    delete: () => [...FIND, ...deleteNeeds(target)],
  }
  return dedupe(needs[operation]())
}

/** Every right the whole lifecycle (create, list, describe, connect, upgrade, pause, resume, delete) needs. */
export function lifecyclePermissions(target: OperationTarget): Permission[] {
  return dedupe(OPERATIONS.flatMap((op) => operationPermissions(op, target)))
}

/**
 * The preflight of one operation: one message naming every missing verb and resource (exit 5), before anything
 * changes, with the command that prints a Role granting them all.
 */
export async function checkOperation(
  client: KubeClient,
  operation: Operation,
  target: OperationTarget & {name: string; namespace: string},
  review?: Promise<RulesReview>,
): Promise<void> {
  const {name, namespace} = target
  await checkPermissions(
    client,
    namespace,
    operationPermissions(operation, target),
    {
      outcome: operation === 'create' || operation === 'upgrade' ? 'nothing was applied' : 'nothing was changed',
      hint:
        `Ask your cluster admin to grant these (a RoleBinding in namespace ${namespace} is enough unless marked cluster-wide).\n` +
        `\`vcluster create ${name} -n ${namespace} [-f your values] --dry-run=client --print-role --for-user USER\` prints a Role with every right the vcluster commands need there.`,
    },
    review,
  )
}

export function permissionKey(p: Permission): string {
  return `${p.clusterScoped === true ? 'cluster' : 'ns'}|${p.group}|${p.resource}|${p.verb}`
}

function dedupe(list: readonly Permission[]): Permission[] {
  const map = new Map<string, Permission>()
  for (const p of list) if (!map.has(permissionKey(p))) map.set(permissionKey(p), p)
  return [...map.values()]
}

export interface RoleRule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
}

const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']

function verbRank(verb: string): number {
  const i = VERB_ORDER.indexOf(verb)
  return i < 0 ? VERB_ORDER.length : i
}

/**
 * Folds permissions into as few rules as a person can still read: one rule per API group and set of verbs, groups
 * in alphabetical order (core first), resources and verbs in a fixed order so the output is stable.
 */
export function rulesOf(permissions: readonly Permission[]): RoleRule[] {
  const verbsByResource = new Map<string, Set<string>>()
  for (const p of permissions) {
    const key = `${p.group}\u0000${p.resource}`
    verbsByResource.set(key, (verbsByResource.get(key) ?? new Set()).add(p.verb))
  }
  const byGroupAndVerbs = new Map<string, RoleRule>()
  for (const [key, verbSet] of verbsByResource) {
    const [group = '', resource = ''] = key.split('\u0000')
    const verbs = [...verbSet].sort((a, b) => verbRank(a) - verbRank(b) || compareStrings(a, b))
    const ruleKey = `${group}\u0000${verbs.join(',')}`
    const rule = byGroupAndVerbs.get(ruleKey) ?? {apiGroups: [group], resources: [], verbs}
    rule.resources.push(resource)
    byGroupAndVerbs.set(ruleKey, rule)
  }
  const rules = [...byGroupAndVerbs.values()]
  for (const r of rules) r.resources.sort()
  return rules.sort(
    (a, b) =>
      compareStrings(a.apiGroups[0] ?? '', b.apiGroups[0] ?? '') ||
      compareStrings(a.resources[0] ?? '', b.resources[0] ?? ''),
  )
}
