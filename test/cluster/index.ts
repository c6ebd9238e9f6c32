// Helpers for integration tests against the local host cluster started by global-setup.ts.
// Everything a helper creates is cleaned up after the test that created it (or after the file, outside a test).
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {constants as osConstants} from 'node:os'
import {delimiter, join} from 'node:path'
import {execa} from 'execa'
import {afterAll, inject, onTestFinished} from 'vitest'
import {parse, stringify} from 'yaml'
import {freePort, sleep, tail, waitFor, type WaitOptions} from './proc.js'
import type {ClusterFacts} from './rig.js'
import {type Mode, REAL_NAMESPACE_LABEL} from './mode.js'
import {STORAGE_CLASS} from './volumes.js'
import {
  EXTRA_ROLE,
  VCLUSTER_ROLE_RULES,
  bareNamespaceManifest,
  namespaceManifest,
  writeUserKubeconfig,
} from './users.js'

export {
  EXTRA_ROLE,
  REAL_NAMESPACE_LABEL,
  STORAGE_CLASS,
  VCLUSTER_ROLE_RULES,
  freePort,
  sleep,
  waitFor,
  type ClusterFacts,
  type Mode,
  type WaitOptions,
}

export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Defaults to the admin kubeconfig for HostCluster.kubectl, the user's for TestNamespace.kubectl. */
  kubeconfig?: string
  input?: string
  /** Throw on a non-zero exit (default true for kubectl, false for vcluster). */
  reject?: boolean
  timeoutMs?: number
  env?: Record<string, string>
}

export interface HostCluster extends ClusterFacts {
  adminKubeconfig: string
  /** process.env plus the pinned binaries first on PATH. */
  env: NodeJS.ProcessEnv
  kubectl(args: string[], opts?: RunOptions): Promise<ExecResult>
  /** `kubectl <args> -o json`, parsed. */
  kubectlJson<T = any>(args: string[], opts?: RunOptions): Promise<T>
}

export interface TestNamespace {
  name: string
  /** The user's name (client certificate CN); it has no group and no cluster-scoped rights. */
  user: string
  /** Self-contained kubeconfig; its context's namespace is `name`. Rights: `admin` + EXTRA_ROLE in `name` only. */
  userKubeconfig: string
  /** kubectl as the user. */
  kubectl(args: string[], opts?: RunOptions): Promise<ExecResult>
}

const pending: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const fn of pending.splice(0).reverse()) await fn()
})

/** Runs fn after the current test, or after the test file when called outside a test (e.g. in beforeAll). */
export function deferCleanup(fn: () => Promise<unknown>): void {
  try {
    onTestFinished(async () => void (await fn()))
  } catch {
    pending.push(fn)
  }
}

function runEnv(facts: ClusterFacts, extra?: Record<string, string>): NodeJS.ProcessEnv {
  return {...process.env, PATH: `${facts.binDir}${delimiter}${process.env.PATH ?? ''}`, ...extra}
}

type RunWith = Omit<RunOptions, 'env'> & {env: NodeJS.ProcessEnv}

