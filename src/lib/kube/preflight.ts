import {ForbiddenError} from '../errors.js'
import type {KubeObject} from './object.js'
import type {KubeClient} from './client.js'
import {resourceInfo} from './resources.js'

export interface Permission {
  group: string
  resource: string
  verb: string
  /** Set for cluster-scoped checks. */
  clusterScoped?: boolean
}

export interface ResourceRule {
  verbs: string[]
  apiGroups?: string[]
  resources?: string[]
  resourceNames?: string[]
}

export interface RulesReview {
  status?: {resourceRules?: ResourceRule[]; incomplete?: boolean}
}

interface PolicyRule {
  apiGroups?: string[]
  resources?: string[]
  verbs?: string[]
}

/** The rights needed to apply these objects, plus every right their Roles grant (Kubernetes' escalation check). */
export function requiredPermissions(objects: readonly KubeObject[]): Permission[] {
  const needed = new Map<string, Permission>()
  const add = (p: Permission) => needed.set(`${p.clusterScoped === true}|${p.group}|${p.resource}|${p.verb}`, p)
  for (const object of objects) {
    const info = resourceInfo(object.kind, object.apiVersion)
    for (const verb of ['get', 'create', 'patch'])
      add({group: info.group, resource: info.plural, verb, clusterScoped: !info.namespaced})
    if (object.kind === 'Role' || object.kind === 'ClusterRole') {
      for (const rule of (object.rules as PolicyRule[] | undefined) ?? []) {
        for (const group of rule.apiGroups ?? ['']) {
          for (const resource of rule.resources ?? []) {
            for (const verb of rule.verbs ?? [])
              add({group, resource, verb, clusterScoped: object.kind === 'ClusterRole'})
          }
        }
      }
    }
  }
  return [...needed.values()]
}

export function covers(rule: ResourceRule, p: Permission): boolean {
  if ((rule.resourceNames ?? []).length > 0) return false
  const match = (list: string[] | undefined, value: string) => (list ?? []).some((x) => x === '*' || x === value)
  const resourceMatch =
    match(rule.resources, p.resource) || (rule.resources ?? []).some((r) => r === `${p.resource.split('/')[0]}/*`)
  return match(rule.verbs, p.verb) && match(rule.apiGroups, p.group) && resourceMatch
}

/** How the refusal reads: what was left undone, and where the rights can come from. */
export interface RefusalWording {
  /** Default `nothing was applied`. */
  outcome?: string
  /** Replaces the default hint (a RoleBinding in this namespace is enough). */
  hint?: string
}

/**
 * Checks, before anything is written, that the user holds every needed right: one SelfSubjectRulesReview for the
 * namespace, SelfSubjectAccessReviews only for cluster-scoped rights or when the review is incomplete. Throws one
 * ForbiddenError listing everything missing.
 */
export async function checkPermissions(
  client: KubeClient,
  namespace: string,
  needed: readonly Permission[],
  wording: RefusalWording = {},
  prefetched?: Promise<RulesReview>,
): Promise<void> {
  const review = await (prefetched ?? reviewRules(client, namespace))
  const rules = review.status?.resourceRules ?? []
  const incomplete = review.status?.incomplete === true
  const unresolved = needed.filter((p) => p.clusterScoped === true || !rules.some((r) => covers(r, p)))
  const toAsk = unresolved.filter((p) => p.clusterScoped === true || incomplete)
  const answers = await Promise.all(toAsk.map((p) => accessReview(client, namespace, p)))
  const missing = unresolved.filter((p) => {
    const i = toAsk.indexOf(p)
    return i < 0 || answers[i] !== true
  })
  if (missing.length > 0) throw missingPermissionsError(namespace, missing, wording)
}

/**
 * The user's rights in a namespace (one SelfSubjectRulesReview). Callers that know the namespace early start it
 * next to their other reads and pass the promise to checkPermissions: one round trip less before applying.
 */
export function reviewRules(client: KubeClient, namespace: string): Promise<RulesReview> {
  const review = client.request<RulesReview>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    body: {apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: {namespace}},
  })
  review.catch(() => undefined) // awaited later, or not at all when the caller stops early: never unhandled
  return review
}

export async function accessReview(client: KubeClient, namespace: string, p: Permission): Promise<boolean> {
  const [resource, subresource] = p.resource.split('/')
  const review = await client.request<{status?: {allowed?: boolean}}>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: {
          group: p.group,
          resource,
          subresource,
          verb: p.verb,
          namespace: p.clusterScoped === true ? undefined : namespace,
        },
      },
    },
  })
  return review.status?.allowed === true
}

export function missingPermissionsError(
  namespace: string,
  missing: readonly Permission[],
  wording: RefusalWording = {},
): ForbiddenError {
  const byResource = new Map<string, string[]>()
  for (const p of missing) {
    const key = `${p.group === '' ? '' : `${p.group}/`}${p.resource}${p.clusterScoped === true ? ' (cluster-wide)' : ''}`
    byResource.set(key, [...(byResource.get(key) ?? []), p.verb])
  }
  const list = [...byResource.entries()].map(([r, verbs]) => `${r}: ${verbs.join(',')}`).join('; ')
  return new ForbiddenError(
    `missing permissions in namespace ${namespace}, ${wording.outcome ?? 'nothing was applied'}: ${list}`,
    wording.hint ??
      'Ask your cluster admin to grant these (a RoleBinding in this namespace is enough unless marked cluster-wide).',
  )
}
