// Runs upstream's real vCluster for one vCluster pod, from the pod object alone: its environment and volumes as a
// kubelet would make them, started in its own mount, network, PID and UTS namespaces with only `lo` (inner.ts),
// bridged through unix sockets (in a short dir of their own, sockets.ts) to the host API server and from a host-side
// 127.0.0.1 port to its port 8443.
// Nothing outlives stop(), a crash of this process (the sandbox gets SIGKILL with it) or a sweep of the tracker's
// pid files (control.ts): the namespaces die with their last process, taking every mount with them.
import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {CoreV1Api, type KubeConfig, type V1Container, type V1Pod} from '@kubernetes/client-node'
import type {Tracker} from '../etcd.js'
import {RIG_DIR} from '../rig.js'
import {cmdline, sleep} from '../proc.js'
import {containerEnv} from './env.js'
import {TRACE_ANNOTATION, type SandboxPlan} from './plan.js'
import {makeSocketDir, removeSocketDir, sandboxSockets} from './sockets.js'
import {nsInit} from './usage.js'
import {containerMounts} from './volumes.js'

/** The host cluster as the sandbox needs it (ClusterFacts plus the real-mode build). */
export interface RealHost {
  /** Admin access: reads the pod's Secrets, ConfigMaps, claim and PV, and requests its service-account token. */
  kc: KubeConfig
  /** https://127.0.0.1:<port> */
  server: string
  /** The rig's Kubernetes binaries (what the `kubernetes` init image holds). */
  binDir: string
  /** vcluster and kine (real/build.sh). */
  realBinDir: string
}

export interface RunOptions {
  /** Pid files for the sweep after a crash of the process that owns the sandbox. */
  tracker?: Tracker
  log?: (line: string) => void
  /**
   * Also write the output here in the CRI log format (`<RFC3339Nano> stdout|stderr F <line>`), the only format kwok's
   * Logs (kubectl logs) reads; the output then passes through this process.
   */
  criLog?: string
}

/** The vCluster images' entrypoint (their Dockerfile's ENTRYPOINT); the container sets no command. */
const VCLUSTER_IMAGE = /(^|\/)loft-sh\/vcluster(-pro|-oss)?(:|@|$)/
const PROBE_PORT = 8443

export function syncer(pod: V1Pod): V1Container {
  const c = pod.spec?.containers.find((x) => VCLUSTER_IMAGE.test(x.image ?? ''))
  if (!c) throw new Error(`pod ${pod.metadata?.name} has no vCluster container (image loft-sh/vcluster*)`)
  return c
}

/** Accepts TCP or unix connections and dials the other side: the host half of each bridge. */
function bridge(dial: () => Socket): Server {
  const sockets = new Set<Socket>()
  const server = createServer({noDelay: true}, (inbound) => {
    const outbound = dial()
    outbound.setNoDelay?.(true)
    for (const s of [inbound, outbound]) {
      sockets.add(s)
      s.on('error', () => s.destroy()).on('close', () => {
        sockets.delete(s)
        inbound.destroy()
        outbound.destroy()
      })
    }
    inbound.pipe(outbound).pipe(inbound)
  })
  server.on('close', () => sockets.forEach((s) => s.destroy()))
  return server
}

function listen(server: Server, where: {path: string} | {port: number; host: string}): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(where, () => resolve())
  })
}

/** Copies the child's output to fd (as is) and to criFile (CRI format, one record per line); closes fd at the end. */
function teeLogs(child: ChildProcess, fd: number, criFile: string): void {
  const cri = openSync(criFile, 'a')
  let open = 2
  for (const [stream, name] of [
    [child.stdout, 'stdout'],
    [child.stderr, 'stderr'],
  ] as const) {
    let partial = ''
    stream
      ?.on('data', (d: Buffer) => {
        writeSync(fd, d)
        const lines = (partial + d.toString()).split('\n')
        partial = lines.pop() ?? ''
        for (const l of lines) writeSync(cri, `${new Date().toISOString()} ${name} F ${l}\n`)
      })
      .on('close', () => {
        if (partial) writeSync(cri, `${new Date().toISOString()} ${name} F ${partial}\n`)
        if (--open === 0) {
          closeSync(fd)
          closeSync(cri)
        }
      })
  }
}

export class RealVcluster {
  /** 127.0.0.1 port on the host that reaches the vCluster's 8443 (probes, kwok PortForward, clients). */
  port = 0
  readonly logFile: string
  private child?: ChildProcess
  private readonly servers: Server[] = []
  private exit?: Promise<number | null>
  /** Set once this instance made its socket dir, so only its own sockets are removed. */
  private ownsSockets = false

  private constructor(
    private readonly pod: V1Pod,
    private readonly dir: string,
    private readonly opts: RunOptions,
  ) {
    this.logFile = join(dir, 'vcluster.log')
  }

