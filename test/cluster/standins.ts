// The stand-in reconciler: for one vCluster (namespace/name) in a stand-in namespace, a stand-in control plane
// (standin.ts), a kwok PortForward from each of its pods' port 8443 to it, Secret vc-<name> as upstream writes it,
// and its pods marked Ready; all removed when the workload goes. Reads come from the caches; a request is made only
// where the cluster differs from what is wanted, so an unchanged vCluster costs nothing.
import {
  type KubernetesObject,
  type KubernetesObjectApi,
  PatchStrategy,
  type CoreV1Api,
  type V1Pod,
  type V1Secret,
} from '@kubernetes/client-node'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {isDeepStrictEqual} from 'node:util'
import {parse} from 'yaml'
import type {Caches} from './cache.js'
import type {SharedEtcd, Tracker} from './etcd.js'
import {isReady, started, writePodStatus} from './real/status.js'
import {StandIn, type StandInSpec} from './standin.js'
import {isApiStatus} from './volumes.js'

/** Stand-ins whose apiserver starts at once; the others start on their first connection (memory: ~215 MB each). */
const EAGER_APISERVERS = 3
const STANDIN_LABEL = 'vcluster-ts.test/stand-in'
/** A failed stand-in start is tried again after this long. */
const RETRY_MS = 10_000
/** kwok learns of PortForwards through an informer and reports nothing back: vc-<name> waits this long after one. */
const FORWARD_SETTLE_MS = 1000

export interface StandInEnv {
  core: CoreV1Api
  objects: KubernetesObjectApi
  caches: Caches
  binDir: string
  dir: string
  etcd: SharedEtcd
  tracker: Tracker
  log: (m: string) => void
  manager: string
  /** Asks for key to be reconciled again after ms. */
  again: (key: string, ms: number) => void
}

interface Entry {
  spec: StandInSpec
  standIn?: StandIn
  starting?: Promise<void>
  failedAt?: number
  /** pod uid -> the proxy port its PortForward points at, and when it was written */
  forwards: Map<string, {port: number; at: number}>
}

