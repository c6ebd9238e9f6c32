/** RBAC rule building blocks shared by the Role and the ClusterRole. */
import type {VClusterConfig} from '../config/schema/index.js'
import {copy} from './util.js'

export interface PolicyRule {
  apiGroups?: string[]
  resources?: string[]
  verbs: string[]
  resourceNames?: string[]
  nonResourceURLs?: string[]
}

export const ALL_VERBS = ['create', 'delete', 'patch', 'update', 'get', 'list', 'watch']
export const READ_VERBS = ['get', 'list', 'watch']

export function rule(apiGroup: string, resources: string[], verbs: string[]): PolicyRule {
  return {apiGroups: [apiGroup], resources, verbs}
}

/** `plural.group` or `plural.group/version` → the rule's resource and group. */
export function customResourceRule(key: string, verbs: string[]): PolicyRule {
  const withoutVersion = key.split('/')[0] ?? key
  const dot = withoutVersion.indexOf('.')
  const resource = dot < 0 ? withoutVersion : withoutVersion.slice(0, dot)
  const group = dot < 0 ? '' : withoutVersion.slice(dot + 1)
  return rule(group, [resource], verbs)
}

/** Rules of the enabled entries of a custom-resource map, in key order (Go templates range maps sorted). */
export function customResourceRules(
  map: Record<string, {enabled?: boolean}> | undefined,
  verbs: string[],
): PolicyRule[] {
  return Object.keys(map ?? {})
    .sort()
    .filter((key) => map?.[key]?.enabled === true)
    .map((key) => customResourceRule(key, verbs))
}

/** Extra rules plugins ask for (`plugin` first, then `plugins`, each in key order). */
export function pluginRules(config: VClusterConfig, scope: 'role' | 'clusterRole'): PolicyRule[] {
  const rules: PolicyRule[] = []
  for (const plugins of [config.plugin, config.plugins]) {
    for (const key of Object.keys(plugins ?? {}).sort()) {
      rules.push(...((plugins?.[key]?.rbac?.[scope]?.extraRules ?? []) as PolicyRule[]))
    }
  }
  return copy(rules)
}

/** Rules from the config (extraRules, overwriteRules) go in as written. */
export function userRules(rules: readonly Record<string, unknown>[] | undefined): PolicyRule[] {
  return copy(rules ?? []) as unknown as PolicyRule[]
}
