// Runs upstream's CLI (and the helm and kubectl it runs) for the interoperability tests and the benchmark, safely:
// in a network namespace whose only interface is `lo`, so nothing it tries (telemetry, update checks, chart or image
// downloads) can leave the machine. The host API server is reached through a bridge: inside, peerinit listens on
// the same 127.0.0.1:<port> the kubeconfig names and forwards each connection over a unix socket; here, a server on
// that socket dials the real 127.0.0.1:<port>. Besides, a fresh HOME with telemetry disabled in
// ~/.vcluster/config.json, VCLUSTER_SKIP_VERSION_CHECK=true, and a PATH holding only upstream's vcluster, helm,
// the rig's kubectl and the system's /usr/bin tools.
//
// No vitest here: the benchmark uses it too.
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {constants, tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'
import {parse} from 'yaml'

export interface PeerOptions {
  /** KUBECONFIG for the command; every cluster server on 127.0.0.1/localhost in it is bridged. */
  kubeconfig?: string
  /** Directory holding the kubectl to put on PATH (the rig's binDir); needed for `connect -- kubectl`. */
  binDir?: string
  /** More 127.0.0.1 ports to bridge. */
  ports?: number[]
  /** Added to (and overriding) the command's environment. */
  env?: Record<string, string>
  input?: string
  /** SIGKILL to the whole namespace after this long (default 120 s); the result says timedOut. */
  timeoutMs?: number
  /** Working directory (default: the session's HOME). */
  cwd?: string
}

export interface PeerResult {
  exitCode: number
  stdout: string
  stderr: string
  timedOut: boolean
  /** The command's own wall time and peak RSS (its process tree), measured by peerinit inside the namespace. */
  stats?: {elapsedMs: number; maxRssKiB: number}
}

export interface RunningPeer {
  /** pid of the outermost process (setpriv, then unshare). */
  pid: number
  stdout(): string
  stderr(): string
  exited: Promise<PeerResult>
  /** SIGTERM to the command (as Ctrl-C would end `connect`), SIGKILL to the namespace after graceMs. */
  stop(graceMs?: number): Promise<PeerResult>
}

/** vcluster, helm or kubectl (on the namespace's PATH), or any program by its path (tests of the isolation). */
export type PeerCommand = string

const BUILD = join(import.meta.dirname, 'build-cli.sh')
let built: Promise<string> | undefined

/**
 * The directory of upstream's built CLI (vcluster, helm, chart/, peerinit): built on first use on this machine
 * (5-15 min cold, build-cli.sh, one build at a time under a lock), afterwards a cache check. Progress on stderr.
 */
export function upstreamCliDir(): Promise<string> {
  built ??= new Promise((resolve, reject) => {
    const child = spawn('bash', [BUILD], {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      const dir = out.trim().split('\n').at(-1) ?? ''
      if (code === 0 && existsSync(join(dir, 'vcluster'))) resolve(dir)
      else reject(new Error(`${BUILD} failed (exit ${code}); its output is above`))
    })
  })
  built.catch(() => (built = undefined))
  return built
}

/** The chart directory for upstream's `vcluster create --local-chart-dir`. */
export async function upstreamChartDir(): Promise<string> {
  return join(await upstreamCliDir(), 'chart')
}

/** 127.0.0.1 ports of the cluster servers in a kubeconfig (a KUBECONFIG list of files too). */
export function loopbackPorts(kubeconfig: string): number[] {
  const ports = new Set<number>()
  for (const file of kubeconfig.split(delimiter)) {
    if (!file || !existsSync(file)) continue
    const doc = parse(readFileSync(file, 'utf8')) as {clusters?: Array<{cluster?: {server?: string}}>} | null
    for (const c of doc?.clusters ?? []) {
      try {
        const url = new URL(c.cluster?.server ?? '')
        if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') {
          ports.add(Number(url.port || (url.protocol === 'https:' ? 443 : 80)))
        }
      } catch {} // not a URL: nothing to bridge
    }
  }
  return [...ports]
}

/** Host half of a bridge: accepts on a unix socket, dials 127.0.0.1:port. */
function hostBridge(socket: string, port: number): Promise<Server> {
  const open = new Set<Socket>()
  const server = createServer({noDelay: true}, (inbound) => {
    const outbound = connect({host: '127.0.0.1', port})
    outbound.setNoDelay(true)
    for (const s of [inbound, outbound]) {
      open.add(s)
      s.on('error', () => s.destroy()).on('close', () => {
        open.delete(s)
        inbound.destroy()
        outbound.destroy()
      })
    }
    inbound.pipe(outbound).pipe(inbound)
  })
  server.on('close', () => open.forEach((s) => s.destroy()))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(socket, () => resolve(server))
  })
}

interface Session {
  root: string
  env: Record<string, string>
  bridgeArgs: string[]
  servers: Server[]
}

