// Starting, finding and stopping cluster daemons; used by the vitest globalSetup and by `npm run cluster:up/down`.
import {spawn} from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {cmdline, pidAlive, sleep, tail, terminate} from './proc.js'
import {ensureRealBinaries} from './real/build.js'
import {AUDIT_ENV, REPO_ROOT, RIG_DIR, deleteCluster, ensureBinaries, type ClusterFacts} from './rig.js'

export const TEST_DIR_PREFIX = 'vcluster-ts-rig-'
const FIX = 'See test/cluster/README.md; `npm run cluster:up` shows the same start-up in the foreground.'

export interface StartOptions {
  name: string
  dir: string
  /** Remove dir when the cluster is deleted (test runs). */
  ephemeral: boolean
  /** The daemon deletes the cluster when this process disappears. */
  ownerPid?: number
  /** Outlive the caller (cluster:up). */
  detached: boolean
  log: (line: string) => void
  /** kube-apiserver audit log (metadata of every request) in the cluster's logs dir; off unless asked (the bench). */
  audit?: boolean
  /** Mode of namespaces without the label (mode.ts); `standin` only for runs that cannot afford real vClusters. */
  defaultMode?: 'real' | 'standin'
}

/** Builds/reuses binaries, starts a daemon and waits until its cluster is ready; throws a message saying why not. */
export async function startCluster(opts: StartOptions): Promise<ClusterFacts> {
  const started = Date.now()
  const binDir = await ensureBinaries(opts.log)
  // Real mode is the default: its binaries are built before any test can wait on a vCluster (a cold build takes
  // many minutes; the daemon's own call then finds them cached).
  if (opts.defaultMode !== 'standin') await ensureRealBinaries(opts.log)
  mkdirSync(opts.dir, {recursive: true})
  writeFileSync(join(opts.dir, 'owner.pid'), String(process.pid))
  for (const f of ['ready.json', 'error.txt']) rmSync(join(opts.dir, f), {force: true})
  const logFile = join(opts.dir, 'daemon.log')
  const fd = openSync(logFile, 'a')
  const args = ['--import', 'tsx', join(RIG_DIR, 'daemon.ts'), '--name', opts.name, '--dir', opts.dir, '--bin', binDir]
  if (opts.ownerPid) args.push('--owner-pid', String(opts.ownerPid))
  if (opts.ephemeral) args.push('--ephemeral')
  if (opts.defaultMode) args.push('--default-mode', opts.defaultMode)
  // cwd = repo root so that `--import tsx` resolves from this project's node_modules.
  const env = {...process.env, [AUDIT_ENV]: opts.audit === true ? '1' : undefined}
  const child = spawn(process.execPath, args, {cwd: REPO_ROOT, detached: opts.detached, stdio: ['ignore', fd, fd], env})
  closeSync(fd)
  if (opts.detached) child.unref()
  opts.log(`starting host cluster ${opts.name} (daemon pid ${child.pid}, log ${logFile})`)
  const deadline = Date.now() + 180_000
  while (!existsSync(join(opts.dir, 'ready.json'))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      if (child.pid && pidAlive(child.pid)) await terminate(child.pid, 30_000)
      const errorFile = join(opts.dir, 'error.txt')
      const why = existsSync(errorFile)
        ? readFileSync(errorFile, 'utf8')
        : `it did not become ready within 3 minutes\n--- daemon log ---\n${tail(logFile, 30)}`
      if (opts.ephemeral) rmSync(opts.dir, {recursive: true, force: true})
      throw new Error(`the local host cluster could not start: ${why}\n${FIX}`)
    }
    await sleep(200)
  }
  const facts = JSON.parse(readFileSync(join(opts.dir, 'ready.json'), 'utf8')) as ClusterFacts
  opts.log(`host cluster ${opts.name} ready at ${facts.server} after ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return facts
}

/** The facts of a running, healthy cluster in dir, or undefined. */
export async function runningCluster(dir: string): Promise<ClusterFacts | undefined> {
  const file = join(dir, 'ready.json')
  if (!existsSync(file)) return undefined
  const facts = JSON.parse(readFileSync(file, 'utf8')) as ClusterFacts
  if (!pidAlive(facts.daemonPid) || !cmdline(facts.daemonPid)?.includes('daemon.ts')) return undefined
  try {
    // Any HTTP answer (401/403 without credentials) proves the apiserver is up.
    await fetch(`${facts.server}/readyz`, {signal: AbortSignal.timeout(3000)})
  } catch (error) {
    // Node's fetch rejects the cluster's self-signed CA before any HTTP: that still means "listening".
    if (!/certificate|self.signed|UNABLE_TO|CERT/i.test(String((error as Error).cause ?? error))) return undefined
  }
  return facts
}

/**
 * Stops the daemon in dir (it deletes its cluster), then cleans up whatever a killed daemon left behind:
 * the kwokctl cluster and the stand-in processes recorded in dir/pids.
 */
export async function stopCluster(dir: string, name: string, log: (l: string) => void = () => {}): Promise<void> {
  const pidFile = join(dir, 'daemon.pid')
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined
  if (pid && pidAlive(pid) && cmdline(pid)?.includes('daemon.ts')) {
    log(`stopping cluster daemon ${pid}`)
    await terminate(pid, 60_000)
  }
  if (!existsSync(dir)) return
  const pidsDir = join(dir, 'pids')
  for (const p of existsSync(pidsDir) ? readdirSync(pidsDir).map(Number) : []) {
    if (cmdline(p)?.includes(dir)) await terminate(p)
  }
  const apiserver = join(dir, 'kwok', 'clusters', name, 'bin', 'kube-apiserver')
  if (existsSync(apiserver)) {
    log(`deleting leftover kwokctl cluster ${name}`)
    // kwokctl links the cached binaries into its cluster dir; kwokctl itself sits next to them.
    const binDir = dirname(realpathSync(apiserver))
    await deleteCluster(name, dir, binDir).catch((e: unknown) => log(`kwokctl delete failed: ${String(e)}`))
  }
}

/** Test clusters whose runner died (e.g. SIGKILL) before their daemon could clean up. */
export async function sweepStaleTestClusters(log: (l: string) => void): Promise<void> {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(TEST_DIR_PREFIX)) continue
    const dir = join(tmpdir(), entry)
    const pidFile = join(dir, 'daemon.pid')
    const daemon = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined
    if (daemon && pidAlive(daemon) && cmdline(daemon)?.includes('daemon.ts')) continue
    const owner = existsSync(join(dir, 'owner.pid')) ? Number(readFileSync(join(dir, 'owner.pid'), 'utf8')) : 0
    if (owner && pidAlive(owner)) continue // another test run is starting its cluster right now
    log(`removing stale test cluster dir ${dir}`)
    const name = existsSync(join(dir, 'kwok', 'clusters')) ? readdirSync(join(dir, 'kwok', 'clusters'))[0] : undefined
    if (name) await stopCluster(dir, name, log)
    rmSync(dir, {recursive: true, force: true})
  }
}
