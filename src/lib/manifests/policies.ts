/** ResourceQuota and LimitRange `vc-<name>` for the vCluster namespace, and the control plane's PodDisruptionBudget. */
import {metadata, selectorLabels} from './labels.js'
import {roleName} from './names.js'
import type {KubeObject, RenderInput} from './types.js'
import {copy, isOn, isSet, quantities} from './util.js'

/**
 * Either policy set to `true` turns both on, unless the other is explicitly `false`; the default "auto" alone
 * renders nothing (the platform decides then).
 */
function policyEnabled(own: unknown, other: unknown): boolean {
  return (isOn(own) || isOn(other)) && own !== false && own !== 'false'
}

export function resourceQuota(input: RenderInput): KubeObject | undefined {
  const policies = input.config.policies
  const quota = policies?.resourceQuota
  if (!policyEnabled(quota?.enabled ?? 'auto', policies?.limitRange?.enabled ?? 'auto')) return undefined
  const matchExpressions = (quota?.scopeSelector as {matchExpressions?: unknown[]} | undefined)?.matchExpressions
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: metadata(input, roleName(input.name), {
      labels: quota?.labels,
      annotations: quota?.annotations,
      globalWins: true,
    }),
    spec: {
      ...(isSet(quota?.quota) ? {hard: quantities(quota?.quota)} : {}),
      ...(isSet(matchExpressions) ? {scopeSelector: {matchExpressions: copy(matchExpressions)}} : {}),
      ...(isSet(quota?.scopes) ? {scopes: copy(quota?.scopes)} : {}),
    },
  }
}

export function limitRange(input: RenderInput): KubeObject | undefined {
  const policies = input.config.policies
  const range = policies?.limitRange
  if (!policyEnabled(range?.enabled ?? 'auto', policies?.resourceQuota?.enabled ?? 'auto')) return undefined
  const limit = {
    default: quantities(range?.default),
    defaultRequest: quantities(range?.defaultRequest),
    ...(isSet(range?.min) ? {min: quantities(range?.min)} : {}),
    ...(isSet(range?.max) ? {max: quantities(range?.max)} : {}),
    type: 'Container',
  }
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: metadata(input, roleName(input.name), {
      labels: range?.labels,
      annotations: range?.annotations,
      globalWins: true,
    }),
    spec: {limits: [limit]},
  }
}

/** `controlPlane.advanced.podDisruptionBudget`: minAvailable wins over maxUnavailable, as in the chart. */
export function podDisruptionBudget(input: RenderInput): KubeObject | undefined {
  const pdb = input.config.controlPlane?.advanced?.podDisruptionBudget
  if (pdb?.enabled !== true) return undefined
  const budget = isSet(pdb.minAvailable)
    ? {minAvailable: pdb.minAvailable}
    : isSet(pdb.maxUnavailable)
      ? {maxUnavailable: pdb.maxUnavailable}
      : {}
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(input, input.name),
    spec: {
      ...budget,
      ...(isSet(pdb.unhealthyPodEvictionPolicy) ? {unhealthyPodEvictionPolicy: pdb.unhealthyPodEvictionPolicy} : {}),
      selector: {matchLabels: selectorLabels(input.name)},
    },
  }
}
