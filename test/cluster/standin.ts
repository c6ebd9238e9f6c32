// Stand-in for a vCluster's own control plane: a real kube-apiserver on loopback with the certificates the vCluster
// would have (upstream-vcluster.md §2.2, §2.3). kwok runs no containers, so the watcher makes one per vCluster.
// The kwok PortForward points at a small TCP proxy of ours; the apiserver behind it starts on the first connection
// (or at once for the first few vClusters), so 50 vClusters created for a list test cost certificates, not 10 GB.
import type {ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {request} from 'node:https'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {stringify} from 'yaml'
import {ensureCa, issue, serviceAccountKey, type KeyPair} from './certs.js'
import type {SharedEtcd, Tracker} from './etcd.js'
import {freePort, startLogged, tail, terminate, waitFor} from './proc.js'

export interface StandInSpec {
  namespace: string
  /** The vCluster name: label `release` of its StatefulSet or Deployment. */
  name: string
  /** UID of the workload: keys the stand-in's data, so a re-created vCluster starts empty. */
  uid: string
  extraSans: string[]
}

export interface StandInEnv {
  binDir: string
  etcd: SharedEtcd
  tracker: Tracker
  log: (m: string) => void
}

/** SANs of vCluster's proxy serving certificate that make sense here (§2.3), plus the config's extraSANs. */
export function standInSans(spec: StandInSpec): string[] {
  const base = [
    'localhost',
    '127.0.0.1',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    spec.name,
    `${spec.name}.${spec.namespace}`,
  ]
  return [...new Set([...base, ...spec.extraSans])]
}

export class StandIn {
  private apiserver?: {proc: ChildProcess; port: number}
  private starting?: Promise<number>
  private readonly sockets = new Set<Socket>()

  private constructor(
    public spec: StandInSpec,
    private readonly dir: string,
    private readonly env: StandInEnv,
    readonly ca: KeyPair,
    readonly admin: KeyPair,
    private readonly proxy: Server,
    /** The 127.0.0.1 port the PortForward targets. */
    readonly port: number,
  ) {}

  /** Certificates and the proxy listener; CA and admin certificate are reused from dir (as vCluster keeps them). */
  static async create(spec: StandInSpec, dir: string, env: StandInEnv): Promise<StandIn> {
    const pki = join(dir, 'pki')
    mkdirSync(pki, {recursive: true})
    const ca = await ensureCa(pki, 'kubernetes')
    const admin = existsSync(join(pki, 'admin.crt'))
      ? {cert: join(pki, 'admin.crt'), key: join(pki, 'admin.key')}
      : await issue(ca, pki, 'admin', {cn: 'kubernetes-super-admin', orgs: ['system:masters']})
    const proxy = createServer()
    await new Promise<void>((resolve, reject) => proxy.once('error', reject).listen(0, '127.0.0.1', resolve))
    const address = proxy.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const standIn = new StandIn(spec, dir, env, ca, admin, proxy, port)
    proxy.on('connection', (socket) => standIn.accept(socket))
    return standIn
  }

  get running(): boolean {
    return this.apiserver !== undefined || this.starting !== undefined
  }

  /** Starts the apiserver unless running; resolves its port once /readyz answers. A failure is retried next time. */
  ensureStarted(): Promise<number> {
    if (this.apiserver) return Promise.resolve(this.apiserver.port)
    this.starting ??= this.startApiserver().finally(() => (this.starting = undefined))
    return this.starting
  }

  /** New extraSANs: a new serving certificate, so a running apiserver restarts (same CA, data and proxy port). */
  async updateSpec(spec: StandInSpec): Promise<void> {
    const wasRunning = this.running
    this.spec = spec
    await this.stopApiserver()
    if (wasRunning) await this.ensureStarted()
  }

  async stop(): Promise<void> {
    this.proxy.close()
    for (const s of this.sockets) s.destroy()
    await this.stopApiserver()
  }

  private accept(socket: Socket): void {
    this.track(socket)
    socket.pause()
    this.ensureStarted().then(
      (port) => {
        const upstream = this.track(connect(port, '127.0.0.1'))
        socket.pipe(upstream).pipe(socket)
        socket.resume()
      },
      (error: unknown) => {
        this.env.log(`stand-in ${this.key}: ${(error as Error).message}`)
        socket.destroy()
      },
    )
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket)).on('error', () => socket.destroy())
    return socket
  }

  private get key(): string {
    return `${this.spec.namespace}/${this.spec.name}`
  }

  private async stopApiserver(): Promise<void> {
    await this.starting?.catch(() => {})
    const proc = this.apiserver?.proc
    this.apiserver = undefined
    if (proc?.pid === undefined) return
    await terminate(proc.pid)
    this.env.tracker.untrack(proc.pid)
  }

  private async startApiserver(): Promise<number> {
    const started = Date.now()
    const pki = join(this.dir, 'pki')
    const serving = await issue(this.ca, pki, 'apiserver', {cn: 'kube-apiserver', sans: standInSans(this.spec)})
    const sa = await serviceAccountKey(pki)
    const etcdUrl = await this.env.etcd.ensure()
    const port = await freePort()
    const log = join(this.dir, 'kube-apiserver.log')
    const args = [
      `--etcd-servers=${etcdUrl}`,
      `--etcd-prefix=/standin/${this.spec.uid}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      `--client-ca-file=${this.ca.cert}`,
      `--service-account-key-file=${sa.pub}`,
      `--service-account-signing-key-file=${sa.key}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      // Never publish an address in the `kubernetes` Endpoints: nothing may dial anything but loopback.
      '--endpoint-reconciler-type=none',
      // Memory: no watch cache, no APF bookkeeping, small in-flight limits; profiling endpoints off.
      '--watch-cache=false',
      '--enable-priority-and-fairness=false',
      '--max-requests-inflight=100',
      '--max-mutating-requests-inflight=50',
      '--profiling=false',
    ]
    const proc = startLogged(join(this.env.binDir, 'kube-apiserver'), args, log, {...process.env, GOGC: '50'})
    if (proc.pid === undefined) throw new Error(`could not start kube-apiserver for ${this.key}`)
    this.env.tracker.track(proc.pid)
    try {
      await waitFor(
        async () => {
          if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}:\n${tail(log)}`)
          return (await this.get(port, '/readyz')) === 200
        },
        {timeoutMs: 90_000, intervalMs: 300, what: `stand-in kube-apiserver for ${this.key}`},
      )
    } catch (error) {
      await terminate(proc.pid)
      this.env.tracker.untrack(proc.pid)
      throw error
    }
    this.apiserver = {proc, port}
    this.env.log(`stand-in ${this.key}: apiserver ready on 127.0.0.1:${port} after ${Date.now() - started} ms`)
    return port
  }

  /** The kubeconfig the vCluster writes into Secret vc-<name>: kubeadm's super-admin names, server localhost:8443. */
  kubeconfig(): string {
    const b64 = (file: string) => readFileSync(file).toString('base64')
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'kubernetes',
          cluster: {'certificate-authority-data': b64(this.ca.cert), server: 'https://localhost:8443'},
        },
      ],
      contexts: [
        {name: 'kubernetes-super-admin@kubernetes', context: {cluster: 'kubernetes', user: 'kubernetes-super-admin'}},
      ],
      'current-context': 'kubernetes-super-admin@kubernetes',
      preferences: {},
      users: [
        {
          name: 'kubernetes-super-admin',
          user: {'client-certificate-data': b64(this.admin.cert), 'client-key-data': b64(this.admin.key)},
        },
      ],
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

  private get(port: number, path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          servername: 'localhost',
          timeout: 2000,
          ca: readFileSync(this.ca.cert),
          cert: readFileSync(this.admin.cert),
          key: readFileSync(this.admin.key),
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.end()
    })
  }
}
