import {parse} from 'yaml'
import {NotFoundError, TimeoutError, UnavailableError} from '../errors.js'
import {connectKube, type KubeClient, type KubeTarget} from '../kube/client.js'
import type {PodItem} from '../kube/pod-tracker.js'
import {collectionPath} from '../kube/resources.js'
import {isWorkloadReady, waitForReady} from '../kube/wait.js'
import type {ProgressSink} from '../ui/progress.js'
import {readConnectInfo} from '../kubeconfig/contexts.js'
import {readKubeconfigSet} from '../kubeconfig/edit.js'
import {contextNameFor, parseContextName} from '../kubeconfig/names.js'
import {configSecretName, kubeconfigSecretName} from '../manifests/names.js'
import {certificateNames, extraSans} from './certificate-names.js'
import {chooseEndpoint, serviceAddresses, type Endpoint, type ServiceObj} from './connect-endpoint.js'
import {findVCluster, type FoundVCluster} from './find.js'
import {resumeFound} from './pause.js'
import type {VClusterAccess} from './vcluster-api.js'
import {vclusterSelector} from '../kube/object.js'

export interface TargetOptions {
  name: string
  kube: KubeTarget
  timeoutMs: number
  server?: string
  insecure?: boolean
  contextName?: string
  /** A paused vCluster is resumed (saying so) unless this is set; then connecting to it is an error. */
  noResume?: boolean
  /** Forward to this pod of the vCluster (--pod) instead of its newest Ready one. */
  pod?: string
  /** The local address the forward listens on (--address): an IP, or localhost; default 127.0.0.1. */
  address?: string
  onProgress?: ProgressSink
}

/** Everything connect needs, read from the host cluster. */
export interface ConnectTarget {
  client: KubeClient
  found: FoundVCluster
  hostContext: string
  contextName: string
  /** The admin access from Secret vc-<name>; its server is replaced by whatever connect reaches the vCluster at. */
  access: Omit<VClusterAccess, 'server'>
  /** Computed on first use (they need the stored config parsed). */
  readonly certificateNames: string[]
  readonly extraSans: string[]
  endpoint: Endpoint
  /** The vCluster's pods as read with the Secrets (for the forward's first pod); undefined when not read. */
  pods?: PodItem[]
}

interface SecretObj {
  data?: Record<string, string>
}

const decode = (secret: SecretObj | undefined, key: string): string | undefined => {
  const v = secret?.data?.[key]
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8')
}

/** Finds the vCluster, waits until it is ready and has written its kubeconfig, and decides where to connect. */
export async function prepareConnect(options: TargetOptions): Promise<ConnectTarget> {
  const deadline = Date.now() + options.timeoutMs
  const {client, found, early} = await discover(options)
  try {
    const waited = await ensureReady(client, found, options)
    // Read before the wait, the early answers may be stale after it (no kubeconfig Secret yet, a new pod).
    const reads =
      early !== undefined && !waited && early.namespace === found.namespace
        ? early
        : startReads(client, found.namespace, found.name, options)
    const [secret, configText, service, pods] = await Promise.all([
      waitForKubeconfigSecret(client, found, deadline, options, reads.secret),
      reads.config.then((s) => decode(s, 'config.yaml')),
      reads.service,
      reads.pods.catch(() => undefined),
    ])
    // The stored config is the full resolved vcluster.yaml (~12 KB, ~40 ms to parse): parsed only when --server or
    // the per-SAN contexts need it, which `connect -- CMD` through the forward does not.
    let config: {value: unknown} | undefined
    const names = () => {
      config ??= {value: parseYaml(configText)}
      return {
        names: certificateNames({
          name: found.name,
          namespace: found.namespace,
          config: config.value,
          serviceAddresses: serviceAddresses(service),
        }),
        sans: extraSans(config.value),
      }
    }
    const hostContext = client.selection.contextName
    return {
      client,
      found,
      hostContext,
      contextName: options.contextName ?? contextNameFor(found.name, found.namespace, hostContext),
      access: accessFromKubeconfig(decode(secret, 'config') ?? '', found),
      get certificateNames() {
        return names().names
      },
      get extraSans() {
        return names().sans
      },
      endpoint: chooseEndpoint(options, found, names, service),
      pods,
    }
  } catch (error) {
    client.close()
    throw error
  }
}

/** The reads connect needs once it knows the namespace, sent together (one round trip). */
interface Reads {
  namespace: string
  secret: Promise<SecretObj | undefined>
  config: Promise<SecretObj | undefined>
  service: Promise<ServiceObj | undefined>
  pods: Promise<PodItem[] | undefined>
}

