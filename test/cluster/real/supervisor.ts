// What a kubelet does for one vCluster pod in real mode: runs its container (the sandbox), probes its readiness
// (/readyz over HTTPS through the host-side port) into the pod's Ready condition, restarts it with back-off when it
// exits (restartPolicy Always: restartCount, lastState.terminated, CrashLoopBackOff in the pod status), points kwok's
// PortForward (port 8443) and Logs (kubectl logs, --previous) at it, and stops it when the pod goes.
import {renameSync, existsSync} from 'node:fs'
import {request} from 'node:https'
import {join} from 'node:path'
import {
  PatchStrategy,
  type CoreV1Api,
  type KubernetesObject,
  type KubernetesObjectApi,
  type V1Container,
  type V1Pod,
} from '@kubernetes/client-node'
import type {Tracker} from '../etcd.js'
import {sleep} from '../proc.js'
import {RealVcluster, syncer, type RealHost} from './sandbox.js'
import {writePodStatus, type ContainerChange} from './status.js'

export interface SupervisorEnv {
  host: RealHost
  core: CoreV1Api
  objects: KubernetesObjectApi
  tracker: Tracker
  log: (m: string) => void
  /** Field manager of the PortForward and Logs objects. */
  manager: string
}

/** A kubelet's crash-loop back-off: 10 s doubling to 5 min, forgotten after 10 min of running. */
const BACKOFF_BASE_MS = 10_000
const BACKOFF_MAX_MS = 300_000
const BACKOFF_RESET_MS = 600_000

