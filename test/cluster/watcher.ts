// Gives every vCluster workload (StatefulSet or Deployment labelled app=vcluster) a stand-in control plane, a kwok
// PortForward from each of its pods' port 8443 to it, Secret vc-<name>, and marks its pods Ready (kwok starts them
// not Ready: stages.yaml); removes them when the workload goes. In namespaces that ask for the real vCluster, runs
// upstream's `vcluster start` for each pod instead (real/pods.ts). Also runs the volume provisioner.
// Level-triggered: watch events only schedule a full reconcile pass.
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  StorageV1Api,
  Watch,
  type KubernetesObject,
  type V1Pod,
  type V1Secret,
} from '@kubernetes/client-node'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {parse} from 'yaml'
import {sleep} from './proc.js'
import {SharedEtcd, pidFileTracker, type Tracker} from './etcd.js'
import {StandIn, type StandInSpec} from './standin.js'
import {ensureStorageClass, isApiStatus, provisionVolumes} from './volumes.js'
import {ensureRealBinaries} from './real/build.js'
import {RealPods} from './real/pods.js'
import {isReady, removePod, started, writePodStatus} from './real/status.js'

const SELECTOR = 'app=vcluster'
/**
 * Namespaces labelled so get no stand-in. `true`: the watcher runs the real vCluster for each of their vCluster
 * pods; `manual`: nothing, a test runs the sandbox itself (real-vcluster.test.ts). Chosen explicitly per namespace,
 * never guessed.
 */
export const REAL_NAMESPACE_LABEL = 'vcluster-ts.test/real'
const MANAGER = 'vcluster-ts-standin'
/** Stand-ins whose apiserver starts at once; the others start on their first connection (memory: ~215 MB each). */
const EAGER_APISERVERS = 3
const WATCHED = [
  '/apis/apps/v1/statefulsets',
  '/apis/apps/v1/deployments',
  '/api/v1/pods',
  '/api/v1/persistentvolumeclaims',
  '/api/v1/persistentvolumes',
]

interface Entry {
  spec: StandInSpec
  standIn?: StandIn
  starting?: Promise<void>
  /** when the last start failed; retried 10 s later */
  failedAt?: number
  /** pod uid -> apiserver port its PortForward points at */
  forwards: Map<string, number>
}

export class Watcher {
  private readonly core: CoreV1Api
  private readonly apps: AppsV1Api
  private readonly objects: KubernetesObjectApi
  private readonly entries = new Map<string, Entry>()
  private readonly etcd: SharedEtcd
  private readonly tracker: Tracker
  private readonly aborts: AbortController[] = []
  private timer?: NodeJS.Timeout
  private loop?: Promise<void>
  private dirty = false
  private stopped = false
  /** Real mode, set up on first use: building (or finding) vcluster and kine, then the supervisors. */
  private realSetup?: Promise<void>
  private real?: RealPods

  constructor(
    private readonly kc: KubeConfig,
    private readonly binDir: string,
    private readonly dir: string,
    private readonly log: (m: string) => void,
  ) {
    this.core = kc.makeApiClient(CoreV1Api)
    this.apps = kc.makeApiClient(AppsV1Api)
    this.objects = KubernetesObjectApi.makeApiClient(kc)
    this.tracker = pidFileTracker(join(dir, 'pids'))
    this.etcd = new SharedEtcd(join(dir, 'standins', 'etcd'), this.tracker)
  }

  async start(): Promise<void> {
    await ensureStorageClass(this.kc.makeApiClient(StorageV1Api))
    for (const path of WATCHED) void this.watch(path)
    this.timer = setInterval(() => this.kick(), 5000)
    this.kick()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    for (const a of this.aborts) a.abort()
    await this.loop
    // Not waiting for a build still running (minutes): without supervisors there is nothing of real mode to stop.
    await this.real?.stop()
    await Promise.all(
      [...this.entries.values()].map(async (e) => {
        await e.starting
        await e.standIn?.stop()
      }),
    )
    await this.etcd.stop()
  }

