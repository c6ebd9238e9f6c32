/**
 * Start-up rules of the release (pkg/config/validation.go) about sync: patches, directions, scheduling, the
 * from-host mappings of ConfigMaps and Secrets, and the selectors of the synced classes.
 */
import {checkLabelSelector, isNamespaceName, isObjectName} from './rules-k8s.js'
import {bool, count, entries, isSet, items, list, str, strBool, type Report, type RuleContext} from './rules-util.js'

/** Every patches list ValidateAllSyncPatches checks. */
export const SYNC_PATCH_PATHS = [
  ...['configMaps', 'secrets', 'endpoints', 'services', 'pods', 'serviceAccounts', 'ingresses'].map(
    (k) => `sync.toHost.${k}.patches`,
  ),
  'sync.toHost.gatewayApi.patches',
  ...['gateways', 'httpRoutes', 'tlsRoutes', 'backendTLSPolicies', 'referenceGrants'].map(
    (k) => `sync.toHost.gatewayApi.${k}.patches`,
  ),
  ...[
    'namespaces',
    'networkPolicies',
    'persistentVolumeClaims',
    'persistentVolumes',
    'podDisruptionBudgets',
    'priorityClasses',
    'resourceClaims',
    'resourceClaimTemplates',
    'storageClasses',
  ].map((k) => `sync.toHost.${k}.patches`),
  ...[
    'nodes',
    'storageClasses',
    'priorityClasses',
    'ingressClasses',
    'gatewayClasses',
    'gateways',
    'csiDrivers',
    'runtimeClasses',
    'csiNodes',
    'csiStorageCapacities',
    'events',
    'configMaps',
    'deviceClasses',
  ].map((k) => `sync.fromHost.${k}.patches`),
]

export function checkSync(ctx: RuleContext): void {
  for (const path of SYNC_PATCH_PATHS) checkPatches(ctx.values, path, ctx.report)
  checkDirections(ctx)
  checkScheduling(ctx)
  checkFromHostMappings(ctx, 'configMaps')
  checkFromHostMappings(ctx, 'secrets')
  for (const kind of ['runtimeClasses', 'ingressClasses', 'gatewayClasses', 'priorityClasses', 'storageClasses']) {
    checkLabelSelector(ctx.values, `sync.fromHost.${kind}.selector`, ctx.report, `sync.fromHost.${kind}.selector`)
  }
}

/** validatePatches: each patch uses exactly one of expression (or reverseExpression), labels or reference; paths are unique. */
export function checkPatches(values: unknown, path: string, report: Report): void {
  const seen = new Map<string, number>()
  for (const [i, {item, path: patchPath}] of items(values, path).entries()) {
    const used = [
      str(item, 'expression') !== '' || str(item, 'reverseExpression') !== '',
      isSet(item, 'labels'),
      isSet(item, 'reference'),
    ].filter(Boolean).length
    if (used > 1)
      report(
        patchPath,
        'a patch uses only one of expression (with reverseExpression), labels or reference; split it into several patches',
      )
    if (used === 0) report(patchPath, 'a patch needs one of expression, labels or reference')
    const target = str(item, 'path')
    const first = seen.get(target)
    if (first !== undefined)
      report(
        `${patchPath}.path`,
        `the same path "${target}" is patched by ${path}[${first}]; merge the two patches into one`,
        'error',
        'value',
      )
    else seen.set(target, i)
  }
}

function checkDirections(ctx: RuleContext): void {
  const {values, report} = ctx
  if (
    strBool(values, 'sync.fromHost.storageClasses.enabled') === 'true' &&
    bool(values, 'sync.toHost.storageClasses.enabled')
  ) {
    report(
      'sync.fromHost.storageClasses.enabled',
      'storageClasses cannot be synced both toHost and fromHost; enable one direction only',
      'error',
      'value',
    )
  }
  if (bool(values, 'sync.fromHost.priorityClasses.enabled') && bool(values, 'sync.toHost.priorityClasses.enabled')) {
    report(
      'sync.fromHost.priorityClasses.enabled',
      'priorityClasses cannot be synced both toHost and fromHost; enable one direction only',
      'error',
      'value',
    )
  }
}

