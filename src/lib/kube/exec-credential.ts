import {spawn, type ChildProcess} from 'node:child_process'
import {isAbsolute, join} from 'node:path'
import {ForbiddenError, TimeoutError, UsageError} from '../errors.js'

/** A kubeconfig user's `exec:` entry (client.authentication.k8s.io ExecConfig). */
export interface ExecConfig {
  command?: string
  args?: string[] | null
  env?: {name: string; value: string}[] | null
  apiVersion?: string
  installHint?: string
  provideClusterInfo?: boolean
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always'
}

/** The cluster fields a plugin may be told about (KUBERNETES_EXEC_INFO, with provideClusterInfo). */
export interface ExecClusterInfo {
  server?: string
  'certificate-authority-data'?: string
  'insecure-skip-tls-verify'?: boolean
  'tls-server-name'?: string
  'proxy-url'?: string
}

/** What a plugin gave: a bearer token, or a client certificate and key. */
export interface ExecCredential {
  token?: string
  cert?: Buffer
  key?: Buffer
  /** Epoch ms after which the plugin must run again; undefined when it never expires. */
  expiresAt?: number
}

export interface ExecOptions {
  user: string
  /** Directory of the kubeconfig file that names the user: a relative command with a slash resolves against it. */
  dir: string
  cluster: ExecClusterInfo
  /** How long the plugin may take; a plugin that hangs must not hang the CLI. */
  timeoutMs: number
  stdinIsTerminal?: boolean
  env?: NodeJS.ProcessEnv
}

/** Renews this long before the credential expires, so a request never goes out with one about to lapse. */
const EXPIRY_MARGIN_MS = 10_000
const KILL_GRACE_MS = 2_000

/**
 * Runs a kubeconfig's credential plugin as kubectl does (client-go's exec authenticator): KUBERNETES_EXEC_INFO set,
 * the plugin's stderr and (when interactive) the terminal's stdin passed through, its stdout read as an
 * ExecCredential. Unlike client-node's, it is bounded: a plugin that does not answer within the timeout is stopped.
 * Concurrent callers share one run; the result is reused until it expires.
 */
export function execCredentialSource(exec: ExecConfig, options: ExecOptions): () => Promise<ExecCredential> {
  let current: Promise<ExecCredential> | undefined
  let expiresAt: number | undefined
  return async () => {
    if (current === undefined || (expiresAt !== undefined && Date.now() > expiresAt - EXPIRY_MARGIN_MS)) {
      current = runPlugin(exec, options).then((c) => ((expiresAt = c.expiresAt), c))
      current.catch(() => (current = undefined))
    }
    return current
  }
}

async function runPlugin(exec: ExecConfig, options: ExecOptions): Promise<ExecCredential> {
  const command = exec.command
  if (command === undefined || command === '')
    throw new UsageError(
      `user "${options.user}" in your kubeconfig has an exec entry without a command`,
      'Fix the user in your kubeconfig.',
    )
  const interactive = interactiveFor(exec, options)
  const path = command.includes('/') && !isAbsolute(command) ? join(options.dir, command) : command
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    KUBERNETES_EXEC_INFO: JSON.stringify(execInfo(exec, options.cluster, interactive)),
  }
  for (const e of exec.env ?? []) env[e.name] = e.value
  const {stdout, code} = await spawnBounded(path, exec.args ?? [], {
    env,
    interactive,
    timeoutMs: options.timeoutMs,
    exec,
    user: options.user,
  })
  const label = `the credential plugin "${command}" of user "${options.user}"`
  if (code !== 0)
    throw new ForbiddenError(
      `${label} failed (exit code ${code}); its own message is above`,
      `Run it yourself to see why: ${commandLine(exec)}`,
    )
  return parseCredential(stdout, label, exec)
}

function interactiveFor(exec: ExecConfig, options: ExecOptions): boolean {
  const terminal = options.stdinIsTerminal ?? process.stdin.isTTY === true
  const mode = exec.interactiveMode ?? 'IfAvailable'
  if (mode === 'Always' && !terminal) {
    throw new UsageError(
      `the credential plugin "${exec.command}" of user "${options.user}" needs a terminal (interactiveMode: Always), and standard input is not one`,
      'Run the command from a terminal, or log in first so the plugin has a cached credential.',
    )
  }
  return mode !== 'Never' && terminal
}

