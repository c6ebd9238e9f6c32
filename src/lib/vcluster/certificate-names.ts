import {isIP} from 'node:net'

/** What decides the names in the vCluster's serving certificate (upstream `GenAPIServerServingCerts`). */
export interface CertificateInputs {
  name: string
  namespace: string
  /** The resolved vcluster.yaml from `vc-config-<name>` (`config.yaml`), if readable. */
  config?: unknown
  /** ClusterIP and LoadBalancer addresses of Service `<name>`; the vCluster adds them itself. */
  serviceAddresses?: string[]
  podIps?: string[]
}

const get = (value: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined),
      value,
    )

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/** The user's extraSANs (`controlPlane.proxy.extraSANs`), as stored. */
export function extraSans(config: unknown): string[] {
  const sans = get(config, 'controlPlane.proxy.extraSANs')
  return Array.isArray(sans)
    ? sans.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim())
    : []
}

/** Every DNS name and IP the vCluster puts in its proxy certificate that we can know from outside. */
export function certificateNames(inputs: CertificateInputs): string[] {
  const {name, namespace, config} = inputs
  const domain = str(get(config, 'networking.advanced.clusterDomain')) ?? 'cluster.local'
  const names = [
    `kubernetes.default.svc.${domain}`,
    'kubernetes.default.svc',
    'kubernetes.default',
    'kubernetes',
    'localhost',
    '127.0.0.1',
    name,
    `${name}.${namespace}`,
    '*.nodes.vcluster.com',
    `*.${name}.${namespace}.nodes.vcluster.com`,
    ...extraSans(config),
    ...(inputs.serviceAddresses ?? []),
    ...(inputs.podIps ?? []),
  ]
  if (get(config, 'controlPlane.ingress.enabled') === true)
    names.push(str(get(config, 'controlPlane.ingress.host')) ?? '')
  const endpoint = str(get(config, 'controlPlane.endpoint'))
  if (endpoint !== undefined) names.push(hostOf(endpoint))
  return [...new Set(names.filter((n) => n !== ''))]
}

/** The host of a URL or `host[:port]`, without brackets. */
export function hostOf(server: string): string {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`).hostname.replace(
      /^\[|\]$/g,
      '',
    )
  } catch {
    return server
  }
}

/**
 * Would a TLS client verifying the certificate accept this host? Go's rules: an IP host matches only IP names
 * (compared as addresses); a DNS host matches case-insensitively, without a trailing dot, and a wildcard stands
 * for exactly one leftmost label.
 */
export function hostCovered(host: string, names: readonly string[]): boolean {
  const h = host.replace(/^\[|\]$/g, '')
  const ip = canonicalIp(h)
  if (ip !== undefined) return names.some((n) => canonicalIp(n) === ip)
  const wanted = h.toLowerCase().replace(/\.$/, '')
  if (wanted === '') return false
  return names.some((n) => canonicalIp(n) === undefined && dnsMatch(wanted, n.toLowerCase().replace(/\.$/, '')))
}

function dnsMatch(host: string, pattern: string): boolean {
  if (!pattern.startsWith('*.')) return host === pattern
  const dot = host.indexOf('.')
  return dot > 0 && host.slice(dot) === pattern.slice(1)
}

/** A canonical text form of an IPv4 or IPv6 address (IPv4-mapped IPv6 as IPv4), or undefined for a name. */
export function canonicalIp(value: string): string | undefined {
  const v = value.replace(/^\[|\]$/g, '')
  const family = isIP(v)
  if (family === 4)
    return v
      .split('.')
      .map((p) => String(Number(p)))
      .join('.')
  if (family !== 6) return undefined
  const groups = expandIpv6(v.toLowerCase())
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff
  if (mapped) return [groups[6] ?? 0, groups[7] ?? 0].flatMap((g) => [g >> 8, g & 0xff]).join('.')
  return groups.map((g) => g.toString(16)).join(':')
}

function expandIpv6(v: string): number[] {
  let text = v
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = tail[1].split('.').map(Number)
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', rest] = text.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = rest === undefined || rest === '' ? [] : rest.split(':')
  const fill = rest === undefined ? [] : Array.from({length: 8 - left.length - right.length}, () => '0')
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16))
}