  private async watch(path: string): Promise<void> {
    const params = path.endsWith('pods') || path.includes('/apps/') ? {labelSelector: SELECTOR} : {}
    while (!this.stopped) {
      const ended = new Promise<void>((resolve) => {
        new Watch(this.kc)
          .watch(
            path,
            params,
            () => this.kick(),
            () => resolve(),
          )
          .then(
            (abort) => this.aborts.push(abort),
            () => resolve(),
          )
      })
      await ended
      await sleep(1000)
    }
  }

  private kick(): void {
    this.dirty = true
    if (this.loop || this.stopped) return
    this.loop = (async () => {
      while (this.dirty && !this.stopped) {
        this.dirty = false
        try {
          await this.reconcile()
        } catch (error) {
          this.log(`reconcile failed (will retry): ${(error as Error).message}`)
          await sleep(1000)
          this.dirty = true
        }
      }
      this.loop = undefined
    })()
  }

  private async reconcile(): Promise<void> {
    const {desired, realNamespaces} = await this.desired()
    for (const [key, e] of this.entries) {
      const want = desired.get(key)
      if (e.failedAt) {
        if (Date.now() - e.failedAt > 10_000) this.entries.delete(key) // relaunched below
      } else if (!want || want.uid !== e.spec.uid) {
        await this.remove(key, e)
      } else if (e.standIn && sansKey(want) !== sansKey(e.spec)) {
        this.log(`stand-in ${key}: extraSANs now ${want.extraSans.join(', ') || 'none'}; new serving certificate`)
        e.spec = want
        await e.standIn.updateSpec(want)
      }
    }
    for (const [key, spec] of desired) if (!this.entries.has(key)) this.launch(key, spec)
    const pods = (await this.core.listPodForAllNamespaces({labelSelector: SELECTOR})).items
    if (realNamespaces.size > 0) this.setUpReal()
    this.real?.sync(pods, realNamespaces)
    // Per object: one that fails (say, in a namespace being deleted) must not hold up the others, least of all
    // the removal of deleted pods, which that namespace's deletion waits for. Failures retry the pass.
    const failures: string[] = []
    await this.removeDeleted(pods, failures)
    await this.syncForwards(pods, failures)
    await this.syncSecrets(failures)
    await this.readyStandIns(pods, failures)
    await provisionVolumes(this.core, join(this.dir, 'volumes'), this.log)
    if (failures.length > 0) throw new Error(failures.join('; '))
  }