async function run(file: string, args: string[], opts: RunWith): Promise<ExecResult> {
  const r = await execa(file, args, {
    input: opts.input,
    env: opts.env,
    extendEnv: false,
    reject: false,
    timeout: opts.timeoutMs ?? 60_000,
  })
  const result = {exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr)}
  if (opts.reject !== false && result.exitCode !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} exited ${result.exitCode}${r.timedOut ? ' (timed out)' : ''}:\n` +
        `${result.stderr || result.stdout}`,
    )
  }
  return result
}

/** The cluster of this test run. */
export function useHostCluster(): HostCluster {
  const facts = inject('hostCluster')
  const env = runEnv(facts)
  const kubectl = (args: string[], opts: RunOptions = {}) =>
    run(join(facts.binDir, 'kubectl'), ['--kubeconfig', opts.kubeconfig ?? facts.kubeconfig, ...args], {
      ...opts,
      env: runEnv(facts, opts.env),
    })
  return {
    ...facts,
    adminKubeconfig: facts.kubeconfig,
    env,
    kubectl,
    kubectlJson: async (args, opts) => JSON.parse((await kubectl([...args, '-o', 'json'], opts)).stdout),
  }
}

export interface NamespaceOptions {
  /**
   * Which control plane the rig gives its vCluster pods (mode.ts): the real vCluster unless a test says otherwise.
   * `standin` only where real vClusters cannot be afforded (say why at the call); `manual`: the test runs the
   * sandbox itself.
   */
  mode?: Mode
}

function modeLabels(mode: Mode | undefined): Record<string, string> {
  if (mode === undefined) return {}
  return {[REAL_NAMESPACE_LABEL]: mode === 'real' ? 'true' : mode === 'standin' ? 'false' : 'manual'}
}

/** A fresh namespace `<prefix>-<random>` and a user who may do everything a vCluster needs in it, and nothing else. */
export async function newNamespace(prefix = 'test', opts: NamespaceOptions = {}): Promise<TestNamespace> {
  const cluster = useHostCluster()
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.slice(0, 63)
  const user = `tester-${name}`
  const manifest = namespaceManifest(name, user, modeLabels(opts.mode))
  await cluster.kubectl(['apply', '--server-side', '-f', '-'], {input: manifest})
  deferCleanup(() => cluster.kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']))
  const userKubeconfig = await writeUserKubeconfig(cluster, name, user)
  // The RBAC authorizer learns of new bindings through its informer: wait until both bindings are in effect.
  for (const check of [
    ['create', 'statefulsets.apps'],
    ['update', 'endpoints'],
  ]) {
    await waitFor(
      async () =>
        (
          await cluster.kubectl(['auth', 'can-i', ...check, '-n', name], {kubeconfig: userKubeconfig, reject: false})
        ).stdout.trim() === 'yes',
      {what: `RBAC for ${user}: ${check}`},
    )
  }
  return {
    name,
    user,
    userKubeconfig,
    kubectl: (args, opts = {}) => cluster.kubectl(args, {kubeconfig: userKubeconfig, ...opts}),
  }
}

export interface RoleOnlyOptions extends NamespaceOptions {
  /** The RBAC YAML (e.g. a Role and its RoleBinding) the admin applies; the user's only rights. */
  rbac: (names: {namespace: string; user: string}) => Promise<string> | string
  /** A right the user has once the bindings are in effect (waited for); default `get secrets`. */
  ready?: [verb: string, resource: string]
}

/**
 * A fresh namespace and a user whose only rights are what `opts.rbac` grants (no `admin`, nothing cluster-scoped):
 * for least-privilege tests. newNamespace() gives the broad rights most tests want.
 */
export async function newRoleOnlyNamespace(prefix: string, opts: RoleOnlyOptions): Promise<TestNamespace> {
  const cluster = useHostCluster()
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.slice(0, 63)
  const user = `tester-${name}`
  await cluster.kubectl(['apply', '--server-side', '-f', '-'], {
    input: bareNamespaceManifest(name, modeLabels(opts.mode)),
  })
  deferCleanup(() => cluster.kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']))
  await cluster.kubectl(['apply', '-f', '-'], {input: await opts.rbac({namespace: name, user})})
  const userKubeconfig = await writeUserKubeconfig(cluster, name, user)
  const [verb, resource] = opts.ready ?? ['get', 'secrets']
  await waitFor(
    async () =>
      (
        await cluster.kubectl(['auth', 'can-i', verb, resource, '-n', name], {
          kubeconfig: userKubeconfig,
          reject: false,
        })
      ).stdout.trim() === 'yes',
    {what: `RBAC for ${user}: ${verb} ${resource}`},
  )
  return {
    name,
    user,
    userKubeconfig,
    kubectl: (args, o = {}) => cluster.kubectl(args, {kubeconfig: userKubeconfig, ...o}),
  }
}

export interface VolumeOptions {
  name?: string
  capacity?: string
  storageClassName?: string
  accessModes?: string[]
  /** Pre-bind to this claim. */
  claim?: {namespace: string; name: string}
}

/**
 * A hostPath PersistentVolume (cluster-scoped, so created as admin). Claims of the default StorageClass bind to a
 * matching one; without it the rig's provisioner creates one per claim anyway.
 */
export async function createPersistentVolume(opts: VolumeOptions = {}): Promise<string> {
  const cluster = useHostCluster()
  const name = opts.name ?? `pv-test-${randomBytes(3).toString('hex')}`
  const pv = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {name, labels: {'vcluster-ts.test/pv': 'true'}},
    spec: {
      capacity: {storage: opts.capacity ?? '5Gi'},
      accessModes: opts.accessModes ?? ['ReadWriteOnce'],
      storageClassName: opts.storageClassName ?? STORAGE_CLASS,
      persistentVolumeReclaimPolicy: 'Delete',
      hostPath: {path: join(cluster.dir, 'volumes', name), type: 'DirectoryOrCreate'},
      ...(opts.claim ? {claimRef: {namespace: opts.claim.namespace, name: opts.claim.name}} : {}),
    },
  }
  await cluster.kubectl(['apply', '--server-side', '-f', '-'], {input: stringify(pv)})
  deferCleanup(() => cluster.kubectl(['delete', 'pv', name, '--wait=false', '--ignore-not-found']))
  return name
}

export interface PortForward {
  localPort: number
  stop(): Promise<void>
}

/** `kubectl port-forward <resource> :<remotePort>` on 127.0.0.1; stopped after the test. */
export async function portForward(
  namespace: string,
  resource: string,
  remotePort: number,
  kubeconfig?: string,
): Promise<PortForward> {
  const cluster = useHostCluster()
  const child = spawn(
    join(cluster.binDir, 'kubectl'),
    [
      '--kubeconfig',
      kubeconfig ?? cluster.kubeconfig,
      '-n',
      namespace,
      'port-forward',
      '--address',
      '127.0.0.1',
      resource,
      `:${remotePort}`,
    ],
    {env: cluster.env, stdio: ['ignore', 'pipe', 'pipe']},
  )
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
  deferCleanup(stop)
  const localPort = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`kubectl port-forward exited: ${output}`)
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output)
      return m ? Number(m[1]) : undefined
    },
    {timeoutMs: 30_000, what: `port-forward to ${namespace}/${resource}:${remotePort}`},
  )
  return {localPort, stop}
}

export interface StandInSecret {
  /** Kubeconfig YAML from key `config` (server https://localhost:8443). */
  kubeconfig: string
  certificateAuthority: string
  clientCertificate: string
  clientKey: string
  labels: Record<string, string>
}

/** Waits for Secret vc-<name>, which the vCluster (real, or the rig's stand-in) writes once its control plane runs. */
export async function waitForStandIn(namespace: string, name: string, timeoutMs = 90_000): Promise<StandInSecret> {
  const cluster = useHostCluster()
  const secret = await waitFor(
    async () => {
      const r = await cluster.kubectl(['-n', namespace, 'get', 'secret', `vc-${name}`, '-o', 'json'], {reject: false})
      return r.exitCode === 0 ? JSON.parse(r.stdout) : undefined
    },
    {timeoutMs, what: `Secret ${namespace}/vc-${name}`},
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n--- rig daemon log (${cluster.daemonLog}) ---\n${tail(cluster.daemonLog, 15)}`)
  })
  const data = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8')
  return {
    kubeconfig: data('config'),
    certificateAuthority: data('certificate-authority'),
    clientCertificate: data('client-certificate'),
    clientKey: data('client-key'),
    labels: secret.metadata.labels,
  }
}

