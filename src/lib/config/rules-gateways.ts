/**
 * Start-up rules of the release about the Gateway API (validateGatewayAPIConfig, ValidateFromHostGateways): the
 * reference grant switch, and for Gateways imported from the host their mappings and allowed-routes policies.
 * The check that a target namespace is not the control plane's own needs the namespace, which the start-up parse
 * does not know either (it passes an empty one); `validate` skips it.
 */
import {isDns1123Subdomain, isNamespaceName, isWildcardDns1123Subdomain} from './rules-k8s.js'
import {at, bool, entries, items, list, map, str, strBool, type Report, type RuleContext} from './rules-util.js'

const GATEWAYS = 'sync.fromHost.gateways'
const RESERVED = ['kube-system', 'kube-public', 'kube-node-lease']

export function checkGateways(ctx: RuleContext): void {
  const {values, report} = ctx
  const grants = strBool(values, 'sync.toHost.gatewayApi.referenceGrants.enabled')
  if (grants !== '' && !['auto', 'true', 'false'].includes(grants)) {
    report(
      'sync.toHost.gatewayApi.referenceGrants.enabled',
      `"${grants}" is not allowed; use auto, true or false`,
      'error',
      'value',
    )
  }
  if (!bool(values, `${GATEWAYS}.enabled`)) return
  const mappings = entries(values, `${GATEWAYS}.mappings.byName`).map((e) => ({
    ...e,
    value: typeof e.value === 'string' ? e.value : '',
  }))
  if (mappings.length === 0) {
    report(
      `${GATEWAYS}.enabled`,
      `importing host Gateways needs ${GATEWAYS}.mappings.byName, e.g. {"gateways/main": "team-a/main"} or {"gateways/*": "team-a/*"}`,
      'error',
      'value',
    )
  }
  checkGatewayMappings(mappings, report)
  checkNamespacePolicy(values, `${GATEWAYS}.allowedRoutes.defaultVirtualNamespacePolicy`, report)
  const byName = map(values, `${GATEWAYS}.mappings.byName`)
  for (const {item, path} of items(values, `${GATEWAYS}.allowedRoutes.overrides`)) {
    checkNamespacePolicy(item, 'virtualNamespacePolicy', (p, m, s, part) => report(`${path}.${p}`, m, s, part))
    const namespace = str(item, 'hostNamespace')
    const name = str(item, 'name')
    if (
      namespace === '' ||
      name === '' ||
      (!Object.hasOwn(byName, `${namespace}/${name}`) && !Object.hasOwn(byName, `${namespace}/*`))
    ) {
      report(
        path,
        `overrides host Gateway ${namespace}/${name}, which ${GATEWAYS}.mappings.byName does not import; set hostNamespace and name of a mapped Gateway`,
      )
    }
    list(item, 'allowedHostnames').forEach((hostname, i) => {
      if (typeof hostname === 'string' && !isHostnamePattern(hostname))
        report(`${path}.allowedHostnames[${i}]`, `"${hostname}" is not a host name or *.wildcard`, 'error', 'value')
    })
  }
}

interface Ref {
  namespace: string
  name: string
  wildcard: boolean
}

/** parseGatewayMappingRef: NAMESPACE/NAME or NAMESPACE/*, or why not. */
export function parseGatewayRef(ref: string): Ref | string {
  const parts = ref.split('/')
  if (ref === '') return 'the namespace is missing'
  if (parts.length !== 2) return 'it is not NAMESPACE/NAME or NAMESPACE/*'
  const [namespace, name] = parts as [string, string]
  if (namespace === '') return 'the namespace is missing'
  if (!isNamespaceName(namespace)) return `"${namespace}" is not a namespace name`
  if (name === '') return 'the name is missing'
  if (name !== '*' && name.includes('*')) return '* may only be the whole name'
  if (name !== '*' && !isDns1123Subdomain(name)) return `"${name}" is not a valid name`
  return {namespace, name, wildcard: name === '*'}
}

function checkGatewayMappings(mappings: {key: string; value: string; path: string}[], report: Report): void {
  const sources = new Map<string, string>()
  const targets = new Map<string, string>()
  const exact = new Map<string, string>()
  const parsed: {host: Ref; tenant: Ref; key: string; value: string; path: string}[] = []
  for (const {key, value, path} of mappings) {
    const host = parseGatewayRef(key)
    const tenant = parseGatewayRef(value)
    if (typeof host === 'string')
      report(path, `the key "${key}" is invalid: ${host}; write NAMESPACE/NAME or NAMESPACE/*`)
    else if (typeof tenant === 'string')
      report(path, `the value "${value}" is invalid: ${tenant}; write NAMESPACE/NAME or NAMESPACE/*`, 'error', 'value')
    else if (RESERVED.includes(tenant.namespace))
      report(
        path,
        `the target namespace "${tenant.namespace}" is reserved; map to one of your own namespaces`,
        'error',
        'value',
      )
    else if (host.wildcard !== tenant.wildcard)
      report(
        path,
        `"${key}": "${value}" mixes a wildcard and a single Gateway; map NAMESPACE/* to NAMESPACE/* or NAME to NAME`,
      )
    else if (host.wildcard) {
      const clash = sources.get(host.namespace) ?? targets.get(tenant.namespace)
      if (clash !== undefined)
        report(path, `overlaps "${clash}"; each namespace may appear in one wildcard mapping only`)
      sources.set(host.namespace, key)
      targets.set(tenant.namespace, key)
    } else {
      const target = `${tenant.namespace}/${tenant.name}`
      const clash = exact.get(target)
      if (clash !== undefined)
        report(path, `maps to ${target} as "${clash}" does; each target may be used once`, 'error', 'value')
      exact.set(target, key)
      parsed.push({host, tenant, key, value, path})
    }
  }
  for (const {host, tenant, key, value, path} of parsed) {
    const wildcard = sources.get(host.namespace)
    if (wildcard !== undefined)
      report(path, `"${key}" is already imported by the wildcard "${wildcard}"; remove one of them`)
    else if (targets.has(tenant.namespace))
      report(
        path,
        `"${value}" lies in the namespace the wildcard "${targets.get(tenant.namespace)}" maps to; choose another target`,
        'error',
        'value',
      )
  }
}

function checkNamespacePolicy(values: unknown, path: string, report: Report): void {
  const from = str(values, `${path}.from`)
  if (from === '' || from === 'All' || from === 'Same') return
  if (from !== 'Selector') {
    report(`${path}.from`, `"${from}" is not allowed; use All, Same or Selector`, 'error', 'value')
    return
  }
  const selector = at(values, `${path}.selector`)
  if (Object.keys(map(selector, 'matchLabels')).length === 0 && list(selector, 'matchExpressions').length === 0) {
    report(`${path}.from`, 'from: Selector needs selector.matchLabels or selector.matchExpressions', 'error', 'value')
  }
}

function isHostnamePattern(hostname: string): boolean {
  const lower = hostname.toLowerCase().trim()
  return lower.startsWith('*.') ? isWildcardDns1123Subdomain(lower) : isDns1123Subdomain(lower)
}