function execInfo(exec: ExecConfig, cluster: ExecClusterInfo, interactive: boolean): object {
  const spec: Record<string, unknown> = {interactive}
  if (exec.provideClusterInfo === true) {
    spec.cluster = {
      server: cluster.server,
      'tls-server-name': cluster['tls-server-name'],
      'insecure-skip-tls-verify': cluster['insecure-skip-tls-verify'],
      'certificate-authority-data': cluster['certificate-authority-data'],
      'proxy-url': cluster['proxy-url'],
    }
  }
  return {kind: 'ExecCredential', apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1beta1', spec}
}

interface SpawnOptions {
  env: NodeJS.ProcessEnv
  interactive: boolean
  timeoutMs: number
  exec: ExecConfig
  user: string
}

/** Plugins still running: stopped when the CLI exits early (an interrupt, or the command's own deadline). */
const running = new Set<ChildProcess>()
let exitHook = false

function spawnBounded(path: string, args: string[], o: SpawnOptions): Promise<{stdout: string; code: number | null}> {
  if (!exitHook) {
    exitHook = true
    process.on('exit', () => running.forEach((c) => c.kill('SIGTERM')))
  }
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, {env: o.env, stdio: [o.interactive ? 'inherit' : 'ignore', 'pipe', 'inherit']})
    running.add(child)
    let stdout = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref()
    }, o.timeoutMs)
    child.on('error', (error: NodeJS.ErrnoException) => {
      running.delete(child)
      clearTimeout(timer)
      if (error.code !== 'ENOENT')
        return reject(
          new UsageError(`cannot run the credential plugin "${o.exec.command}" of user "${o.user}": ${error.message}`),
        )
      reject(
        new UsageError(
          `the credential plugin "${o.exec.command}" of user "${o.user}" is not installed (not found${path.includes('/') ? ` at ${path}` : ' on PATH'})`,
          o.exec.installHint?.trim() || "Install it, or fix the user's exec command in your kubeconfig.",
        ),
      )
    })
    child.on('close', (code) => {
      running.delete(child)
      clearTimeout(timer)
      if (!timedOut) return resolve({stdout, code})
      reject(
        new TimeoutError(
          `the credential plugin "${o.exec.command}" of user "${o.user}" gave no credential within ${Number((o.timeoutMs / 1000).toFixed(1))} s, and was stopped`,
          `Run it yourself to see where it waits: ${commandLine(o.exec)}\nOr give it longer with --timeout.`,
        ),
      )
    })
  })
}

function parseCredential(stdout: string, label: string, exec: ExecConfig): ExecCredential {
  let status:
    | {token?: unknown; clientCertificateData?: unknown; clientKeyData?: unknown; expirationTimestamp?: unknown}
    | undefined
  try {
    status = (JSON.parse(stdout) as {status?: typeof status}).status
  } catch {
    // reported below
  }
  const hint = `Run it yourself to check what it prints: ${commandLine(exec)}`
  if (status === undefined || status === null || typeof status !== 'object')
    throw new ForbiddenError(`${label} printed no ExecCredential with a status`, hint)
  const expires = typeof status.expirationTimestamp === 'string' ? Date.parse(status.expirationTimestamp) : undefined
  const base = {expiresAt: Number.isNaN(expires) ? undefined : expires}
  if (typeof status.token === 'string' && status.token !== '') return {...base, token: status.token}
  if (typeof status.clientCertificateData === 'string' && typeof status.clientKeyData === 'string') {
    return {...base, cert: Buffer.from(status.clientCertificateData), key: Buffer.from(status.clientKeyData)}
  }
  throw new ForbiddenError(`${label} gave neither a token nor a client certificate and key`, hint)
}

function commandLine(exec: ExecConfig): string {
  return [exec.command, ...(exec.args ?? [])]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a ?? '') ? a : `'${String(a).replaceAll("'", "'\\''")}'`))
    .join(' ')
}
