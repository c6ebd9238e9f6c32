import {parse} from 'yaml'
import {NotFoundError, TimeoutError, UnavailableError, UsageError} from '../errors.js'
import {connectKube, type KubeClient, type KubeTarget} from '../kube/client.js'
import {isWorkloadReady, waitForReady, type ProgressEvent} from '../kube/wait.js'
import {readConnectInfo} from '../kubeconfig/contexts.js'
import {readKubeconfigSet} from '../kubeconfig/edit.js'
import {contextNameFor, parseContextName} from '../kubeconfig/names.js'
import {configSecretName, kubeconfigSecretName} from '../manifests/names.js'
import {certificateNames, extraSans, hostCovered, hostOf} from './certificate-names.js'
import {findVCluster, type FoundVCluster} from './find.js'
import {resumeFound} from './pause.js'
import type {VClusterAccess} from './vcluster-api.js'

export interface TargetOptions {
  name: string
  kube: KubeTarget
  timeoutMs: number
  server?: string
  insecure?: boolean
  contextName?: string
  /** A paused vCluster is resumed (saying so) unless this is set; then connecting to it is an error. */
  noResume?: boolean
  onWait?: (event: ProgressEvent | {type: 'waiting'; what: string}) => void
}

export type Endpoint = {kind: 'server'; url: string; source: 'flag' | 'loadbalancer'} | {kind: 'forward'}

/** Everything connect needs, read from the host cluster. */
export interface ConnectTarget {
  client: KubeClient
  found: FoundVCluster
  hostContext: string
  contextName: string
  /** The admin access from Secret vc-<name>; its server is replaced by whatever connect reaches the vCluster at. */
  access: Omit<VClusterAccess, 'server'>
  certificateNames: string[]
  extraSans: string[]
  endpoint: Endpoint
}

interface SecretObj {
  data?: Record<string, string>
}

interface ServiceObj {
  spec?: {type?: string; clusterIP?: string; ports?: {name?: string; port: number}[]}
  status?: {loadBalancer?: {ingress?: {ip?: string; hostname?: string}[]}}
}

const decode = (secret: SecretObj | undefined, key: string): string | undefined => {
  const v = secret?.data?.[key]
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8')
}

/** Finds the vCluster, waits until it is ready and has written its kubeconfig, and decides where to connect. */
export async function prepareConnect(options: TargetOptions): Promise<ConnectTarget> {
  const deadline = Date.now() + options.timeoutMs
  const {client, found} = await discover(options)
  try {
    await ensureReady(client, found, options)
    const [secret, config, service] = await Promise.all([
      waitForKubeconfigSecret(client, found, deadline, options),
      readSecret(client, found.namespace, configSecretName(found.name)).then((s) => parseYaml(decode(s, 'config.yaml'))),
      client.request<ServiceObj | undefined>({path: `/api/v1/namespaces/${found.namespace}/services/${found.name}`, allow: [403, 404]}),
    ])
    const names = certificateNames({name: found.name, namespace: found.namespace, config, serviceAddresses: serviceAddresses(service)})
    const hostContext = client.selection.contextName
    return {
      client,
      found,
      hostContext,
      contextName: options.contextName ?? contextNameFor(found.name, found.namespace, hostContext),
      access: accessFromKubeconfig(decode(secret, 'config') ?? '', found),
      certificateNames: names,
      extraSans: extraSans(config),
      endpoint: chooseEndpoint(options, found, names, extraSans(config), service),
    }
  } catch (error) {
    client.close()
    throw error
  }
}

/**
 * Finds the vCluster through the selected context; when that is itself a vCluster context (say, after connect
 * switched to it) and the vCluster is not there, looks again through its host context, as upstream's list does.
 */
async function discover(options: TargetOptions): Promise<{client: KubeClient; found: FoundVCluster}> {
  let client = await connectKube(options.kube)
  try {
    return {client, found: await findVCluster(client, options.name, options.kube.namespace)}
  } catch (error) {
    const retry = options.kube.context === undefined && (error instanceof NotFoundError || error instanceof UnavailableError)
    const parent = retry ? await hostContextOf(client) : undefined
    client.close()
    if (parent === undefined) throw error
    client = await connectKube({...options.kube, context: parent})
  }
  try {
    return {client, found: await findVCluster(client, options.name, options.kube.namespace)}
  } catch (error) {
    client.close()
    throw error
  }
}

/** The host context of the selected context when it is a vCluster context (and that host context exists). */
async function hostContextOf(client: KubeClient): Promise<string | undefined> {
  const {files, contextName} = client.selection
  const set = await readKubeconfigSet(files)
  const host = readConnectInfo(set.entry('contexts', contextName))?.hostContext ?? parseContextName(contextName)?.hostContext
  return host !== undefined && host !== contextName && set.names('contexts').includes(host) ? host : undefined
}

async function ensureReady(client: KubeClient, found: FoundVCluster, options: TargetOptions): Promise<void> {
  const {workload, name, namespace} = found
  const paused = (workload.spec?.replicas ?? 1) === 0
  if (paused && options.noResume === true) {
    throw new UnavailableError(`vCluster ${name} in namespace ${namespace} is paused (scaled to 0 replicas)`, `Resume it: vcluster resume ${name} -n ${namespace} (or connect without --no-resume)`)
  }
  if (paused) {
    options.onWait?.({type: 'waiting', what: `vCluster ${name} to resume (it was paused)`})
    await resumeFound(client, found, {wait: false})
  } else if (isWorkloadReady(workload.kind, workload as Parameters<typeof isWorkloadReady>[1])) {
    return
  }
  options.onWait?.({type: 'waiting', what: `vCluster ${name} to be ready`})
  try {
    await waitForReady(client, {namespace, name, kind: workload.kind, timeoutMs: options.timeoutMs, onProgress: options.onWait})
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error
    throw new TimeoutError(error.message, `Wait longer: vcluster connect ${name} -n ${namespace} --timeout 10m`)
  }
}

