/**
 * Start-up rules of the release (pkg/config/validation.go, coredns_plugin_validation.go) about policies, pod
 * tolerations, admission webhooks, proxy deny rules, DNS rewrites and the pod disruption budget.
 */
import {X509Certificate} from 'node:crypto'
import {isLabelValue, isNamespaceName} from './rules-k8s.js'
import {at, bool, count, isSet, items, map, str, strings, type RuleContext} from './rules-util.js'
import {isPlainObject} from './set-values.js'

const POD_SECURITY_STANDARDS = ['privileged', 'baseline', 'restricted']

export function checkPolicies(ctx: RuleContext): void {
  const {values, report} = ctx
  const standard = str(values, 'policies.podSecurityStandard')
  if (standard !== '' && !POD_SECURITY_STANDARDS.includes(standard)) {
    report(
      'policies.podSecurityStandard',
      `"${standard}" is not a pod security standard; use one of ${POD_SECURITY_STANDARDS.join(', ')} (or leave it empty)`,
      'error',
      'value',
    )
  }
  strings(values, 'sync.toHost.pods.enforceTolerations').forEach((spec, i) => {
    const why = tolerationProblem(spec)
    if (why !== undefined)
      report(
        `sync.toHost.pods.enforceTolerations[${i}]`,
        `"${spec}" is not a toleration: ${why}; write key, key=value, key:Effect or key=value:Effect (or *)`,
        'error',
        'value',
      )
  })
  const pdb = 'controlPlane.advanced.podDisruptionBudget'
  if (
    bool(values, `${pdb}.enabled`) &&
    isSet(values, `${pdb}.minAvailable`) &&
    isSet(values, `${pdb}.maxUnavailable`)
  ) {
    report(
      `${pdb}.maxUnavailable`,
      'minAvailable and maxUnavailable cannot be used together in a pod disruption budget; remove one of them',
    )
  }
  checkWebhooks(ctx, 'validatingWebhooks')
  checkWebhooks(ctx, 'mutatingWebhooks')
  items(values, 'experimental.denyProxyRequests').forEach(({item, path}) => checkDenyRule(ctx, item, path))
}

/** What toleration.ParseToleration refuses, or undefined when the spec parses. */
export function tolerationProblem(spec: string): string | undefined {
  if (spec === '*') return undefined
  const colon = spec.split(':')
  if (colon.length > 2) return 'more than one ":"'
  const keyValue = (colon[0] as string).split('=')
  if (keyValue.length > 2) return 'more than one "="'
  const value = keyValue[1]
  if (value !== undefined && !isLabelValue(value)) return `the value "${value}" is not a valid label value`
  return undefined
}

function checkWebhooks(ctx: RuleContext, kind: 'validatingWebhooks' | 'mutatingWebhooks'): void {
  for (const configuration of items(ctx.values, `policies.centralAdmission.${kind}`)) {
    for (const {item, path} of items(configuration.item, 'webhooks')) {
      if (isPlainObject(item)) checkClientConfig(ctx, item, `${configuration.path}.${path}.clientConfig`)
    }
  }
}

function checkClientConfig(ctx: RuleContext, webhook: Record<string, unknown>, path: string): void {
  const {report} = ctx
  const client = map(webhook, 'clientConfig')
  const caBundle = typeof client.caBundle === 'string' ? client.caBundle : ''
  if (caBundle !== '') {
    const pem = decodeBase64(caBundle)
    if (pem === undefined)
      report(
        `${path}.caBundle`,
        'is not base64; give the PEM CA bundle base64-encoded (base64 -w0 ca.crt)',
        'error',
        'value',
      )
    else if (!hasCertificate(pem))
      report(
        `${path}.caBundle`,
        'holds no PEM certificate; give the CA certificate(s) (-----BEGIN CERTIFICATE-----), base64-encoded',
        'error',
        'value',
      )
  }
  const hasService = isSet(client, 'service')
  if (!hasService && !isSet(client, 'url'))
    report(path, 'a webhook needs clientConfig.service (namespace and name) or clientConfig.url')
  if (hasService && (str(client, 'service.name') === '' || str(client, 'service.namespace') === '')) {
    report(`${path}.service`, 'the webhook service needs both name and namespace')
  }
  const url = at(client, 'url')
  if (typeof url === 'string' && !isGoParsableUrl(url))
    report(`${path}.url`, `"${url}" is not a URL; write e.g. https://webhook.example.com/validate`, 'error', 'value')
}

/** Go's base64.StdEncoding as encoding/json decodes []byte: padded, standard alphabet, newlines ignored. */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/[\r\n]/g, '')
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(={0,2})$/.test(compact)) return undefined
  if (/=[^=]/.test(compact)) return undefined
  return Buffer.from(compact, 'base64')
}

/** x509.CertPool.AppendCertsFromPEM: true when at least one CERTIFICATE block without headers parses. */
export function hasCertificate(pem: Buffer): boolean {
  const text = pem.toString('latin1')
  for (const match of text.matchAll(/-----BEGIN CERTIFICATE-----\r?\n([\s\S]*?)-----END CERTIFICATE-----/g)) {
    const body = match[1] as string
    if (body.includes(':')) continue
    try {
      new X509Certificate(Buffer.from(body.replace(/\s+/g, ''), 'base64'))
      return true
    } catch {
      // not a certificate: Go skips it too
    }
  }
  return false
}

