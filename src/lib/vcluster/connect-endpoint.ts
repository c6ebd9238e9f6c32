import {isIP} from 'node:net'
import {UsageError} from '../errors.js'
import {hostCovered, hostOf} from './certificate-names.js'
import type {TargetOptions} from './connect-target.js'
import type {FoundVCluster} from './find.js'

/**
 * Where connect reaches the vCluster: a URL, or a port-forward listening on `listen` whose kubeconfig names `host`
 * (the listen address itself, or 127.0.0.1 for a wildcard address).
 */
export type Endpoint =
  | {kind: 'server'; url: string; source: 'flag' | 'loadbalancer'}
  | {kind: 'forward'; listen: string; host: string; pod?: string}

export interface ServiceObj {
  spec?: {type?: string; clusterIP?: string; ports?: {name?: string; port: number}[]}
  status?: {loadBalancer?: {ingress?: {ip?: string; hostname?: string}[]}}
}

export function serviceAddresses(service: ServiceObj | undefined): string[] {
  const ingress = service?.status?.loadBalancer?.ingress ?? []
  const ip = service?.spec?.clusterIP
  return [
    ...(ip !== undefined && ip !== 'None' ? [ip] : []),
    ...ingress.flatMap((i) => [i.ip ?? '', i.hostname ?? '']),
  ].filter((a) => a !== '')
}

/** `--server` (checked against the certificate), else a LoadBalancer address, else a port-forward. */
export function chooseEndpoint(
  options: TargetOptions,
  found: FoundVCluster,
  names: () => {names: string[]; sans: string[]},
  service: ServiceObj | undefined,
): Endpoint {
  const forced = options.pod !== undefined || options.address !== undefined
  if (options.server !== undefined && options.server !== '') {
    if (forced)
      throw new UsageError(
        `--${options.pod === undefined ? 'address' : 'pod'} applies to the port-forward, which --server replaces`,
        'Leave out --server to forward, or the forward flags to use the server.',
      )
    const url = normaliseServer(options.server)
    if (options.insecure !== true) checkCovered(hostOf(url), names().names, names().sans, found)
    return {kind: 'server', url, source: 'flag'}
  }
  const forward = forwardEndpoint(options)
  if (forward.host !== LOOPBACK && options.insecure !== true)
    checkCovered(forward.host, names().names, names().sans, found)
  // Asking for a pod or a listen address asks for the forward, even when a LoadBalancer is there.
  const lb = service?.spec?.type === 'LoadBalancer' && !forced ? service.status?.loadBalancer?.ingress?.[0] : undefined
  const host = lb?.hostname || lb?.ip
  if (host === undefined || host === '') return forward
  const port = service?.spec?.ports?.find((p) => p.name === 'https')?.port ?? service?.spec?.ports?.[0]?.port ?? 443
  const bracketed = host.includes(':') ? `[${host}]` : host
  return {kind: 'server', url: `https://${bracketed}${port === 443 ? '' : `:${port}`}`, source: 'loadbalancer'}
}

const LOOPBACK = '127.0.0.1'

/**
 * The forward's listen address and the host its kubeconfig names: `localhost` is 127.0.0.1 (the decision "Connect
 * address"); a wildcard (0.0.0.0, ::) listens everywhere and is reached at 127.0.0.1; any other IP is named itself,
 * so it must be in the vCluster's certificate (or --insecure).
 */
export function forwardEndpoint(options: Pick<TargetOptions, 'address' | 'pod'>): Extract<Endpoint, {kind: 'forward'}> {
  const pod = options.pod
  if (pod !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(pod))
    throw new UsageError(`--pod ${pod} is not a pod name`, 'See the pods: kubectl get pods -l app=vcluster')
  const address = options.address ?? LOOPBACK
  if (address === 'localhost' || address === LOOPBACK) return {kind: 'forward', listen: LOOPBACK, host: LOOPBACK, pod}
  const family = isIP(address)
  if (family === 0)
    throw new UsageError(
      `--address ${address} is not an IP address`,
      'Pass an address of this machine to listen on, e.g. 127.0.0.1 (the default), ::1 or 0.0.0.0 (every interface).',
    )
  const wildcard = family === 4 ? /^0+(\.0+){3}$/.test(address) : /^[0:]+$/.test(address)
  return {kind: 'forward', listen: address, host: wildcard ? LOOPBACK : address, pod}
}

export function normaliseServer(server: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`
  if (!url.toLowerCase().startsWith('https://'))
    throw new UsageError(
      `--server ${server}: the vCluster API is served over https only`,
      `Use https://${hostOf(server)}`,
    )
  try {
    return new URL(url).href.replace(/\/$/, '')
  } catch {
    throw new UsageError(`--server ${server} is not a valid URL`, 'Write it as https://host[:port].')
  }
}

export function checkCovered(host: string, names: string[], sans: string[], found: FoundVCluster): void {
  if (hostCovered(host, names)) return
  const list = [...sans, host].join(',')
  throw new UsageError(
    `the vCluster's certificate is not valid for ${host}; it covers: ${names.join(', ')}`,
    `Add ${host} to controlPlane.proxy.extraSANs, e.g.\n  vcluster upgrade ${found.name} -n ${found.namespace} --set 'controlPlane.proxy.extraSANs={${list}}'\nthen connect again (or pass --insecure to skip TLS verification).`,
  )
}