async function readSecret(client: KubeClient, namespace: string, name: string): Promise<SecretObj | undefined> {
  return client.request<SecretObj | undefined>({path: `/api/v1/namespaces/${namespace}/secrets/${name}`, allow: [403, 404]})
}

/** The vCluster writes Secret vc-<name> once its API server is up, which can trail the pod's readiness. */
async function waitForKubeconfigSecret(client: KubeClient, found: FoundVCluster, deadline: number, options: TargetOptions): Promise<SecretObj> {
  const secretName = kubeconfigSecretName(found.name)
  for (let said = false; ; said = true) {
    const secret = await client.request<SecretObj | undefined>({path: `/api/v1/namespaces/${found.namespace}/secrets/${secretName}`, allow: [404]})
    if (decode(secret, 'config') !== undefined) return secret as SecretObj
    if (!said) options.onWait?.({type: 'waiting', what: `the vCluster to write its kubeconfig (Secret ${secretName})`})
    if (Date.now() > deadline) {
      throw new TimeoutError(`vCluster ${found.name} is running but has not written Secret ${secretName} (key config)`, `Check its logs: kubectl -n ${found.namespace} logs ${found.name}-0`)
    }
    await new Promise((r) => setTimeout(r, 500))
  }
}

function parseYaml(text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    return parse(text) as unknown
  } catch {
    return undefined
  }
}

interface RawKubeconfig {
  clusters?: {name: string; cluster?: Record<string, unknown>}[]
  users?: {name: string; user?: Record<string, unknown>}[]
  contexts?: {name: string; context?: {user?: string}}[]
  'current-context'?: string
}

/** The CA and admin user of the vCluster's own kubeconfig (one cluster, as upstream requires). */
export function accessFromKubeconfig(text: string, found: Pick<FoundVCluster, 'name'>): Omit<VClusterAccess, 'server'> {
  const kc = parseYaml(text) as RawKubeconfig | undefined
  if (kc?.clusters?.length !== 1) throw new UnavailableError(`Secret vc-${found.name} does not hold a kubeconfig with exactly one cluster`)
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context']) ?? kc.contexts?.[0]
  const user = kc.users?.find((u) => u.name === ctx?.context?.user) ?? kc.users?.[0]
  const ca = kc.clusters[0]?.cluster?.['certificate-authority-data']
  return {certificateAuthorityData: typeof ca === 'string' ? ca : undefined, user: user?.user ?? {}}
}

function serviceAddresses(service: ServiceObj | undefined): string[] {
  const ingress = service?.status?.loadBalancer?.ingress ?? []
  const ip = service?.spec?.clusterIP
  return [...(ip !== undefined && ip !== 'None' ? [ip] : []), ...ingress.flatMap((i) => [i.ip ?? '', i.hostname ?? ''])].filter((a) => a !== '')
}

/** `--server` (checked against the certificate), else a LoadBalancer address, else a port-forward. */
function chooseEndpoint(options: TargetOptions, found: FoundVCluster, names: string[], sans: string[], service: ServiceObj | undefined): Endpoint {
  if (options.server !== undefined && options.server !== '') {
    const url = normaliseServer(options.server)
    if (options.insecure !== true) checkCovered(hostOf(url), names, sans, found)
    return {kind: 'server', url, source: 'flag'}
  }
  const lb = service?.spec?.type === 'LoadBalancer' ? service.status?.loadBalancer?.ingress?.[0] : undefined
  const host = lb?.hostname || lb?.ip
  if (host === undefined || host === '') return {kind: 'forward'}
  const port = service?.spec?.ports?.find((p) => p.name === 'https')?.port ?? service?.spec?.ports?.[0]?.port ?? 443
  const bracketed = host.includes(':') ? `[${host}]` : host
  return {kind: 'server', url: `https://${bracketed}${port === 443 ? '' : `:${port}`}`, source: 'loadbalancer'}
}

export function normaliseServer(server: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`
  if (!url.toLowerCase().startsWith('https://')) throw new UsageError(`--server ${server}: the vCluster API is served over https only`, `Use https://${hostOf(server)}`)
  try {
    return new URL(url).href.replace(/\/$/, '')
  } catch {
    throw new UsageError(`--server ${server} is not a valid URL`, 'Write it as https://host[:port].')
  }
}

function checkCovered(host: string, names: string[], sans: string[], found: FoundVCluster): void {
  if (hostCovered(host, names)) return
  const list = [...sans, host].join(',')
  throw new UsageError(
    `the vCluster's certificate is not valid for ${host}; it covers: ${names.join(', ')}`,
    `Add ${host} to controlPlane.proxy.extraSANs, e.g.\n  vcluster upgrade ${found.name} -n ${found.namespace} --set 'controlPlane.proxy.extraSANs={${list}}'\nthen connect again (or pass --insecure to skip TLS verification).`,
  )
}
