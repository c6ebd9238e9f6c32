// Stand-in for a vCluster's own control plane: a real kube-apiserver on loopback with the certificates the vCluster
// would have (upstream-vcluster.md §2.2, §2.3). kwok runs no containers, so the watcher starts one per vCluster.
import type {ChildProcess} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {request} from 'node:https'
import {join} from 'node:path'
import {stringify} from 'yaml'
import {ensureCa, issue, serviceAccountKey, type KeyPair} from './certs.js'
import {freePort, startLogged, tail, terminate, waitFor} from './proc.js'

export interface StandInSpec {
  namespace: string
  /** The vCluster name: label `release` of its StatefulSet or Deployment. */
  name: string
  /** UID of the workload: keys the stand-in's data, so a re-created vCluster starts empty. */
  uid: string
  extraSans: string[]
}

/** Where the process writes pid files that `cluster:down` can clean up if the daemon itself was killed. */
export interface Tracker {
  track(pid: number): void
  untrack(pid: number): void
}

/** SANs of vCluster's proxy serving certificate that make sense here (§2.3), plus the config's extraSANs. */
export function standInSans(spec: StandInSpec): string[] {
  const base = ['localhost', '127.0.0.1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local', spec.name, `${spec.name}.${spec.namespace}`]
  return [...new Set([...base, ...spec.extraSans])]
}

export class StandIn {
  private constructor(
    readonly spec: StandInSpec,
    readonly port: number,
    readonly ca: KeyPair,
    readonly admin: KeyPair,
    private readonly proc: ChildProcess,
    private readonly tracker: Tracker,
  ) {}

  /** Starts the apiserver and resolves once /readyz answers; data and CA survive a restart with the same dir. */
  static async start(spec: StandInSpec, dir: string, binDir: string, etcdUrl: string,
    tracker: Tracker): Promise<StandIn> {
    const pki = join(dir, 'pki')
    mkdirSync(pki, {recursive: true})
    const ca = await ensureCa(pki, 'kubernetes')
    const serving = await issue(ca, pki, 'apiserver', {cn: 'kube-apiserver', sans: standInSans(spec)})
    const admin = await issue(ca, pki, 'admin', {cn: 'kubernetes-super-admin', orgs: ['system:masters']})
    const sa = await serviceAccountKey(pki)
    const port = await freePort()
    const log = join(dir, 'kube-apiserver.log')
    const args = [
      `--etcd-servers=${etcdUrl}`, `--etcd-prefix=/standin/${spec.uid}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${port}`,
      `--tls-cert-file=${serving.cert}`, `--tls-private-key-file=${serving.key}`, `--client-ca-file=${ca.cert}`,
      `--service-account-key-file=${sa.pub}`, `--service-account-signing-key-file=${sa.key}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--authorization-mode=RBAC', '--service-cluster-ip-range=10.96.0.0/16',
      // Never publish an address in the `kubernetes` Endpoints: nothing may dial anything but loopback.
      '--endpoint-reconciler-type=none',
      // Memory: no watch cache, no APF bookkeeping, small in-flight limits; profiling endpoints off.
      '--watch-cache=false', '--enable-priority-and-fairness=false', '--max-requests-inflight=100',
      '--max-mutating-requests-inflight=50', '--profiling=false',
    ]
    const proc = startLogged(join(binDir, 'kube-apiserver'), args, log, {...process.env, GOGC: '50'})
    if (proc.pid === undefined) throw new Error(`could not start kube-apiserver for ${spec.namespace}/${spec.name}`)
    tracker.track(proc.pid)
    const standIn = new StandIn(spec, port, ca, admin, proc, tracker)
    try {
      await waitFor(async () => {
        if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}:\n${tail(log)}`)
        return (await standIn.get('/readyz')) === 200
      }, {timeoutMs: 90_000, intervalMs: 300, what: `stand-in kube-apiserver for ${spec.namespace}/${spec.name}`})
    } catch (error) {
      await standIn.stop()
      throw error
    }
    return standIn
  }

  get sans(): string[] {
    return standInSans(this.spec)
  }

  /** The kubeconfig the vCluster writes into Secret vc-<name>: kubeadm's super-admin names, server localhost:8443. */
  kubeconfig(): string {
    const b64 = (file: string) => readFileSync(file).toString('base64')
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{name: 'kubernetes',
        cluster: {'certificate-authority-data': b64(this.ca.cert), server: 'https://localhost:8443'}}],
      contexts: [{name: 'kubernetes-super-admin@kubernetes',
        context: {cluster: 'kubernetes', user: 'kubernetes-super-admin'}}],
      'current-context': 'kubernetes-super-admin@kubernetes',
      preferences: {},
      users: [{name: 'kubernetes-super-admin',
        user: {'client-certificate-data': b64(this.admin.cert), 'client-key-data': b64(this.admin.key)}}],
    })
  }

  /** Data of Secret vc-<name> (§2.2), base64-encoded. */
  secretData(): Record<string, string> {
    const b64 = (file: string) => readFileSync(file).toString('base64')
    return {
      config: Buffer.from(this.kubeconfig()).toString('base64'),
      'certificate-authority': b64(this.ca.cert),
      'client-certificate': b64(this.admin.cert),
      'client-key': b64(this.admin.key),
    }
  }

  async stop(): Promise<void> {
    const pid = this.proc.pid
    if (pid === undefined) return
    await terminate(pid)
    this.tracker.untrack(pid)
  }

  private get(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({host: '127.0.0.1', port: this.port, path, servername: 'localhost', timeout: 2000,
        ca: readFileSync(this.ca.cert), cert: readFileSync(this.admin.cert), key: readFileSync(this.admin.key)},
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.end()
    })
  }
}