/** A copy of kubeconfig YAML with every cluster's server replaced. */
export function withServer(kubeconfig: string, server: string): string {
  const doc = parse(kubeconfig)
  for (const c of doc.clusters ?? []) c.cluster.server = server
  return stringify(doc)
}

/** bin/run.js of this run's copy of the built CLI (cli-snapshot.ts: a rebuild in the tree cannot break it). */
export function cliEntry(): string {
  return join(inject('cliRoot'), 'bin', 'run.js')
}

/** Runs the built CLI (bin/run.js) as a child process with the pinned binaries first on PATH. */
export async function vcluster(args: string[], opts: RunOptions = {}): Promise<ExecResult> {
  const cluster = useHostCluster()
  const env = runEnv(cluster, {...(opts.kubeconfig ? {KUBECONFIG: opts.kubeconfig} : {}), ...opts.env})
  // A command that waits (create, upgrade, resume) waits up to its own default --timeout of 5 minutes for the real
  // vCluster: the child is not cut short before that.
  return run(process.execPath, [cliEntry(), ...args], {
    ...opts,
    timeoutMs: opts.timeoutMs ?? 330_000,
    reject: opts.reject ?? false,
    env,
  })
}

/** Retries a kubectl command (as admin unless opts.kubeconfig) until it exits 0. */
export async function waitForKubectl(args: string[], opts: RunOptions & WaitOptions = {}): Promise<ExecResult> {
  const cluster = useHostCluster()
  return waitFor(
    async () => {
      const r = await cluster.kubectl(args, {...opts, reject: false})
      return r.exitCode === 0 ? r : undefined
    },
    {what: `kubectl ${args.join(' ')}`, ...opts},
  )
}

export interface RunningCli {
  child: import('node:child_process').ChildProcess
  stdout(): string
  stderr(): string
  /** Exit code, or 128 + signal number when a signal ended it (as a shell reports it). */
  exited: Promise<number>
}

/** Starts the built CLI without waiting for it: for tests that act while it runs (signals, faults). */
export function startVcluster(args: string[], opts: Omit<RunOptions, 'input' | 'reject'> = {}): RunningCli {
  const cluster = useHostCluster()
  const env = runEnv(cluster, {...(opts.kubeconfig ? {KUBECONFIG: opts.kubeconfig} : {}), ...opts.env})
  const child = spawn(process.execPath, [cliEntry(), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000)
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve(code ?? 128 + (signal === null ? 0 : osConstants.signals[signal]))
    }),
  )
  deferCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return {child, stdout: () => stdout, stderr: () => stderr, exited}
}