  private async attempt(what: string, failures: string[], fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn()
      return true
    } catch (error) {
      failures.push(`${what}: ${(error as {body?: string}).body ?? (error as Error).message}`.slice(0, 300))
      return false
    }
  }

  /**
   * Once, in the background (a cold build takes minutes; the stand-ins and the provisioner go on meanwhile); its
   * end kicks a pass. A failed build leaves real-mode pods not Ready, and says why in the daemon log.
   */
  private setUpReal(): void {
    this.realSetup ??= ensureRealBinaries(this.log)
      .then(
        (realBinDir) => {
          const host = {kc: this.kc, server: this.kc.getCurrentCluster()?.server ?? '', binDir: this.binDir, realBinDir}
          this.real = new RealPods(join(this.dir, 'real'), {
            host,
            core: this.core,
            objects: this.objects,
            tracker: this.tracker,
            log: this.log,
            manager: MANAGER,
          })
        },
        (error: Error) => this.log(`real mode unavailable: ${error.message}`),
      )
      .finally(() => this.kick())
  }

  /** Deleted vCluster pods (kwok leaves them to us: stages.yaml) go at once unless a real vCluster still stops. */
  private async removeDeleted(pods: V1Pod[], failures: string[]): Promise<void> {
    for (const pod of pods) {
      const m = pod.metadata
      if (!m?.deletionTimestamp || !m.uid || this.real?.owns(pod)) continue
      const ref = {namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid}
      await this.attempt(`remove pod ${ref.namespace}/${ref.name}`, failures, () => removePod(this.core, ref))
    }
  }

  /** Stand-in pods are Ready once their stand-in answers (PortForward and vc-<name> written). */
  private async readyStandIns(pods: V1Pod[], failures: string[]): Promise<void> {
    for (const pod of pods) {
      const m = pod.metadata
      const e = this.entries.get(`${m?.namespace}/${m?.labels?.release}`)
      if (!e?.standIn || !m?.uid || !started(pod) || isReady(pod) || !e.forwards.has(m.uid)) continue
      const ref = {namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid}
      await this.attempt(`ready pod ${ref.namespace}/${ref.name}`, failures, async () => {
        await writePodStatus(this.core, ref, true, (c) => {
          c.started = true
        })
      })
    }
  }

  /** vClusters present now, keyed namespace/name, with the extraSANs of their config Secret; real-mode namespaces. */
  private async desired(): Promise<{desired: Map<string, StandInSpec>; realNamespaces: Set<string>}> {
    const [sts, deps, real] = await Promise.all([
      this.apps.listStatefulSetForAllNamespaces({labelSelector: SELECTOR}),
      this.apps.listDeploymentForAllNamespaces({labelSelector: SELECTOR}),
      this.core.listNamespace({labelSelector: REAL_NAMESPACE_LABEL}),
    ])
    const skip = new Set(real.items.map((n) => n.metadata?.name))
    const realNamespaces = new Set(
      real.items
        .filter((n) => n.metadata?.labels?.[REAL_NAMESPACE_LABEL] === 'true')
        .map((n) => n.metadata?.name ?? ''),
    )
    const out = new Map<string, StandInSpec>()
    for (const w of [...sts.items, ...deps.items]) {
      const m = w.metadata
      if (!m?.namespace || !m.uid || m.deletionTimestamp || skip.has(m.namespace)) continue
      const name = m.labels?.release ?? m.name ?? ''
      out.set(`${m.namespace}/${name}`, {
        namespace: m.namespace,
        name,
        uid: m.uid,
        extraSans: await this.extraSans(m.namespace, name),
      })
    }
    return {desired: out, realNamespaces}
  }

  private async extraSans(namespace: string, name: string): Promise<string[]> {
    try {
      const secret = await this.core.readNamespacedSecret({name: `vc-config-${name}`, namespace})
      const raw = secret.data?.['config.yaml']
      const config = raw ? parse(Buffer.from(raw, 'base64').toString('utf8')) : undefined
      const sans: unknown = config?.controlPlane?.proxy?.extraSANs
      return Array.isArray(sans) ? sans.filter((s): s is string => typeof s === 'string' && s !== '') : []
    } catch (error) {
      if (isApiStatus(error, 404)) return []
      throw error
    }
  }

  private launch(key: string, spec: StandInSpec): void {
    const e: Entry = {spec, forwards: new Map()}
    this.entries.set(key, e)
    this.log(`starting stand-in for ${key} (extraSANs: ${spec.extraSans.join(', ') || 'none'})`)
    e.starting = (async () => {
      try {
        const env = {binDir: this.binDir, etcd: this.etcd, tracker: this.tracker, log: this.log}
        const standIn = await StandIn.create(spec, this.dataDir(spec), env)
        const eager = [...this.entries.values()].filter((x) => x.standIn?.running).length < EAGER_APISERVERS
        e.standIn = standIn
        const how = eager ? 'starting' : 'on demand'
        this.log(`stand-in for ${key}: proxy on 127.0.0.1:${standIn.port}, apiserver ${how}`)
        if (eager) void standIn.ensureStarted().catch((err: Error) => this.log(`stand-in ${key}: ${err.message}`))
      } catch (error) {
        e.failedAt = Date.now()
        this.log(`stand-in for ${key} FAILED (retrying in 10 s): ${(error as Error).message}`)
      }
      e.starting = undefined
      this.kick()
    })()
  }

  private dataDir(spec: StandInSpec): string {
    return join(this.dir, 'standins', spec.uid)
  }

  /** The vCluster went: stops its stand-in and removes what the stand-in made. */
  private async remove(key: string, e: Entry): Promise<void> {
    this.entries.delete(key)
    await e.starting
    await e.standIn?.stop()
    this.log(`stopped stand-in for ${key} (vCluster gone)`)
    rmSync(this.dataDir(e.spec), {recursive: true, force: true})
    await this.deleteQuietly(
      {apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'PortForward'},
      e.spec.namespace,
      `vcluster-ts.test/stand-in=${e.spec.name}`,
    )
    // Upstream ties vc-<name> to Service <name> (ownerReference) when it exists; then GC, not us, removes it.
    try {
      const secret = await this.core.readNamespacedSecret({name: `vc-${e.spec.name}`, namespace: e.spec.namespace})
      if (!secret.metadata?.ownerReferences?.length) {
        await this.core.deleteNamespacedSecret({name: `vc-${e.spec.name}`, namespace: e.spec.namespace})
      }
    } catch (error) {
      if (!isApiStatus(error, 404)) throw error
    }
  }

  private async deleteQuietly(type: {apiVersion: string; kind: string}, namespace: string, labelSelector: string) {
    const list = await this.objects.list(
      type.apiVersion,
      type.kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      labelSelector,
    )
    for (const item of list.items) {
      try {
        await this.objects.delete({...type, metadata: {name: item.metadata?.name, namespace}})
      } catch (error) {
        if (!isApiStatus(error, 404)) throw error
      }
    }
  }

  /** A PortForward per vCluster pod (kwok matches PortForwards by pod name), owned by the pod. */
  private async syncForwards(pods: V1Pod[], failures: string[]): Promise<void> {
    let changed = false
    for (const pod of pods) {
      const e = this.entries.get(`${pod.metadata?.namespace}/${pod.metadata?.labels?.release}`)
      const uid = pod.metadata?.uid
      const standIn = e?.standIn
      if (!e || !standIn || !uid || pod.metadata?.deletionTimestamp || e.forwards.get(uid) === standIn.port) continue
      const what = `PortForward ${pod.metadata?.namespace}/${pod.metadata?.name}`
      if (!(await this.attempt(what, failures, () => this.apply(portForward(pod, e.spec.name, standIn.port))))) continue
      e.forwards.set(uid, standIn.port)
      changed = true
    }
    // kwok learns of PortForwards through an informer and reports nothing back; give it a moment before
    // vc-<name> (the "ready" signal `connect` waits for) is written, or the first connection may be dropped.
    if (changed) await sleep(1000)
  }

  /** Secret vc-<name> as the vCluster writes it, owned by Service <name> when that exists (§2.2). */
  private async syncSecrets(failures: string[]): Promise<void> {
    for (const e of this.entries.values()) {
      const standIn = e.standIn
      if (!standIn) continue
      const {namespace, name} = e.spec
      await this.attempt(`Secret ${namespace}/vc-${name}`, failures, async () => {
        let owner: KubernetesObject['metadata']
        try {
          const svc = await this.core.readNamespacedService({name, namespace})
          owner = {ownerReferences: [{apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata?.uid ?? ''}]}
        } catch (error) {
          if (!isApiStatus(error, 404)) throw error
        }
        const secret: V1Secret = {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'Opaque',
          data: standIn.secretData(),
          metadata: {name: `vc-${name}`, namespace, labels: {app: 'vcluster', 'vcluster-name': name}, ...owner},
        }
        await this.apply(secret)
      })
    }
  }

  private async apply(obj: KubernetesObject): Promise<void> {
    await this.objects.patch(obj, undefined, undefined, MANAGER, true, PatchStrategy.ServerSideApply)
  }
}

function sansKey(spec: StandInSpec): string {
  return [...spec.extraSans].sort().join(',')
}

function portForward(pod: V1Pod, name: string, port: number): KubernetesObject & {spec: unknown} {
  const m = pod.metadata
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'PortForward',
    metadata: {
      name: m?.name,
      namespace: m?.namespace,
      labels: {'vcluster-ts.test/stand-in': name},
      ownerReferences: [{apiVersion: 'v1', kind: 'Pod', name: m?.name ?? '', uid: m?.uid ?? ''}],
    },
    // Only 127.0.0.1: kwok would dial whatever address is here.
    spec: {forwards: [{ports: [8443], target: {address: '127.0.0.1', port}}]},
  }
}