export class StandIns {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly env: StandInEnv) {}

  /** Brings key (namespace/name) to spec, or removes its stand-in when spec is undefined. pods: the vCluster's. */
  async reconcile(key: string, spec: StandInSpec | undefined, pods: V1Pod[]): Promise<void> {
    let e = this.entries.get(key)
    if (e && (!spec || spec.uid !== e.spec.uid)) {
      await this.remove(key, e)
      e = undefined
    }
    if (!spec) return
    if (e?.failedAt !== undefined) {
      const wait = e.failedAt + RETRY_MS - Date.now()
      if (wait > 0) return this.env.again(key, wait)
      this.entries.delete(key)
      e = undefined
    }
    if (!e) return this.launch(key, spec)
    const standIn = e.standIn
    if (!standIn) return // still starting: its end asks for key again
    if (sansKey(spec) !== sansKey(e.spec)) {
      this.env.log(`stand-in ${key}: extraSANs now ${spec.extraSans.join(', ') || 'none'}; new serving certificate`)
      e.spec = spec
      await standIn.updateSpec(spec)
    }
    const live = pods.filter((p) => p.metadata?.uid && !p.metadata.deletionTimestamp)
    const uids = new Set(live.map((p) => p.metadata?.uid))
    for (const uid of e.forwards.keys()) if (!uids.has(uid)) e.forwards.delete(uid)
    for (const pod of live) await this.forward(e, pod, standIn.port)
    const settling = Math.max(0, ...[...e.forwards.values()].map((f) => f.at + FORWARD_SETTLE_MS - Date.now()))
    if (settling > 0) return this.env.again(key, settling)
    await this.writeSecret(e.spec, standIn)
    for (const pod of live) {
      const uid = pod.metadata?.uid ?? ''
      if (!started(pod) || isReady(pod) || !e.forwards.has(uid)) continue
      const ref = {namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid}
      await writePodStatus(this.env.core, ref, true, (c) => {
        c.started = true
      })
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.entries.values()].map(async (e) => {
        await e.starting
        await e.standIn?.stop()
      }),
    )
  }

  private launch(key: string, spec: StandInSpec): void {
    const e: Entry = {spec, forwards: new Map()}
    this.entries.set(key, e)
    this.env.log(`starting stand-in for ${key} (extraSANs: ${spec.extraSans.join(', ') || 'none'})`)
    e.starting = (async () => {
      try {
        const {binDir, etcd, tracker, log} = this.env
        const standIn = await StandIn.create(spec, this.dataDir(spec), {binDir, etcd, tracker, log})
        const eager = [...this.entries.values()].filter((x) => x.standIn?.running).length < EAGER_APISERVERS
        e.standIn = standIn
        log(`stand-in for ${key}: proxy on 127.0.0.1:${standIn.port}, apiserver ${eager ? 'starting' : 'on demand'}`)
        if (eager) void standIn.ensureStarted().catch((err: Error) => log(`stand-in ${key}: ${err.message}`))
      } catch (error) {
        e.failedAt = Date.now()
        this.env.log(`stand-in for ${key} FAILED (retrying in 10 s): ${(error as Error).message}`)
      }
      e.starting = undefined
      this.env.again(key, 0)
    })()
  }

  private dataDir(spec: StandInSpec): string {
    return join(this.env.dir, 'standins', spec.uid)
  }

  /** The vCluster went (or was re-created): stops its stand-in and removes what the stand-in made. */
  private async remove(key: string, e: Entry): Promise<void> {
    this.entries.delete(key)
    await e.starting
    await e.standIn?.stop()
    this.env.log(`stopped stand-in for ${key} (vCluster gone)`)
    rmSync(this.dataDir(e.spec), {recursive: true, force: true})
    const {namespace, name} = e.spec
    const type = {apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'PortForward'}
    const list = await this.env.objects.list(
      type.apiVersion,
      type.kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      `${STANDIN_LABEL}=${name}`,
    )
    for (const item of list.items) await ignore404(this.env.objects.delete({...type, metadata: item.metadata}))
    // Upstream ties vc-<name> to Service <name> (ownerReference) when it exists; then GC, not us, removes it.
    const secret = this.env.caches.get('secrets', `vc-${name}`, namespace)
    if (secret && !secret.metadata?.ownerReferences?.length) {
      await ignore404(this.env.core.deleteNamespacedSecret({name: `vc-${name}`, namespace}))
    }
  }

  /** A PortForward per vCluster pod (kwok matches PortForwards by pod name), owned by the pod. */
  private async forward(e: Entry, pod: V1Pod, port: number): Promise<void> {
    const uid = pod.metadata?.uid ?? ''
    if (e.forwards.get(uid)?.port === port) return
    await this.apply(portForward(pod, e.spec.name, port))
    e.forwards.set(uid, {port, at: Date.now()})
  }

  /** Secret vc-<name> as the vCluster writes it, owned by Service <name> when that exists (§2.2). */
  private async writeSecret(spec: StandInSpec, standIn: StandIn): Promise<void> {
    const {namespace, name} = spec
    const svc = this.env.caches.get('services', name, namespace)
    const owners = svc ? [{apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata?.uid ?? ''}] : undefined
    const data = standIn.secretData()
    const live = this.env.caches.get('secrets', `vc-${name}`, namespace)
    const liveOwners = live?.metadata?.ownerReferences?.map(({apiVersion, kind, name, uid}) => ({
      apiVersion,
      kind,
      name,
      uid,
    }))
    if (live && isDeepStrictEqual(live.data, data) && isDeepStrictEqual(liveOwners, owners)) return
    const secret: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      data,
      metadata: {
        name: `vc-${name}`,
        namespace,
        labels: {app: 'vcluster', 'vcluster-name': name},
        ...(owners ? {ownerReferences: owners} : {}),
      },
    }
    await this.apply(secret)
  }

  private async apply(obj: KubernetesObject): Promise<void> {
    await this.env.objects.patch(obj, undefined, undefined, this.env.manager, true, PatchStrategy.ServerSideApply)
  }
}

/** controlPlane.proxy.extraSANs of a config Secret's config.yaml. */
export function extraSans(secret: V1Secret | undefined): string[] {
  const raw = secret?.data?.['config.yaml']
  const config = raw ? parse(Buffer.from(raw, 'base64').toString('utf8')) : undefined
  const sans: unknown = config?.controlPlane?.proxy?.extraSANs
  return Array.isArray(sans) ? sans.filter((s): s is string => typeof s === 'string' && s !== '') : []
}

function sansKey(spec: StandInSpec): string {
  return [...spec.extraSans].sort().join(',')
}

async function ignore404(p: Promise<unknown>): Promise<void> {
  try {
    await p
  } catch (error) {
    if (!isApiStatus(error, 404)) throw error
  }
}

function portForward(pod: V1Pod, name: string, port: number): KubernetesObject & {spec: unknown} {
  const m = pod.metadata
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'PortForward',
    metadata: {
      name: m?.name,
      namespace: m?.namespace,
      labels: {[STANDIN_LABEL]: name},
      ownerReferences: [{apiVersion: 'v1', kind: 'Pod', name: m?.name ?? '', uid: m?.uid ?? ''}],
    },
    // Only 127.0.0.1: kwok would dial whatever address is here.
    spec: {forwards: [{ports: [8443], target: {address: '127.0.0.1', port}}]},
  }
}
