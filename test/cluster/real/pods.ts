// The watcher's real mode: one supervisor (supervisor.ts) per started vCluster pod in a namespace that asks for the
// real vCluster, stopped when its pod goes. A pod re-created under the same name (StatefulSet roll) starts only after
// the old one has stopped: both would use the claim's data (SQLite) at once.
import {join} from 'node:path'
import type {V1Pod} from '@kubernetes/client-node'
import {removePod, started} from './status.js'
import {RealPod, type SupervisorEnv} from './supervisor.js'

export class RealPods {
  private readonly pods = new Map<string, RealPod>()
  /** namespace/pod -> the stop of its previous pod, until it has ended */
  private readonly stopping = new Map<string, Promise<void>>()

  constructor(
    private readonly dir: string,
    private readonly env: SupervisorEnv,
  ) {}

  /** pods: every vCluster pod; namespaces: those in real mode. Starts and stops supervisors to match. */
  sync(pods: readonly V1Pod[], namespaces: ReadonlySet<string>): void {
    const want = new Map<string, V1Pod>()
    const all = new Map<string, V1Pod>()
    for (const p of pods) {
      const m = p.metadata
      if (!m?.namespace || !namespaces.has(m.namespace)) continue
      all.set(`${m.namespace}/${m.name}`, p)
      if (started(p)) want.set(`${m.namespace}/${m.name}`, p)
    }
    for (const [key, rp] of this.pods) {
      if (want.get(key)?.metadata?.uid === rp.uid) continue
      this.pods.delete(key)
      const grace = all.get(key)?.metadata?.deletionGracePeriodSeconds
      this.env.log(`real vCluster ${key}: pod ${rp.uid} gone or replaced; stopping it`)
      const stop = rp
        .stop(grace === undefined ? undefined : grace * 1000)
        .then(() => removePod(this.env.core, rp.ref))
        .catch((error: Error) => this.env.log(`real vCluster ${key}: ${error.message}`))
        .finally(() => {
          if (this.stopping.get(key) === stop) this.stopping.delete(key)
        })
      this.stopping.set(key, stop)
    }
    for (const [key, pod] of want) {
      if (this.pods.has(key)) continue
      const uid = pod.metadata?.uid ?? ''
      this.env.log(`real vCluster ${key}: pod ${uid} started by kwok; running upstream's vcluster for it`)
      this.pods.set(key, new RealPod(pod, join(this.dir, uid), this.env, this.stopping.get(key) ?? Promise.resolve()))
    }
  }

  /** A deleted pod the watcher must leave to its supervisor: it is removed once its container has stopped. */
  owns(pod: V1Pod): boolean {
    const m = pod.metadata
    const key = `${m?.namespace}/${m?.name}`
    return this.pods.get(key)?.uid === m?.uid || this.stopping.has(key)
  }

  /** Everything stopped (daemon shutdown): a short grace, the cluster goes right after. */
  async stop(graceMs = 5000): Promise<void> {
    await Promise.all([...this.pods.values()].map((rp) => rp.stop(graceMs)))
    this.pods.clear()
    await Promise.all(this.stopping.values())
  }
}
