import {isIP} from 'node:net'
import type {ConfigProblem} from '../errors.js'
import {getPath} from './merge.js'
import {checkChartRendering} from './rules-chart.js'
import {checkCustomResources} from './rules-custom-resources.js'
import {checkGateways} from './rules-gateways.js'
import {checkNamespaceSync} from './rules-namespaces.js'
import {checkPolicies, checkResolveDNS} from './rules-policies.js'
import {checkPrivateNodes} from './rules-private-nodes.js'
import {checkSync} from './rules-sync.js'
import {items, str, type Report, type RuleContext, type Values} from './rules-util.js'
import type {Locate} from './schema-errors.js'

/** What a rule reports: problems plus the key paths it explained, whose generic schema errors are then dropped. */
export interface RuleResult {
  problems: ConfigProblem[]
  handledPaths: string[]
}

export interface RuleOptions {
  /** The vCluster's name, for \`${name}\` placeholders in namespace mappings; a stand-in when unknown (validate). */
  name?: string
}

/** The name checked in place of \`${name}\` when the vCluster's name is not known. */
export const STAND_IN_NAME = 'vcluster'
const BACKING_STORES = [
  'controlPlane.backingStore.database.embedded',
  'controlPlane.backingStore.database.external',
  'controlPlane.backingStore.etcd.embedded',
  'controlPlane.backingStore.etcd.deploy',
  'controlPlane.backingStore.etcd.external',
] as const

/**
 * Rules the schema cannot express, checked on the user's merged values (before defaults): every rule of the pinned
 * release's start-up validation (pkg/config ValidateConfigAndSetDefaults and what it calls) and of its chart's
 * templates that needs no cluster, plus the few where we are stricter (docs/decisions.md). The chart's defaults
 * never trigger a rule on their own (they are off or empty where a rule looks), so the user's values decide.
 */
export function checkRules(values: Values, locate: Locate, options: RuleOptions = {}): RuleResult {
  const result: RuleResult = {problems: [], handledPaths: []}
  const report: Report = (path, message, severity = 'error', part = 'key') => {
    const pos = locate(path, part)
    result.problems.push({source: pos?.source ?? '<config>', line: pos?.line, col: pos?.col, path, message, severity})
  }
  const ctx: RuleContext = {values, report, name: options.name ?? STAND_IN_NAME}
  checkRemovedDistros(values, report, result)
  checkRemovedKeys(values, report, result)
  checkBackingStores(values, report)
  checkExtraSANs(values, report)
  checkExportKubeConfig(values, report)
  checkDeprecations(values, report)
  checkPolicies(ctx)
  checkCustomResources(ctx)
  checkGateways(ctx)
  checkSync(ctx)
  checkResolveDNS(ctx)
  checkNamespaceSync(ctx)
  checkPrivateNodes(ctx)
  checkChartRendering(ctx)
  return result
}

function checkRemovedDistros(values: Values, report: Report, result: RuleResult): void {
  const removed: Record<string, string> = {k3s: 'v0.33', k0s: 'v0.26', eks: 'v0.20'}
  for (const [distro, version] of Object.entries(removed)) {
    const path = `controlPlane.distro.${distro}`
    if (getPath(values, path) === undefined) continue
    report(
      path,
      `the ${distro} distro was removed upstream in vCluster ${version}; use controlPlane.distro.k8s (the only distro) and remove this key`,
    )
    result.handledPaths.push(path)
  }
}

const REMOVED_IN_036 = [
  'sync.toHost.volumeSnapshots',
  'sync.toHost.volumeSnapshotContents',
  'sync.fromHost.volumeSnapshotClasses',
  'deploy.volumeSnapshotController',
  'rbac.enableVolumeSnapshotRules',
]

function checkRemovedKeys(values: Values, report: Report, result: RuleResult): void {
  for (const path of REMOVED_IN_036) {
    if (getPath(values, path) === undefined) continue
    report(path, 'was removed in vCluster 0.36 (volume snapshots are handled by snapshots:); remove this key')
    result.handledPaths.push(path)
  }
}

const isOn = (values: Values, path: string) => getPath(values, `${path}.enabled`) === true

