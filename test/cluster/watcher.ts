// The rig's controller, inside the daemon: for every vCluster pod (label app=vcluster) what a kubelet and the
// vCluster itself would do. In real-mode namespaces (the default, mode.ts) it runs upstream's `vcluster start` per
// pod (real/pods.ts); in stand-in namespaces a stand-in control plane per workload (standins.ts). Also the volume
// provisioner. Event-driven: list+watch caches (cache.ts) feed a per-key work queue (queue.ts); each change
// reconciles only the object it touched, and nothing runs while nothing changes.
import {CoreV1Api, type KubeConfig, KubernetesObjectApi, StorageV1Api, type V1Pod} from '@kubernetes/client-node'
import {join} from 'node:path'
import {Caches, type Kind, type Objects} from './cache.js'
import {SharedEtcd, pidFileTracker, type Tracker} from './etcd.js'
import {type Mode, namespaceMode} from './mode.js'
import {WorkQueue} from './queue.js'
import {ensureRealBinaries} from './real/build.js'
import {RealPods} from './real/pods.js'
import {removePod} from './real/status.js'
import {extraSans, StandIns} from './standins.js'
import {ensureStorageClass, provisionClaim, reclaimVolume} from './volumes.js'

export {REAL_NAMESPACE_LABEL} from './mode.js'

const MANAGER = 'vcluster-ts-standin'
/** The queue key of real mode's supervisors (one sync over every vCluster pod, in memory). */
const REAL = 'real'

export class Watcher {
  private readonly core: CoreV1Api
  private readonly objects: KubernetesObjectApi
  private readonly caches: Caches
  private readonly queue: WorkQueue
  private readonly etcd: SharedEtcd
  private readonly tracker: Tracker
  private readonly standIns: StandIns
  /** Real mode, set up on first use: building (or finding) vcluster and kine, then the supervisors. */
  private realSetup?: Promise<void>
  private real?: RealPods

  constructor(
    private readonly kc: KubeConfig,
    private readonly binDir: string,
    private readonly dir: string,
    private readonly log: (m: string) => void,
    /** Mode of a namespace without the label (mode.ts). */
    private readonly defaultMode: Mode = 'real',
  ) {
    this.core = kc.makeApiClient(CoreV1Api)
    this.objects = KubernetesObjectApi.makeApiClient(kc)
    this.tracker = pidFileTracker(join(dir, 'pids'))
    this.etcd = new SharedEtcd(join(dir, 'standins', 'etcd'), this.tracker)
    this.caches = new Caches(kc, log)
    this.queue = new WorkQueue((key) => this.handle(key), log)
    this.standIns = new StandIns({
      core: this.core,
      objects: this.objects,
      caches: this.caches,
      binDir,
      dir,
      etcd: this.etcd,
      tracker: this.tracker,
      log,
      manager: MANAGER,
      again: (key, ms) => (ms > 0 ? this.queue.addAfter(`vc:${key}`, ms) : this.queue.add(`vc:${key}`)),
    })
  }

  async start(): Promise<void> {
    await ensureStorageClass(this.kc.makeApiClient(StorageV1Api))
    // Keys queued while the caches fill are handled once all are listed (a partial view would guess wrong).
    await this.caches.start((kind, obj) => this.changed(kind, obj))
    this.queue.resume()
  }

  async stop(): Promise<void> {
    await this.caches.stop()
    await this.queue.stop()
    // Not waiting for a build still running (minutes): without supervisors there is nothing of real mode to stop.
    await this.real?.stop()
    await this.standIns.stop()
    await this.etcd.stop()
  }

  /** Maps a change to the keys it touches. */
  private changed<K extends Kind>(kind: K, obj: Objects[K]): void {
    const m = obj.metadata
    const ns = m?.namespace ?? ''
    switch (kind) {
      case 'statefulsets':
      case 'deployments':
        return this.queue.add(`vc:${ns}/${m?.labels?.release ?? m?.name}`)
      case 'pods':
        this.queue.add(`vc:${ns}/${m?.labels?.release}`)
        return this.queue.add(REAL)
      case 'namespaces':
        for (const key of this.keysIn(m?.name ?? '')) this.queue.add(key)
        return this.queue.add(REAL)
      case 'secrets': {
        const name = m?.name?.replace(/^vc-(config-)?/, '')
        if (name !== m?.name) this.queue.add(`vc:${ns}/${name}`)
        return
      }
      case 'services':
        return this.queue.add(`vc:${ns}/${m?.name}`)
      case 'pvcs':
        return this.queue.add(`pvc:${ns}/${m?.name}`)
      case 'pvs':
        return this.queue.add(`pv:${m?.name}`)
    }
  }

