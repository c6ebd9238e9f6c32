/**
 * What delete may do, decided before it asks for anything, so that it sends no request the API server would refuse.
 * Two SelfSubjectRulesReviews answer it all: one for the vCluster's namespace (the preflight's), one for a namespace
 * that cannot exist, whose answer is the user's cluster-wide rights only (RBAC adds a namespace's RoleBindings to
 * the ClusterRoleBindings; a name that is no valid namespace has none). A SelfSubjectAccessReview is asked only
 * where a review says it is incomplete (an authorizer that cannot list rules, such as a webhook).
 */
import type {KubeClient} from '../kube/client.js'
import {accessReview, covers, reviewRules, type Permission, type RulesReview} from '../kube/preflight.js'
import {resourceInfo} from '../kube/resources.js'

/** Dots are not allowed in namespace names: no namespace, and so no RoleBinding, can ever be there. */
export const NO_NAMESPACE = 'cluster-wide.vcluster-ts'

/** How the labelled objects of one namespaced kind are removed. */
export type Removal = 'collection' | 'each' | 'list-only' | 'skip'

export interface DeleteRights {
  /** A verb on a kind: in the namespace for a namespaced kind, cluster-wide for a cluster-scoped one. */
  may(kind: string, verb: string): Promise<boolean>
  /** A verb on the vCluster's namespace itself (get, delete), which its RoleBindings may grant. */
  mayOwnNamespace(verb: string): Promise<boolean>
}

/**
 * deletecollection: one request; list and delete: one by one; list alone: look, and say what may not be deleted;
 * not even list: skip (the user cannot have made any, nor the vCluster, whose Role holds only rights the user held).
 */
export function removalOf(rights: {list: boolean; delete: boolean; deletecollection: boolean}): Removal {
  if (rights.deletecollection) return 'collection'
  if (!rights.list) return 'skip'
  return rights.delete ? 'each' : 'list-only'
}

export async function removalFor(rights: DeleteRights, kind: string): Promise<Removal> {
  const [list, del, deletecollection] = await Promise.all(
    ['list', 'delete', 'deletecollection'].map((verb) => rights.may(kind, verb)),
  )
  return removalOf({list: list === true, delete: del === true, deletecollection: deletecollection === true})
}

/** Whether one review grants p: covered by its rules, else (only when the review is incomplete) asked one by one. */
export function allowedBy(review: RulesReview, p: Permission): boolean | 'ask' {
  if ((review.status?.resourceRules ?? []).some((r) => covers(r, p))) return true
  return review.status?.incomplete === true ? 'ask' : false
}

/** The namespace's review is the preflight's; the cluster-wide one is asked at the first cluster-scoped question. */
export function deleteRights(client: KubeClient, namespace: string, review: Promise<RulesReview>): DeleteRights {
  let clusterReview: Promise<RulesReview> | undefined
  const answers = new Map<string, Promise<boolean>>()
  const decide = (p: Permission, from: Promise<RulesReview>) => {
    const key = `${p.clusterScoped === true}|${p.group}|${p.resource}|${p.verb}`
    let answer = answers.get(key)
    if (answer === undefined) {
      answer = from.then((r) => {
        const allowed = allowedBy(r, p)
        return allowed === 'ask' ? accessReview(client, namespace, p) : allowed
      })
      answers.set(key, answer)
    }
    return answer
  }
  return {
    may(kind, verb) {
      const info = resourceInfo(kind)
      const p = {group: info.group, resource: info.plural, verb, clusterScoped: !info.namespaced}
      if (!info.namespaced) clusterReview ??= reviewRules(client, NO_NAMESPACE)
      return decide(p, info.namespaced ? review : (clusterReview as Promise<RulesReview>))
    },
    mayOwnNamespace(verb) {
      return decide({group: '', resource: 'namespaces', verb}, review)
    },
  }
}