  /** Materialises the pod's sandbox under dir (kept across restarts: emptyDirs, logs) and starts it. */
  static async start(pod: V1Pod, host: RealHost, dir: string, opts: RunOptions = {}): Promise<RealVcluster> {
    const vc = new RealVcluster(pod, dir, opts)
    try {
      await vc.launch(host)
    } catch (error) {
      await vc.stop(0)
      throw error
    }
    return vc
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Resolves with the sandbox's exit code (null when killed by a signal) once everything of it is gone. */
  get exited(): Promise<number | null> {
    return this.exit ?? Promise.resolve(null)
  }

  private async plan(host: RealHost): Promise<SandboxPlan> {
    const core = host.kc.makeApiClient(CoreV1Api)
    const c = syncer(this.pod)
    const apiPort = Number(new URL(host.server).port)
    const init = Object.fromEntries(
      ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((b) => [b, join(host.binDir, b)]),
    )
    const initBinaries = {...init, kine: join(host.realBinDir, 'kine')}
    return {
      name: `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`,
      hostname: this.pod.metadata?.name ?? 'vcluster',
      rootfs: join(this.dir, 'rootfs'),
      files: [{source: join(host.realBinDir, 'vcluster'), target: '/vcluster'}],
      mounts: await containerMounts({core, dir: this.dir, initBinaries}, this.pod, c),
      argv: [...(c.command ?? ['/vcluster', 'start']), ...(c.args ?? [])],
      env: await containerEnv(core, this.pod, c, apiPort),
      apiPort,
      ...sandboxSockets(this.dir, [PROBE_PORT]),
      ...(this.pod.metadata?.annotations?.[TRACE_ANNOTATION] === 'true'
        ? {trace: join(this.dir, 'egress.strace')}
        : {}),
    }
  }

  /** Two sandboxes on one state dir would share the claim's SQLite file and the sockets: refused. */
  private refuseSecond(): void {
    const file = join(this.dir, 'sandbox.pid')
    const pid = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0
    if (pid && cmdline(pid)?.includes(this.dir)) {
      throw new Error(`a sandbox (pid ${pid}) is still running in ${this.dir}; stop it first`)
    }
  }

  private async launch(host: RealHost): Promise<void> {
    mkdirSync(this.dir, {recursive: true})
    this.refuseSecond()
    const plan = await this.plan(host)
    // A fresh root and socket dir per start; the root never holds mounts on the host side (they live in the namespace).
    rmSync(plan.rootfs, {recursive: true, force: true})
    mkdirSync(plan.rootfs, {recursive: true})
    makeSocketDir(this.dir)
    this.ownsSockets = true
    const api = new URL(host.server)
    const toApi = bridge(() => connect({host: '127.0.0.1', port: Number(api.port)}))
    this.servers.push(toApi)
    await listen(toApi, {path: plan.apiSocket})
    const fromHost = bridge(() => connect({path: plan.podPorts[0]?.socket ?? ''}))
    this.servers.push(fromHost)
    await listen(fromHost, {port: 0, host: '127.0.0.1'})
    const addr = fromHost.address()
    this.port = typeof addr === 'object' && addr ? addr.port : 0
    const planFile = join(this.dir, 'plan.json')
    writeFileSync(planFile, JSON.stringify(plan, null, 2), {mode: 0o600})
    this.spawn(planFile)
    this.opts.log?.(`real vCluster ${plan.name}: pid ${this.pid}, 8443 on 127.0.0.1:${this.port}, log ${this.logFile}`)
  }

  private spawn(planFile: string): void {
    const fd = openSync(this.logFile, 'a')
    // pdeathsig: the sandbox gets SIGKILL when this process dies (Node spawns from its main thread, which lives as
    // long as the process); --kill-child: the namespace's init gets SIGKILL when unshare dies.
    const args = [
      '--pdeathsig',
      'SIGKILL',
      '--',
      'unshare',
      '-m',
      '-n',
      '-p',
      '-u',
      '--fork',
      '--kill-child',
      '--propagation',
      'private',
      '--',
      process.execPath,
      '--disable-warning=ExperimentalWarning',
      join(RIG_DIR, 'real', 'inner.ts'),
      planFile,
    ]
    const out = this.opts.criLog ? 'pipe' : fd
    try {
      this.child = spawn('setpriv', args, {stdio: ['ignore', out, out], env: {PATH: process.env.PATH}})
    } finally {
      if (!this.opts.criLog) closeSync(fd)
    }
    if (this.opts.criLog) teeLogs(this.child, fd, this.opts.criLog)
    const pid = this.child.pid
    if (pid === undefined) throw new Error('could not start setpriv/unshare for the real vCluster')
    this.opts.tracker?.track(pid)
    writeFileSync(join(this.dir, 'sandbox.pid'), String(pid))
    const child = this.child
    // With a tee, 'close' (output drained too): the log is complete once exited resolves.
    this.exit = new Promise((resolve) =>
      child.once(this.opts.criLog ? 'close' : 'exit', (code) => {
        this.opts.tracker?.untrack(pid)
        this.closeBridges()
        resolve(code)
      }),
    )
  }

  private closeBridges(): void {
    for (const s of this.servers.splice(0)) s.close()
    // Once only: a later start on the same state dir (a restart) makes the same socket dir again.
    if (this.ownsSockets) removeSocketDir(this.dir)
    this.ownsSockets = false
  }

  /** SIGTERM to the container (through the namespace's init), SIGKILL to the whole namespace after graceMs. */
  async stop(graceMs = 1000 * (this.pod.spec?.terminationGracePeriodSeconds ?? 30)): Promise<void> {
    const child = this.child
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) {
      this.closeBridges()
      return
    }
    // unshare itself ignores SIGTERM while it waits: signal the namespace's init (inner.ts) directly.
    const init = nsInit(child.pid)
    try {
      if (init) process.kill(init, 'SIGTERM')
    } catch {} // ended meanwhile
    const done = await Promise.race([this.exited.then(() => true), sleep(init ? graceMs : 0).then(() => false)])
    if (!done) {
      this.opts.log?.(`real vCluster pid ${child.pid}: still running after ${graceMs} ms, SIGKILL`)
      for (const pid of [init, child.pid]) {
        try {
          if (pid) process.kill(pid, 'SIGKILL')
        } catch {}
      }
    }
    await this.exited
  }
}