function checkBackingStores(values: Values, report: Report): void {
  const enabled = BACKING_STORES.filter((store) => isOn(values, store))
  if (enabled.length > 1) {
    const names = enabled.map((s) => s.replace('controlPlane.backingStore.', '')).join(', ')
    report(`${enabled[1]}.enabled`, `only one backing store may be enabled, found ${enabled.length}: ${names}`)
  }
  const replicas = getPath(values, 'controlPlane.statefulSet.highAvailability.replicas')
  const embeddedDatabase = enabled.length === 0 || (enabled.length === 1 && enabled[0] === BACKING_STORES[0])
  if (typeof replicas === 'number' && replicas > 1 && embeddedDatabase) {
    report(
      'controlPlane.statefulSet.highAvailability.replicas',
      `the embedded database (SQLite, the default) cannot run with ${replicas} replicas; ` +
        'set controlPlane.backingStore.etcd.embedded.enabled: true (or deploy etcd, or use an external database)',
      'error',
      'value',
    )
  }
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\.?$/i

export function isDnsNameOrIp(value: string): boolean {
  return isIP(value) !== 0 || (value.length <= 253 && DNS_NAME.test(value))
}

function checkExtraSANs(values: Values, report: Report): void {
  const sans = getPath(values, 'controlPlane.proxy.extraSANs')
  if (!Array.isArray(sans)) return
  sans.forEach((san, i) => {
    if (typeof san !== 'string' || isDnsNameOrIp(san)) return
    const hint = /^[a-z]+:\/\//i.test(san) ? '; write the host name only, without scheme, port or path' : ''
    report(`controlPlane.proxy.extraSANs[${i}]`, `"${san}" is not a DNS name or IP address${hint}`, 'error', 'value')
  })
}

/** validateExportKubeConfig and the chart's exportKubeConfig.validate (which trims names). */
function checkExportKubeConfig(values: Values, report: Report): void {
  const checkServer = (path: string) => {
    const server = getPath(values, path)
    if (typeof server !== 'string' || server === '') return
    if (!isHttpUrl(server)) {
      report(
        path,
        `"${server}" must be an http:// or https:// URL, e.g. https://my-vcluster.example.com`,
        'error',
        'value',
      )
    }
  }
  checkServer('exportKubeConfig.server')
  const additional = items(values, 'exportKubeConfig.additionalSecrets')
  for (const {item, path} of additional) {
    checkServer(`${path}.server`)
    if (str(item, 'name').trim() === '' && str(item, 'namespace').trim() === '') {
      report(path, 'an additional kubeconfig Secret needs a name and/or a namespace')
    }
  }
  if (
    additional.length > 0 &&
    (str(values, 'exportKubeConfig.secret.name') !== '' || str(values, 'exportKubeConfig.secret.namespace') !== '')
  ) {
    report(
      'exportKubeConfig.secret',
      'exportKubeConfig.secret cannot be combined with additionalSecrets; move it into additionalSecrets',
    )
  }
}

/** Upstream wants the literal prefix http:// or https:// (lower case); we also want a host (stricter). */
function isHttpUrl(value: string): boolean {
  if (!value.startsWith('http://') && !value.startsWith('https://')) return false
  try {
    return new URL(value).hostname !== ''
  } catch {
    return false
  }
}

function checkDeprecations(values: Values, report: Report): void {
  const version = getPath(values, 'controlPlane.distro.k8s.version')
  if (typeof version === 'string' && version !== '') {
    report(
      'controlPlane.distro.k8s.version',
      'is deprecated; use controlPlane.distro.k8s.image.tag instead (its value is used as the image tag)',
      'warning',
    )
  }
  const port = getPath(values, 'controlPlane.proxy.port')
  if (typeof port === 'number' && port !== 8443) {
    report(
      'controlPlane.proxy.port',
      'changing the port is not supported by vCluster; the control plane keeps serving on 8443',
      'warning',
      'value',
    )
  }
  for (const path of ['serviceCIDR', 'pro', 'plugin']) {
    if (getPath(values, path) !== undefined) report(path, 'is deprecated and has no effect; remove it', 'warning')
  }
}