  private keysIn(namespace: string): string[] {
    const all = [
      ...this.caches.list('statefulsets', namespace),
      ...this.caches.list('deployments', namespace),
      ...this.caches.list('pods', namespace),
    ]
    return [...new Set(all.map((o) => `vc:${namespace}/${o.metadata?.labels?.release ?? o.metadata?.name}`))]
  }

  private async handle(key: string): Promise<void> {
    if (key === REAL) return this.syncReal()
    const kind = key.slice(0, key.indexOf(':'))
    const rest = key.slice(key.indexOf(':') + 1)
    const slash = rest.indexOf('/')
    const namespace = slash < 0 ? '' : rest.slice(0, slash)
    const name = rest.slice(slash + 1)
    if (kind === 'vc') return this.vcluster(namespace, name)
    const volumes = join(this.dir, 'volumes')
    if (kind === 'pvc') {
      const pvc = this.caches.get('pvcs', name, namespace)
      if (pvc) await provisionClaim(this.core, pvc, volumes, this.log)
    } else if (kind === 'pv') {
      const pv = this.caches.get('pvs', name)
      if (pv) await reclaimVolume(this.core, pv, this.log)
    }
  }

  private mode(namespace: string): Mode {
    return namespaceMode(this.caches.get('namespaces', namespace)?.metadata?.labels, this.defaultMode)
  }

  /** One vCluster: its deleted pods removed (as a kubelet), and its stand-in when its namespace wants one. */
  private async vcluster(namespace: string, name: string): Promise<void> {
    const pods = this.caches.list('pods', namespace).filter((p) => p.metadata?.labels?.release === name)
    const failures: string[] = []
    await this.removeDeleted(pods, failures)
    const workload = [
      ...this.caches.list('statefulsets', namespace),
      ...this.caches.list('deployments', namespace),
    ].find((w) => (w.metadata?.labels?.release ?? w.metadata?.name) === name && !w.metadata?.deletionTimestamp)
    const uid = workload?.metadata?.uid
    const spec =
      uid && this.mode(namespace) === 'standin'
        ? {namespace, name, uid, extraSans: extraSans(this.caches.get('secrets', `vc-config-${name}`, namespace))}
        : undefined
    await this.standIns.reconcile(`${namespace}/${name}`, spec, pods)
    if (failures.length > 0) throw new Error(failures.join('; '))
  }

  /** Deleted vCluster pods (kwok leaves them to us: stages.yaml) go at once unless a real vCluster still stops. */
  private async removeDeleted(pods: V1Pod[], failures: string[]): Promise<void> {
    for (const pod of pods) {
      const m = pod.metadata
      if (!m?.deletionTimestamp || !m.uid || this.real?.owns(pod)) continue
      try {
        await removePod(this.core, {namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid})
      } catch (error) {
        failures.push(`remove pod ${m.namespace}/${m.name}: ${(error as Error).message}`)
      }
    }
  }

  /** Real mode's supervisors follow the pods of real-mode namespaces (in memory; they make their own requests). */
  private async syncReal(): Promise<void> {
    const pods = this.caches.list('pods')
    const real = new Set(
      this.caches
        .list('namespaces')
        .map((n) => n.metadata?.name ?? '')
        .filter((n) => this.mode(n) === 'real'),
    )
    if (pods.some((p) => real.has(p.metadata?.namespace ?? ''))) this.setUpReal()
    this.real?.sync(pods, real)
  }

  /**
   * Once, in the background (a cold build takes minutes; the stand-ins and the provisioner go on meanwhile); its
   * end queues a sync. A failed build leaves real-mode pods not Ready, and says why in the daemon log.
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
      .finally(() => this.queue.add(REAL))
  }
}