/** A fresh HOME (telemetry off), a PATH of the peer's tools only, and the host halves of the bridges. */
async function openSession(cliDir: string, opts: PeerOptions): Promise<Session> {
  const root = mkdtempSync(join(tmpdir(), 'vcluster-peer-'))
  const home = join(root, 'home')
  const bin = join(root, 'bin')
  const sock = join(root, 'sock')
  for (const d of [join(home, '.vcluster'), bin, sock]) mkdirSync(d, {recursive: true})
  // pkg/cli/config (v0.36.1): {"telemetryDisabled": true} turns off the CLI's telemetry collector.
  writeFileSync(join(home, '.vcluster', 'config.json'), `${JSON.stringify({telemetryDisabled: true})}\n`)
  symlinkSync(join(cliDir, 'vcluster'), join(bin, 'vcluster'))
  symlinkSync(join(cliDir, 'helm'), join(bin, 'helm'))
  if (opts.binDir) symlinkSync(join(opts.binDir, 'kubectl'), join(bin, 'kubectl'))
  const ports = [...new Set([...(opts.kubeconfig ? loopbackPorts(opts.kubeconfig) : []), ...(opts.ports ?? [])])]
  const servers: Server[] = []
  const bridgeArgs: string[] = []
  try {
    for (const port of ports) {
      const socket = join(sock, `${port}.sock`)
      servers.push(await hostBridge(socket, port))
      bridgeArgs.push('-bridge', `127.0.0.1:${port}=${socket}`)
    }
  } catch (error) {
    for (const s of servers) s.close()
    rmSync(root, {recursive: true, force: true})
    throw error
  }
  const env: Record<string, string> = {
    HOME: home,
    // No /usr/local/bin: a docker CLI there would make `connect` try a background-proxy container.
    PATH: [bin, '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(delimiter),
    VCLUSTER_SKIP_VERSION_CHECK: 'true',
    ...(opts.kubeconfig ? {KUBECONFIG: opts.kubeconfig} : {}),
    ...opts.env,
  }
  return {root, env, bridgeArgs, servers}
}

function closeSession(s: Session): void {
  for (const server of s.servers) server.close()
  rmSync(s.root, {recursive: true, force: true})
}

/** The namespace's init (peerinit): the child of unshare --fork. */
function nsInit(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)
    return children[0] ? Number(children[0]) : undefined
  } catch {
    return undefined
  }
}

function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pid) process.kill(pid, signal)
  } catch {} // already gone
}

/**
 * Starts `command args` in the peer's namespace without waiting for it. pdeathsig and --kill-child: if this process
 * dies, so does the namespace; when peerinit (its PID 1) ends, the kernel ends everything else in it.
 */
export async function startPeer(command: PeerCommand, args: string[], opts: PeerOptions = {}): Promise<RunningPeer> {
  const cliDir = await upstreamCliDir()
  const session = await openSession(cliDir, opts)
  const statsFile = join(session.root, 'stats.json')
  const isolate = process.getuid?.() === 0 ? [] : ['-r']
  const argv = [
    ...['--pdeathsig', 'SIGKILL', '--', 'unshare', ...isolate, '-n', '-p', '--fork', '--kill-child', '--'],
    ...[join(cliDir, 'peerinit'), ...session.bridgeArgs, '-stats', statsFile, '--', command, ...args],
  ]
  let child: ChildProcess
  try {
    child = spawn('setpriv', argv, {env: session.env, cwd: opts.cwd ?? session.env.HOME, stdio: 'pipe'})
  } catch (error) {
    closeSession(session)
    throw error
  }
  let stdout = ''
  let stderr = ''
  let timedOut = false
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin?.on('error', () => {}) // the command may exit without reading its input
  child.stdin?.end(opts.input ?? '')
  const timer = setTimeout(() => {
    timedOut = true
    kill(child.pid, 'SIGKILL')
  }, opts.timeoutMs ?? 120_000)
  const exited = new Promise<PeerResult>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      let stats: PeerResult['stats']
      try {
        stats = JSON.parse(readFileSync(statsFile, 'utf8'))
      } catch {} // killed before the command ended
      closeSession(session)
      const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0)
      resolve({exitCode, stdout, stderr, timedOut, ...(stats ? {stats} : {})})
    }
    child.once('error', (error) => {
      stderr += `\n[peer] could not start setpriv/unshare: ${error.message}`
      done(127, null)
    })
    child.once('close', done)
  })
  const pid = child.pid ?? 0
  return {
    pid,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop(graceMs = 10_000) {
      // unshare waits with SIGTERM ignored: signal peerinit, which passes it on to the command.
      kill(nsInit(pid), 'SIGTERM')
      const t = setTimeout(() => kill(pid, 'SIGKILL'), graceMs)
      const r = await exited
      clearTimeout(t)
      return r
    },
  }
}

/** Runs `command args` (upstream's vcluster, helm, or kubectl) in the peer's namespace and waits for it. */
export async function runPeer(command: PeerCommand, args: string[], opts: PeerOptions = {}): Promise<PeerResult> {
  return (await startPeer(command, args, opts)).exited
}

/** Upstream's `vcluster args...`. */
export function runUpstream(args: string[], opts: PeerOptions = {}): Promise<PeerResult> {
  return runPeer('vcluster', args, opts)
}

/** Upstream's `vcluster args...`, left running (e.g. `connect` in the foreground); stop() ends it. */
export function startUpstream(args: string[], opts: PeerOptions = {}): Promise<RunningPeer> {
  return startPeer('vcluster', args, opts)
}