/** What Go's url.Parse refuses in practice: control characters, bad %-escapes, a leading ':' (missing scheme). */
function isGoParsableUrl(url: string): boolean {
  if (/[\u0000-\u001f\u007f]/.test(url) || url.startsWith(':')) return false
  return !/%(?![0-9A-Fa-f]{2})/.test(url)
}

const DENY_VERBS = ['create', 'get', 'update', 'patch', 'delete']
const DENY_SCOPES = ['Cluster', 'Namespaced', '*']

function checkDenyRule(ctx: RuleContext, rule: unknown, path: string): void {
  const {report} = ctx
  strings(rule, 'namespaces').forEach((ns, i) => {
    if (!isNamespaceName(ns))
      report(
        `${path}.namespaces[${i}]`,
        `"${ns}" is not a namespace name; use lowercase letters, digits and "-" (at most 63)`,
        'error',
        'value',
      )
  })
  for (const {item, path: relative} of items(rule, 'rules')) {
    const rulePath = `${path}.${relative}`
    const verbs = wildcardProblem(strings(item, 'operations'), DENY_VERBS)
    if (verbs !== undefined) report(`${rulePath}.operations`, `${verbs}; use ${DENY_VERBS.join(', ')} or ["*"]`)
    for (const key of ['apiGroups', 'apiVersions']) {
      const problem = wildcardProblem(strings(item, key))
      if (problem !== undefined) report(`${rulePath}.${key}`, `${problem}; list the values, or give ["*"] alone`)
    }
    const scope = at(item, 'scope')
    if (typeof scope === 'string' && !DENY_SCOPES.includes(scope))
      report(`${rulePath}.scope`, `"${scope}" is not a scope; use Cluster, Namespaced or *`, 'error', 'value')
  }
}

function wildcardProblem(values: string[], allowed?: string[]): string | undefined {
  if (values.length === 1 && values[0] === '*') return undefined
  if (values.includes('*')) return 'a wildcard (*) must be the only value in the list'
  const bad = allowed === undefined ? undefined : values.find((v) => !allowed.includes(v))
  return bad === undefined ? undefined : `"${bad}" is not allowed`
}

export function checkResolveDNS(ctx: RuleContext): void {
  for (const {item, path} of items(ctx.values, 'networking.resolveDNS')) {
    const problem = resolveDnsProblem(item)
    if (problem !== undefined) ctx.report(problem.path === '' ? path : `${path}.${problem.path}`, problem.message)
  }
}

function resolveDnsProblem(mapping: unknown): {path: string; message: string} | undefined {
  const service = str(mapping, 'service')
  const hostname = str(mapping, 'hostname')
  const namespace = str(mapping, 'namespace')
  const targetHostname = str(mapping, 'target.hostname')
  const targetNamespace = str(mapping, 'target.hostNamespace')
  if (service !== '' && count(service, '/') !== 1)
    return {path: 'service', message: `"${service}" must be namespace/name`}
  if (hostname !== '' && count(hostname, '*') > 1)
    return {path: 'hostname', message: `"${hostname}" may hold at most one wildcard (*)`}
  if (hostname !== '' && count(hostname, '*') === 1) {
    if (targetHostname === '')
      return {path: 'hostname', message: 'a wildcard hostname needs target.hostname (with one * as well)'}
    if (count(targetHostname, '*') !== 1)
      return {path: 'target.hostname', message: 'with a wildcard hostname, target.hostname needs exactly one * as well'}
    if (!hostname.startsWith('*') && !hostname.endsWith('*'))
      return {path: 'hostname', message: `the wildcard in "${hostname}" must be its first or last character`}
  }
  if (namespace !== '' && targetNamespace === '')
    return {path: 'namespace', message: 'a namespace mapping needs target.hostNamespace'}
  if (namespace === '' && targetNamespace !== '')
    return {
      path: 'target.hostNamespace',
      message: 'target.hostNamespace needs namespace (the virtual namespace) as well',
    }
  const options = [service, hostname, namespace].filter((o) => o !== '').length
  if (options === 0) return {path: '', message: 'set one of service, hostname or namespace'}
  if (options > 1) return {path: '', message: 'set only one of service, hostname or namespace'}
  const target = resolveTargetProblem(mapping)
  return target === undefined ? undefined : {path: 'target', message: target}
}

function resolveTargetProblem(mapping: unknown): string | undefined {
  const hostname = str(mapping, 'target.hostname')
  const hostService = str(mapping, 'target.hostService')
  const vClusterService = str(mapping, 'target.vClusterService')
  if (count(hostname, '*') > 1) return `target.hostname "${hostname}" may hold at most one wildcard (*)`
  if (count(hostname, '*') === 1 && !hostname.startsWith('*') && !hostname.endsWith('*'))
    return `the wildcard in target.hostname "${hostname}" must be its first or last character`
  if (hostService !== '' && count(hostService, '/') !== 1)
    return `target.hostService "${hostService}" must be namespace/name`
  if (vClusterService !== '' && count(vClusterService, '/') !== 3)
    return `target.vClusterService "${vClusterService}" must be hostNamespace/vClusterName/vClusterNamespace/service`
  const options = [
    hostname,
    str(mapping, 'target.ip'),
    str(mapping, 'target.hostNamespace'),
    hostService,
    vClusterService,
  ].filter((o) => o !== '').length
  if (options === 0) return 'set one of target.hostname, ip, hostNamespace, hostService or vClusterService'
  if (options > 1) return 'set only one of target.hostname, ip, hostNamespace, hostService or vClusterService'
  return undefined
}
