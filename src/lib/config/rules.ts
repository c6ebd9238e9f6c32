import {isIP} from 'node:net'
import type {ConfigProblem} from '../errors.js'
import {getPath} from './merge.js'
import type {Locate} from './schema-errors.js'

/** What a rule reports: problems plus the key paths it explained, whose generic schema errors are then dropped. */
export interface RuleResult {
  problems: ConfigProblem[]
  handledPaths: string[]
}

type Values = Record<string, unknown>

const BACKING_STORES = [
  'controlPlane.backingStore.database.embedded',
  'controlPlane.backingStore.database.external',
  'controlPlane.backingStore.etcd.embedded',
  'controlPlane.backingStore.etcd.deploy',
  'controlPlane.backingStore.etcd.external',
] as const

/** Rules the schema cannot express, checked on the user's merged values (before defaults). */
export function checkRules(values: Values, locate: Locate): RuleResult {
  const result: RuleResult = {problems: [], handledPaths: []}
  const report = (path: string, message: string, severity: 'error' | 'warning' = 'error', part: 'key' | 'value' = 'key') => {
    const pos = locate(path, part)
    result.problems.push({source: pos?.source ?? '<config>', line: pos?.line, col: pos?.col, path, message, severity})
  }
  checkRemovedDistros(values, report, result)
  checkRemovedKeys(values, report, result)
  checkBackingStores(values, report)
  checkExtraSANs(values, report)
  checkExportKubeConfig(values, report)
  checkSyncDirections(values, report)
  checkDeprecations(values, report)
  return result
}

type Report = (path: string, message: string, severity?: 'error' | 'warning', part?: 'key' | 'value') => void

function checkRemovedDistros(values: Values, report: Report, result: RuleResult): void {
  const removed: Record<string, string> = {k3s: 'v0.33', k0s: 'v0.26', eks: 'v0.20'}
  for (const [distro, version] of Object.entries(removed)) {
    const path = `controlPlane.distro.${distro}`
    if (getPath(values, path) === undefined) continue
    report(path, `the ${distro} distro was removed upstream in vCluster ${version}; use controlPlane.distro.k8s (the only distro) and remove this key`)
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

function checkExportKubeConfig(values: Values, report: Report): void {
  const checkServer = (path: string) => {
    const server = getPath(values, path)
    if (typeof server !== 'string' || server === '') return
    if (!isHttpUrl(server)) {
      report(path, `"${server}" must be an http:// or https:// URL, e.g. https://my-vcluster.example.com`, 'error', 'value')
    }
  }
  checkServer('exportKubeConfig.server')
  const additional = getPath(values, 'exportKubeConfig.additionalSecrets')
  if (Array.isArray(additional)) {
    additional.forEach((_, i) => checkServer(`exportKubeConfig.additionalSecrets[${i}].server`))
    const secret = getPath(values, 'exportKubeConfig.secret.name')
    if (additional.length > 0 && typeof secret === 'string' && secret !== '') {
      report('exportKubeConfig.secret', 'exportKubeConfig.secret cannot be combined with additionalSecrets; move it into additionalSecrets')
    }
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}

function checkSyncDirections(values: Values, report: Report): void {
  for (const kind of ['storageClasses', 'priorityClasses']) {
    const toHost = getPath(values, `sync.toHost.${kind}.enabled`)
    const fromHost = getPath(values, `sync.fromHost.${kind}.enabled`)
    if (toHost === true && fromHost === true) {
      report(`sync.fromHost.${kind}.enabled`, `${kind} cannot be synced both toHost and fromHost; enable one direction only`, 'error', 'value')
    }
  }
  if (isOn(values, 'controlPlane.advanced.virtualScheduler') && getPath(values, 'sync.fromHost.nodes.enabled') !== true) {
    report('controlPlane.advanced.virtualScheduler.enabled', 'the virtual scheduler needs real nodes: also set sync.fromHost.nodes.enabled: true', 'error', 'value')
  }
}

function checkDeprecations(values: Values, report: Report): void {
  const version = getPath(values, 'controlPlane.distro.k8s.version')
  if (typeof version === 'string' && version !== '') {
    report('controlPlane.distro.k8s.version', 'is deprecated; use controlPlane.distro.k8s.image.tag instead (its value is used as the image tag)', 'warning')
  }
  const port = getPath(values, 'controlPlane.proxy.port')
  if (typeof port === 'number' && port !== 8443) {
    report('controlPlane.proxy.port', 'changing the port is not supported by vCluster; the control plane keeps serving on 8443', 'warning', 'value')
  }
  for (const path of ['serviceCIDR', 'pro', 'plugin']) {
    if (getPath(values, path) !== undefined) report(path, 'is deprecated and has no effect; remove it', 'warning')
  }
}
