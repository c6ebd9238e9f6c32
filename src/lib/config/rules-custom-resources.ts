/**
 * Start-up rules of the release (pkg/config/validation.go) about custom resources: their scope and mappings, one
 * sync direction each, no overlap with an enabled integration, and no group both synced and proxied. Plus the
 * proxy entries' own shape, which upstream's `vcluster create` checks (ValidateExperimentalProxyCustomResourcesConfig).
 */
import {checkPatches, mappingEntryProblem} from './rules-sync.js'
import {bool, entries, str, type RuleContext} from './rules-util.js'

export function checkCustomResources(ctx: RuleContext): void {
  const {values, report} = ctx
  for (const {value, path} of entries(values, 'sync.toHost.customResources')) {
    const scope = str(value, 'scope')
    if (scope !== '' && scope !== 'Namespaced')
      report(
        `${path}.scope`,
        `"${scope}" is not supported for a custom resource synced to the host; use Namespaced (or leave it out)`,
        'error',
        'value',
      )
    checkPatches(value, 'patches', (p, m, s, part) => report(`${path}.${p}`, m, s, part))
  }
  for (const {value, path} of entries(values, 'sync.fromHost.customResources')) checkFromHostResource(ctx, value, path)
  checkIntegrationOverlaps(ctx)
  checkSyncProxyConflicts(ctx)
  checkProxyResources(ctx)
}

function checkFromHostResource(ctx: RuleContext, resource: unknown, path: string): void {
  const {report} = ctx
  const scope = str(resource, 'scope')
  const mappings = entries(resource, 'mappings.byName')
  if (scope !== '' && scope !== 'Cluster' && scope !== 'Namespaced') {
    report(`${path}.scope`, `"${scope}" is not a scope; use Cluster or Namespaced`, 'error', 'value')
  } else if (mappings.length > 0 && scope !== 'Namespaced') {
    report(
      `${path}.mappings`,
      'mappings are only supported with scope: Namespaced; set the scope or remove the mappings',
    )
  } else if (scope === 'Namespaced' && mappings.length === 0) {
    report(
      `${path}.scope`,
      'a Namespaced custom resource synced from the host needs mappings.byName, e.g. {"host-ns/*": "virtual-ns/*"}',
      'error',
      'value',
    )
  }
  checkPatches(resource, 'patches', (p, m, s, part) => report(`${path}.${p}`, m, s, part))
  if (scope !== 'Namespaced') return
  for (const mapping of entries(resource, 'mappings.byName')) {
    const problem = mappingEntryProblem(mapping.key, typeof mapping.value === 'string' ? mapping.value : '')
    if (problem !== undefined)
      report(`${path}.${mapping.path}`, `${problem}; write NAMESPACE/NAME or NAMESPACE/* on both sides`)
  }
}

/**
 * A sub-switch of an integration as the syncer sees it after the chart's merge: the user's boolean, else the chart's
 * default (`null` anywhere on the way deletes the default: false).
 */
function switchOn(values: unknown, path: string, chartDefault: boolean): boolean {
  const steps = path.split('.')
  let node: unknown = values
  for (const step of steps) {
    if (node === undefined) return chartDefault
    if (node === null || typeof node !== 'object') return false
    node = (node as Record<string, unknown>)[step]
  }
  if (node === undefined) return chartDefault
  return node === true
}

/** Custom resources an enabled integration syncs itself: [integration, direction, resource names, its switch, the chart's default]. */
const INTEGRATION_RESOURCES: [string, 'toHost' | 'fromHost', string[], string, boolean][] = [
  ['istio', 'toHost', ['destinationrules.networking.istio.io'], 'sync.toHost.destinationRules.enabled', true],
  ['istio', 'toHost', ['virtualservices.networking.istio.io'], 'sync.toHost.virtualServices.enabled', true],
  ['istio', 'toHost', ['gateways.networking.istio.io'], 'sync.toHost.gateways.enabled', true],
  ['certManager', 'toHost', ['certificates.cert-manager.io'], 'sync.toHost.certificates.enabled', true],
  ['certManager', 'toHost', ['issuers.cert-manager.io'], 'sync.toHost.issuers.enabled', true],
  ['certManager', 'fromHost', ['clusterissuers.cert-manager.io'], 'sync.fromHost.clusterIssuers.enabled', true],
  ['externalSecrets', 'toHost', ['externalsecrets.external-secrets.io'], 'enabled', false],
  ['externalSecrets', 'toHost', ['secretstores.external-secrets.io'], 'sync.toHost.stores.enabled', false],
  [
    'externalSecrets',
    'toHost',
    ['clustersecretstores.external-secrets.io'],
    'sync.fromHost.clusterStores.enabled',
    false,
  ],
  ...(
    [
      ['datavolumes.cdi.kubevirt.io', 'dataVolumes', false],
      ['virtualmachineinstancemigrations.kubevirt.io', 'virtualMachineInstanceMigrations', true],
      ['virtualmachineinstances.kubevirt.io', 'virtualMachineInstances', true],
      ['virtualmachines.kubevirt.io', 'virtualMachines', true],
      ['virtualmachineclones.clone.kubevirt.io', 'virtualMachineClones', true],
      ['virtualmachinepools.pool.kubevirt.io', 'virtualMachinePools', true],
    ] as const
  ).map(([name, key, on]): [string, 'toHost', string[], string, boolean] => {
    const [resource, ...group] = name.split('.')
    return ['kubeVirt', 'toHost', [name, `${resource}/status.${group.join('.')}`], `sync.${key}.enabled`, on]
  }),
]