/** One etcd for all stand-ins (each apiserver gets its own --etcd-prefix); started on first use. */
export class SharedEtcd {
  private url?: Promise<string>
  private pid?: number

  constructor(private readonly dir: string, private readonly tracker: Tracker) {}

  ensure(): Promise<string> {
    this.url ??= this.start().catch((error: unknown) => {
      this.url = undefined
      throw error
    })
    return this.url
  }

  private async start(): Promise<string> {
    mkdirSync(this.dir, {recursive: true})
    const [client, peer] = [await freePort(), await freePort()]
    const url = `http://127.0.0.1:${client}`
    const peerUrl = `http://127.0.0.1:${peer}`
    const log = join(this.dir, 'etcd.log')
    const proc = startLogged('etcd', ['--name=standins', `--data-dir=${join(this.dir, 'data')}`,
      `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`, `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`, `--initial-cluster=standins=${peerUrl}`,
      // Keeps the in-memory raft log short: this etcd holds a few test objects.
      '--snapshot-count=5000', '--auto-compaction-retention=1'], log)
    if (proc.pid === undefined) throw new Error('could not start etcd for the stand-ins')
    this.pid = proc.pid
    this.tracker.track(proc.pid)
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`etcd exited with ${proc.exitCode}:\n${tail(log)}`)
      const res = await fetch(`${url}/health`)
      return res.ok
    }, {timeoutMs: 30_000, what: 'the stand-ins\' etcd'})
    return url
  }

  async stop(): Promise<void> {
    if (this.pid === undefined) return
    await terminate(this.pid)
    this.tracker.untrack(this.pid)
    this.pid = undefined
    this.url = undefined
  }
}

/** Writes/removes pid files under dir, so a crashed daemon's children can be found and ended. */
export function pidFileTracker(dir: string): Tracker {
  mkdirSync(dir, {recursive: true})
  return {
    track: (pid) => writeFileSync(join(dir, String(pid)), ''),
    untrack: (pid) => rmSync(join(dir, String(pid)), {force: true}),
  }
}