const SCHEDULERS = [
  'controlPlane.distro.k8s.scheduler.enabled',
  'controlPlane.advanced.virtualScheduler.enabled',
  'sync.toHost.pods.hybridScheduling.enabled',
]

function checkScheduling(ctx: RuleContext): void {
  const {values, report} = ctx
  const on = SCHEDULERS.filter((path) => bool(values, path))
  if (on.length > 0 && !bool(values, 'sync.fromHost.nodes.enabled')) {
    const what = on[0] === SCHEDULERS[2] ? 'hybrid scheduling' : 'the virtual scheduler'
    report(
      on[0] as string,
      `${what} needs the real nodes in the vCluster: also set sync.fromHost.nodes.enabled: true`,
      'error',
      'value',
    )
  }
  const virtual = bool(values, SCHEDULERS[0] as string) || bool(values, SCHEDULERS[1] as string)
  const hostSchedulers = list(values, 'sync.toHost.pods.hybridScheduling.hostSchedulers').length
  if (virtual && bool(values, SCHEDULERS[2] as string) && hostSchedulers === 0) {
    report(
      'sync.toHost.pods.hybridScheduling.enabled',
      'has no effect with the virtual scheduler and no sync.toHost.pods.hybridScheduling.hostSchedulers: add a host scheduler or disable hybrid scheduling',
      'warning',
      'value',
    )
  }
}

/** validateFromHostSyncMappings for sync.fromHost.configMaps / secrets. */
function checkFromHostMappings(ctx: RuleContext, kind: 'configMaps' | 'secrets'): void {
  const {values, report} = ctx
  const base = `sync.fromHost.${kind}`
  if (!bool(values, `${base}.enabled`)) return
  const mappings = entries(values, `${base}.mappings.byName`)
  if (mappings.length === 0) {
    report(
      `${base}.enabled`,
      `syncing ${kind} from the host needs ${base}.mappings.byName, e.g. {"host-ns/name": "virtual-ns/name"} or {"host-ns/*": "virtual-ns/*"}`,
      'error',
      'value',
    )
    return
  }
  for (const {key, value, path} of mappings) {
    const problem = fromHostMappingProblem(key, typeof value === 'string' ? value : '')
    if (problem !== undefined)
      report(path, `${problem}; write NAMESPACE/NAME, NAMESPACE/* or /NAME mapped to NAMESPACE/NAME or NAMESPACE/*`)
  }
}

export function fromHostMappingProblem(key: string, value: string): string | undefined {
  if (!key.includes('/') && key !== '') return `the key "${key}" has no "/"`
  if (!value.includes('/') && key !== '') return `the value "${value}" has no "/"`
  if (key.endsWith('/*') && !value.endsWith('/*'))
    return `the key "${key}" matches a whole namespace, so the value "${value}" must end in /* as well`
  return mappingEntryProblem(key, value)
}

/** validateFromHostMappingEntry: at most one "/", valid namespace names and object names on both sides. */
export function mappingEntryProblem(key: string, value: string): string | undefined {
  if (count(key, '/') > 1 || count(value, '/') > 1) return `"${key}": "${value}" has more than one "/" on a side`
  const host = key.split('/')
  const virtual = value.split('/')
  if (key !== '') {
    if (host[0] !== '' && !isNamespaceName(host[0] as string))
      return `the host namespace "${host[0]}" is not a namespace name`
    if (!isRefName(host)) return `the host object name "${host[1]}" is not a valid name`
  }
  if (!isNamespaceName(virtual[0] as string)) return `the virtual namespace "${virtual[0]}" is not a namespace name`
  if (!isRefName(virtual)) return `the virtual object name "${virtual[1]}" is not a valid name`
  return undefined
}

function isRefName(ref: string[]): boolean {
  return ref.length !== 2 || ref[1] === '' || ref[1] === '*' || isObjectName(ref[1] as string)
}