/** The status of GET https://127.0.0.1:port/path, certificate unchecked (as a kubelet's probe); 0 if none. */
export function probe(port: number, path: string, timeoutMs = 3000): Promise<number> {
  return new Promise((resolve) => {
    const req = request({host: '127.0.0.1', port, path, rejectUnauthorized: false, timeout: timeoutMs}, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', () => resolve(0)).on('timeout', () => req.destroy())
    req.end()
  })
}

function previous(file: string): string {
  return file.replace(/\.log$/, '.previous.log')
}

export class RealPod {
  readonly uid: string
  /** The container's output as is, and in the CRI format that kwok serves to kubectl logs. */
  readonly logFile: string
  readonly criLog: string
  readonly ref: {namespace: string; name: string; uid: string}
  private readonly container: V1Container
  private stopped = false
  private graceMs?: number
  private vc?: RealVcluster
  private wake?: () => void
  private restarts = 0
  private readonly done: Promise<void>

  /** Starts once `after` settles (the previous pod of the same name has stopped: they share the claim's data). */
  constructor(
    pod: V1Pod,
    private readonly dir: string,
    private readonly env: SupervisorEnv,
    after: Promise<void>,
  ) {
    const m = pod.metadata ?? {}
    this.ref = {namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? ''}
    this.uid = this.ref.uid
    this.container = syncer(pod)
    this.logFile = join(dir, 'vcluster.log')
    this.criLog = join(dir, 'container.log')
    this.done = after
      .then(() => this.run())
      .catch((error: Error) => env.log(`real vCluster ${this.key}: supervisor failed: ${error.stack ?? error.message}`))
  }

  private get key(): string {
    return `${this.ref.namespace}/${this.ref.name}`
  }

  /** SIGTERM, SIGKILL after graceMs (default: the pod's grace period); resolves when nothing of it runs. */
  async stop(graceMs?: number): Promise<void> {
    this.stopped = true
    this.graceMs = graceMs
    this.wake?.()
    await this.vc?.stop(graceMs)
    await this.done
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      // As a kubelet, each start reads the pod's Secrets and ConfigMaps afresh (env, volumes).
      const pod = await this.env.core
        .readNamespacedPod({name: this.ref.name, namespace: this.ref.namespace})
        .catch(() => undefined)
      if (pod?.metadata?.uid !== this.uid) return
      // kubectl logs shows this start; --previous the one before (kwok Logs), as a kubelet keeps them.
      for (const f of [this.logFile, this.criLog]) if (existsSync(f)) renameSync(f, previous(f))
      const startedAt = new Date()
      const ended = await this.runOnce(pod, startedAt)
      if (this.stopped) return
      this.restarts++
      const ranMs = Date.now() - startedAt.getTime()
      if (ranMs > BACKOFF_RESET_MS) this.restarts = 1
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** (this.restarts - 1), BACKOFF_MAX_MS)
      this.env.log(
        `real vCluster ${this.key}: exited ${ended.exitCode} (${ended.reason}) after ${ranMs} ms; ` +
          `restart ${this.restarts} in ${delay / 1000} s`,
      )
      await this.status(false, (c) => {
        c.restartCount = this.restarts
        c.started = false
        c.lastState = {terminated: {...ended, startedAt, finishedAt: new Date()}}
        c.state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message:
              `back-off ${delay / 1000}s restarting failed ` +
              `container=${this.container.name} pod=${this.ref.name}_${this.ref.namespace}(${this.uid})`,
          },
        }
      })
      await new Promise<void>((resolve) => {
        this.wake = resolve
        setTimeout(resolve, delay)
      })
    }
  }

  /** One start of the container, until it exits; how it ended, as a kubelet reports it. */
  private async runOnce(pod: V1Pod, startedAt: Date): Promise<{exitCode: number; reason: string; message?: string}> {
    let vc: RealVcluster
    try {
      vc = await RealVcluster.start(pod, this.env.host, this.dir, {
        tracker: this.env.tracker,
        log: this.env.log,
        criLog: this.criLog,
      })
    } catch (error) {
      return {exitCode: 128, reason: 'StartError', message: (error as Error).message}
    }
    this.vc = vc
    if (this.stopped) await vc.stop(this.graceMs)
    else await this.serve(vc, startedAt)
    const code = await vc.exited
    this.vc = undefined
    return code === 0 ? {exitCode: 0, reason: 'Completed'} : {exitCode: code ?? 137, reason: 'Error'}
  }

  /** While it runs: kwok forwards and logs to it, readiness follows its probe. */
  private async serve(vc: RealVcluster, startedAt: Date): Promise<void> {
    try {
      await this.apply(
        this.kwokObject('PortForward', {forwards: [{ports: [8443], target: {address: '127.0.0.1', port: vc.port}}]}),
      )
      await this.apply(
        this.kwokObject('Logs', {
          logs: [
            {
              containers: [this.container.name],
              logsFile: this.criLog,
              previousLogsFile: previous(this.criLog),
              follow: true,
            },
          ],
        }),
      )
    } catch (error) {
      this.env.log(`real vCluster ${this.key}: kwok PortForward/Logs: ${(error as Error).message}`)
    }
    await this.status(false, (c) => {
      c.restartCount = this.restarts
      c.started = true
      c.state = {running: {startedAt}}
    })
    const p = this.container.readinessProbe
    const periodMs = 1000 * (p?.periodSeconds ?? 10)
    const threshold = p?.failureThreshold ?? 3
    let exited = false
    void vc.exited.then(() => (exited = true))
    let ready = false
    let failures = 0
    while (!exited && !this.stopped) {
      const ok = (await probe(vc.port, p?.httpGet?.path ?? '/readyz', 1000 * (p?.timeoutSeconds ?? 1))) === 200
      failures = ok ? 0 : failures + 1
      if (exited || this.stopped) break
      if (ok && !ready) ready = await this.status(true)
      else if (!ok && ready && failures >= threshold) ready = !(await this.status(false))
      await Promise.race([sleep(periodMs), vc.exited])
    }
  }

  private async status(ready: boolean, change?: ContainerChange): Promise<boolean> {
    try {
      return await writePodStatus(this.env.core, this.ref, ready, change, this.container.name)
    } catch (error) {
      this.env.log(`real vCluster ${this.key}: pod status not written: ${(error as Error).message}`)
      return false
    }
  }

  private kwokObject(kind: string, spec: unknown): KubernetesObject & {spec: unknown} {
    const {namespace, name, uid} = this.ref
    return {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind,
      metadata: {
        name,
        namespace,
        labels: {'vcluster-ts.test/real': 'true'},
        ownerReferences: [{apiVersion: 'v1', kind: 'Pod', name, uid}],
      },
      spec,
    }
  }

  private async apply(obj: KubernetesObject): Promise<void> {
    await this.env.objects.patch(obj, undefined, undefined, this.env.manager, true, PatchStrategy.ServerSideApply)
  }
}