/** The chart defaults INTEGRATION_RESOURCES assumes, for a test against the release's values.yaml. */
export const INTEGRATION_SWITCH_DEFAULTS = INTEGRATION_RESOURCES.map(([integration, , , path, on]) => ({
  path: `integrations.${integration}.${path}`,
  on,
}))

function checkIntegrationOverlaps(ctx: RuleContext): void {
  const {values, report} = ctx
  for (const [integration, direction, names, switchPath, chartDefault] of INTEGRATION_RESOURCES) {
    if (!bool(values, `integrations.${integration}.enabled`)) continue
    if (!switchOn(values, `integrations.${integration}.${switchPath}`, chartDefault)) continue
    for (const {key, value, path} of entries(values, `sync.${direction}.customResources`)) {
      if (!names.includes(key) || !bool(value, 'enabled')) continue
      report(path, `integrations.${integration} already syncs ${key}; remove it from sync.${direction}.customResources`)
    }
  }
}

/** ParseGroupResource on the part before any "/": the group is what follows the first ".". */
export function groupOf(key: string): string {
  const resource = key.split('/')[0] as string
  const dot = resource.indexOf('.')
  return dot < 0 ? '' : resource.slice(dot + 1)
}

const enabledKeys = (values: unknown, path: string): string[] =>
  entries(values, path)
    .filter((e) => bool(e.value, 'enabled'))
    .map((e) => e.key)

function checkSyncProxyConflicts(ctx: RuleContext): void {
  const {values, report} = ctx
  const toHost = enabledKeys(values, 'sync.toHost.customResources')
  const fromHost = enabledKeys(values, 'sync.fromHost.customResources')
  for (const key of fromHost.filter((k) => toHost.includes(k))) {
    report(
      `sync.fromHost.customResources.${key}`,
      `${key} is also in sync.toHost.customResources; a custom resource is synced one way only, remove one of them`,
    )
  }
  const proxyGroups = new Set(enabledKeys(values, 'experimental.proxy.customResources').map(groupOf))
  for (const [direction, keys] of [
    ['toHost', toHost],
    ['fromHost', fromHost],
  ] as const) {
    for (const key of keys) {
      if (!proxyGroups.has(groupOf(key))) continue
      report(
        `sync.${direction}.customResources.${key}`,
        `the group "${groupOf(key)}" is also in experimental.proxy.customResources; a group is either synced or proxied, remove one of them`,
      )
    }
  }
}

const PROXY_PATH = /^[^/]+\/[^/]*$/

/** ValidateExperimentalProxyCustomResourcesConfig: what upstream's `vcluster create` checks before it installs. */
function checkProxyResources(ctx: RuleContext): void {
  const {values, report} = ctx
  const byGroupVersion = new Map<string, {key: string; target: string; mode: string; wildcard: boolean}[]>()
  for (const {key, value, path} of entries(values, 'experimental.proxy.customResources')) {
    const [resource = '', version = ''] = key.split('/')
    const dot = resource.indexOf('.')
    if (!PROXY_PATH.test(key) || dot <= 0 || dot === resource.length - 1) {
      report(path, `"${key}" is not resource.group/version (e.g. widgets.example.com/v1 or *.example.com/v1)`)
      continue
    }
    if (str(value, 'targetVirtualCluster.name') === '')
      report(path, 'needs targetVirtualCluster.name: the vCluster the requests are proxied to')
    const mode = str(value, 'accessResources')
    if (mode !== '' && mode !== 'owned' && mode !== 'all')
      report(`${path}.accessResources`, `"${mode}" is not an access mode; use owned or all`, 'error', 'value')
    if (!bool(value, 'enabled')) continue
    const gv = `${resource.slice(dot + 1)}/${version}`
    const target = ['name', 'namespace', 'project'].map((k) => str(value, `targetVirtualCluster.${k}`)).join('/')
    byGroupVersion.set(gv, [
      ...(byGroupVersion.get(gv) ?? []),
      {key, target, mode, wildcard: resource.startsWith('*.')},
    ])
  }
  for (const [gv, group] of byGroupVersion) {
    const sorted = [...group].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    const first = sorted[0] as (typeof sorted)[0]
    const at = (key: string) => `experimental.proxy.customResources.${key}`
    if (sorted.some((e) => e.wildcard) && sorted.some((e) => !e.wildcard))
      report(at(first.key), `${gv} has both a wildcard and explicit entries; keep one or the other`)
    for (const e of sorted.slice(1)) {
      if (e.target !== first.target)
        report(
          at(e.key),
          `shares ${gv} with ${first.key} but names another targetVirtualCluster; entries of one group/version go to one vCluster`,
        )
      else if (e.mode !== first.mode)
        report(at(e.key), `shares ${gv} with ${first.key} but sets another accessResources; use the same mode`)
    }
  }
}