function startReads(client: KubeClient, namespace: string, name: string, options: TargetOptions): Reads {
  const reads: Reads = {
    namespace,
    secret: client.request<SecretObj | undefined>({
      path: `/api/v1/namespaces/${namespace}/secrets/${kubeconfigSecretName(name)}`,
      allow: [404],
    }),
    config: readSecret(client, namespace, configSecretName(name)),
    service: client.request<ServiceObj | undefined>({
      path: `/api/v1/namespaces/${namespace}/services/${name}`,
      allow: [403, 404],
    }),
    // For the forward's first pod (it looks again itself when this fails); --server needs no pod.
    pods:
      options.server === undefined || options.server === ''
        ? client
            .request<{items: PodItem[]}>({
              path: collectionPath('Pod', namespace),
              query: {labelSelector: vclusterSelector(name)},
            })
            .then((l) => l.items)
        : Promise.resolve(undefined),
  }
  // Sent before the vCluster is found, they may go unused; their failures are seen where they are awaited.
  for (const read of [reads.secret, reads.config, reads.service, reads.pods]) read.catch(() => undefined)
  return reads
}

/**
 * Finds the vCluster through the selected context; when that is itself a vCluster context (say, after connect
 * switched to it) and the vCluster is not there, looks again through its host context, as upstream's list does.
 * With -n the reads that follow are sent with the lookup.
 */
async function discover(options: TargetOptions): Promise<{client: KubeClient; found: FoundVCluster; early?: Reads}> {
  let client = await connectKube(options.kube)
  const namespace = options.kube.namespace
  try {
    const early = namespace === undefined ? undefined : startReads(client, namespace, options.name, options)
    return {client, found: await findVCluster(client, options.name, namespace), early}
  } catch (error) {
    const retry =
      options.kube.context === undefined && (error instanceof NotFoundError || error instanceof UnavailableError)
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
  const host =
    readConnectInfo(set.entry('contexts', contextName))?.hostContext ?? parseContextName(contextName)?.hostContext
  return host !== undefined && host !== contextName && set.names('contexts').includes(host) ? host : undefined
}

/** Resolves true when it had to wait (or resume), false when the vCluster was ready already. */
async function ensureReady(client: KubeClient, found: FoundVCluster, options: TargetOptions): Promise<boolean> {
  const {workload, name, namespace} = found
  const paused = (workload.spec?.replicas ?? 1) === 0
  if (paused && options.noResume === true) {
    throw new UnavailableError(
      `vCluster ${name} in namespace ${namespace} is paused (scaled to 0 replicas)`,
      `Resume it: vcluster resume ${name} -n ${namespace} (or connect without --no-resume)`,
    )
  }
  if (paused) {
    options.onProgress?.({kind: 'wait', message: `waiting for vCluster ${name} to resume (it was paused)`})
    await resumeFound(client, found, {wait: false})
  } else if (isWorkloadReady(workload.kind, workload as Parameters<typeof isWorkloadReady>[1])) {
    return false
  }
  await waitForReady(client, {
    namespace,
    name,
    kind: workload.kind,
    timeoutMs: options.timeoutMs,
    onProgress: options.onProgress,
    waitLonger: `vcluster connect ${name} -n ${namespace} --timeout 10m`,
  })
  return true
}

async function readSecret(client: KubeClient, namespace: string, name: string): Promise<SecretObj | undefined> {
  return client.request<SecretObj | undefined>({
    path: `/api/v1/namespaces/${namespace}/secrets/${name}`,
    allow: [403, 404],
  })
}

/** The vCluster writes Secret vc-<name> once its API server is up, which can trail the pod's readiness. */
async function waitForKubeconfigSecret(
  client: KubeClient,
  found: FoundVCluster,
  deadline: number,
  options: TargetOptions,
  first: Promise<SecretObj | undefined>,
): Promise<SecretObj> {
  const secretName = kubeconfigSecretName(found.name)
  for (let said = false; ; said = true) {
    const secret = await (said
      ? client.request<SecretObj | undefined>({
          path: `/api/v1/namespaces/${found.namespace}/secrets/${secretName}`,
          allow: [404],
        })
      : first)
    if (decode(secret, 'config') !== undefined) return secret as SecretObj
    if (!said)
      options.onProgress?.({
        kind: 'wait',
        message: `waiting for the vCluster to write its kubeconfig (Secret ${secretName})`,
      })
    if (Date.now() > deadline) {
      throw new TimeoutError(
        `vCluster ${found.name} is running but has not written Secret ${secretName} (key config)`,
        `Check its logs: kubectl -n ${found.namespace} logs ${found.name}-0`,
      )
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
  if (kc?.clusters?.length !== 1)
    throw new UnavailableError(`Secret vc-${found.name} does not hold a kubeconfig with exactly one cluster`)
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context']) ?? kc.contexts?.[0]
  const user = kc.users?.find((u) => u.name === ctx?.context?.user) ?? kc.users?.[0]
  const ca = kc.clusters[0]?.cluster?.['certificate-authority-data']
  return {certificateAuthorityData: typeof ca === 'string' ? ca : undefined, user: user?.user ?? {}}
}
