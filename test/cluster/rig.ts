// The host cluster itself: binaries (test/cluster/build.sh) and kwokctl create/delete with the loopback-only setup.
import {spawn} from 'node:child_process'
import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {parse} from 'yaml'
import {cmdline, tail, terminate} from './proc.js'

const run = promisify(execFile)

/** test/cluster, resolved from this file (works under tsx and vitest alike). */
export const RIG_DIR = fileURLToPath(new URL('.', import.meta.url))
export const REPO_ROOT = join(RIG_DIR, '..', '..')

/** What tests and `cluster:up` users need to know about a running cluster (ready.json). */
export interface ClusterFacts {
  name: string
  /** State directory: kwok work dir, daemon log, stand-in data. */
  dir: string
  /** Admin kubeconfig (cluster-admin via system:masters), written by kwokctl. */
  kubeconfig: string
  /** https://127.0.0.1:<port> */
  server: string
  binDir: string
  /** The cluster CA, to sign test users' client certificates. */
  caCert: string
  caKey: string
  daemonPid: number
  daemonLog: string
}

export function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vcluster-ts')
}

/** Environment for everything the rig runs: the pinned binaries first on PATH, kwokctl's work dir. */
export function rigEnv(dir: string, binDir: string): NodeJS.ProcessEnv {
  // GOGC=50: the components inherit kwokctl's environment; trades a little CPU for ~10% less memory.
  return {
    ...process.env,
    PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`,
    KWOK_WORKDIR: join(dir, 'kwok'),
    GOGC: '50',
  }
}

/** Builds or reuses the binaries; build progress is passed line by line to onLine. Returns the bin dir. */
export async function ensureBinaries(onLine: (line: string) => void): Promise<string> {
  const child = spawn('bash', [join(RIG_DIR, 'build.sh')], {stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let lastErr: string[] = []
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  let partial = ''
  child.stderr.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) onLine(l)
    lastErr = [...lastErr, ...lines].slice(-15)
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (partial) onLine(partial)
  if (code !== 0) {
    throw new Error(
      `building the cluster binaries failed (test/cluster/build.sh exited ${code}):\n` +
        `${[...lastErr, partial].join('\n')}`,
    )
  }
  const binDir = out.trim().split('\n').pop() ?? ''
  if (!existsSync(join(binDir, 'kwokctl'))) throw new Error(`build.sh printed no usable bin dir: ${out}`)
  return binDir
}

/** kwokctl options not available as flags: bind everything to 127.0.0.1 (the default is 0.0.0.0). */
function writeKwokctlConfig(dir: string): string {
  const file = join(dir, 'kwokctl.yaml')
  // stages.yaml: kwok's default stages, except that vCluster pods (app=vcluster) start not Ready; the watcher marks
  // them Ready as a kubelet would (stand-in: once it answers; real mode: /readyz). Given here, they replace kwokctl's.
  writeFileSync(
    file,
    'apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\n' +
      'options:\n  bindAddress: 127.0.0.1\n---\n' +
      readFileSync(join(RIG_DIR, 'stages.yaml'), 'utf8'),
  )
  return file
}

export async function kwokctl(dir: string, binDir: string, args: string[], timeoutMs = 180_000) {
  // Serialised machine-wide: kwokctl picks "free" ports by probing, so two clusters created at once collide.
  // --close: the components kwokctl leaves running must not inherit (and hold) the lock.
  mkdirSync(cacheRoot(), {recursive: true})
  const lock = join(cacheRoot(), 'kwokctl.lock')
  return run('flock', ['--close', lock, join(binDir, 'kwokctl'), '-c', join(dir, 'kwokctl.yaml'), ...args], {
    env: rigEnv(dir, binDir),
    timeout: timeoutMs,
    maxBuffer: 16 << 20,
  })
}

/**
 * Set (to 1) in the daemon's environment by control.ts for `cluster:up -- --audit`: the daemon's command line stays
 * as it is, and tests never set it.
 */
export const AUDIT_ENV = 'VCLUSTER_TS_RIG_AUDIT'

/** The kube-apiserver audit log of a cluster started with audit on (kwokctl writes it to the cluster's logs). */
export function auditLogPath(name: string, dir: string): string {
  return join(dir, 'kwok', 'clusters', name, 'logs', 'audit.log')
}

/** Every request's metadata, once, when complete: enough to count requests per user and user agent (the bench). */
function writeAuditPolicy(dir: string): string {
  const file = join(dir, 'audit-policy.yaml')
  writeFileSync(
    file,
    'apiVersion: audit.k8s.io/v1\nkind: Policy\n' +
      'omitStages: [RequestReceived, ResponseStarted]\nrules:\n  - level: Metadata\n',
  )
  return file
}

/** Creates and starts the cluster (kube-apiserver, controller-manager, scheduler, kwok, etcd) and 2 fake nodes. */
export async function createCluster(
  name: string,
  dir: string,
  binDir: string,
  options = {audit: process.env[AUDIT_ENV] === '1'},
): Promise<Omit<ClusterFacts, 'daemonPid' | 'daemonLog'>> {
  writeKwokctlConfig(dir)
  const etcd = (await run('sh', ['-c', 'command -v etcd'])).stdout.trim()
  const audit = options.audit ? ['--kube-audit-policy', writeAuditPolicy(dir)] : []
  await kwokctl(dir, binDir, [
    'create',
    'cluster',
    '--name',
    name,
    '--runtime',
    'binary',
    ...audit,
    '--kube-apiserver-binary',
    join(binDir, 'kube-apiserver'),
    '--kube-controller-manager-binary',
    join(binDir, 'kube-controller-manager'),
    '--kube-scheduler-binary',
    join(binDir, 'kube-scheduler'),
    '--kwok-controller-binary',
    join(binDir, 'kwok'),
    '--etcd-binary',
    etcd,
    '--enable-crds',
    'PortForward,ClusterPortForward,Logs',
    // The apiserver must reach kwok's "kubelet" as localhost, never at a fake node IP (192.0.2.x).
    '--extra-args',
    'kube-apiserver=kubelet-preferred-address-types=Hostname',
    // A pod whose claim is bound a few ms after the scheduler found it unbound can miss the event that requeues it
    // (the binder's cache and the queue are fed by separate handlers) and sit unschedulable until the scheduler's
    // periodic flush: 5 min by default, which a vCluster's create then waits out (seen once in a clean-clone run:
    // pod created 17:27:52, next attempt 17:32:54). Any such pod is retried within ~40 s instead (flush runs every 30 s).
    '--extra-args',
    'kube-scheduler=pod-max-in-unschedulable-pods-duration=10s',
    '--kubeconfig=',
    '--wait',
    '2m',
  ]).catch((error: unknown) => {
    throw new Error(explainKwokctlFailure(error, join(dir, 'kwok', 'clusters', name, 'logs')))
  })
  // kwok's node template has no ephemeral-storage: pods requesting it (the vCluster's do) would stay Pending.
  await kwokctl(dir, binDir, [
    '--name',
    name,
    'scale',
    'node',
    'node',
    '--replicas',
    '2',
    '--param',
    '.allocatable["ephemeral-storage"] = "1Ti"',
  ])
  const clusterDir = join(dir, 'kwok', 'clusters', name)
  const kubeconfig = join(clusterDir, 'kubeconfig.yaml')
  const server: unknown = parse(readFileSync(kubeconfig, 'utf8'))?.clusters?.[0]?.cluster?.server
  if (typeof server !== 'string' || !/^https:\/\/127\.0\.0\.1:\d+$/.test(server)) {
    throw new Error(`unexpected apiserver address in ${kubeconfig}: ${String(server)} (must be 127.0.0.1)`)
  }
  return {
    name,
    dir,
    kubeconfig,
    server,
    binDir,
    caCert: join(clusterDir, 'pki', 'ca.crt'),
    caKey: join(clusterDir, 'pki', 'ca.key'),
  }
}

/** kwokctl's last error plus the tail of every component log: the component's own words are the real reason. */
function explainKwokctlFailure(error: unknown, logsDir: string): string {
  const stderr = String((error as {stderr?: string}).stderr ?? error)
  const last =
    stderr
      .trim()
      .split('\n')
      .reverse()
      .map((l) => {
        try {
          const j = JSON.parse(l) as {level?: string; msg?: string; err?: string}
          return j.level === 'ERROR' ? `${j.msg}: ${j.err}` : undefined
        } catch {
          return undefined
        }
      })
      .find(Boolean) ?? stderr.slice(-2000)
  const logs = existsSync(logsDir)
    ? readdirSync(logsDir).map(
        (f) =>
          `--- ${f} ---\n${tail(join(logsDir, f), 5)
            .split('\n')
            .map((l) => l.slice(0, 300))
            .join('\n')}`,
      )
    : []
  return [`kwokctl create cluster failed: ${last}`, ...logs].join('\n')
}

/** Stops and deletes the kwokctl cluster if its directory is still there; safe to call repeatedly. */
export async function deleteCluster(name: string, dir: string, binDir: string): Promise<void> {
  const clusterDir = join(dir, 'kwok', 'clusters', name)
  if (!existsSync(clusterDir)) return
  try {
    await kwokctl(dir, binDir, ['delete', 'cluster', '--name', name], 60_000)
  } catch (error) {
    // Never leave components running: end them by the pids kwokctl recorded (if still ours), then report.
    const pids = join(clusterDir, 'pids')
    for (const f of existsSync(pids) ? readdirSync(pids) : []) {
      const pid = Number(readFileSync(join(pids, f), 'utf8'))
      if (pid && cmdline(pid)?.includes(clusterDir)) await terminate(pid)
    }
    rmSync(clusterDir, {recursive: true, force: true})
    throw error
  }
}
