// Fault injection for integration tests: kill the host cluster's kube-apiserver and start it again, exactly as
// kwokctl started it (command line, working directory, environment, log file), so the rest of the cluster and
// every client see a real outage and a real return. Components that gave up meanwhile (the controller-manager
// exits when it cannot renew its leader lease) are started again the same way.
import {spawn} from 'node:child_process'
import {closeSync, openSync, readFileSync, readlinkSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'
import {pidAlive, sleep, waitFor} from './proc.js'
import type {ClusterFacts} from './rig.js'

const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller'] as const
type Component = (typeof COMPONENTS)[number]

interface ProcessImage {
  component: Component
  argv: string[]
  cwd: string
  env: Record<string, string>
  log: string
  pidFile: string
}

export interface Outage {
  /** When the API server stopped answering (ms since epoch). */
  downAt: number
  /** Starts everything that is down again and waits until the API server is ready; safe to call twice. */
  restore(): Promise<{downMs: number}>
}

function clusterDir(facts: ClusterFacts): string {
  return join(facts.dir, 'kwok', 'clusters', facts.name)
}

function pidOf(facts: ClusterFacts, component: Component): number {
  return Number(readFileSync(join(clusterDir(facts), 'pids', `${component}.pid`), 'utf8').trim())
}

/** What it takes to start a running component again, read from /proc while it still runs. */
function imageOf(facts: ClusterFacts, component: Component): ProcessImage {
  const pid = pidOf(facts, component)
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((a) => a !== '')
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((e) => e.includes('='))
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  )
  return {
    component,
    argv,
    env,
    cwd: readlinkSync(`/proc/${pid}/cwd`),
    log: readlinkSync(`/proc/${pid}/fd/2`),
    pidFile: join(clusterDir(facts), 'pids', `${component}.pid`),
  }
}

/** Starts a component detached, logging where it logged before, and records its pid where kwokctl looks for it. */
function start(image: ProcessImage): number {
  const log = openSync(image.log, 'a')
  try {
    const child = spawn(image.argv[0] as string, image.argv.slice(1), {
      cwd: image.cwd,
      env: image.env,
      detached: true,
      stdio: ['ignore', log, log],
    })
    child.unref()
    if (child.pid === undefined) throw new Error(`could not start ${image.component}`)
    writeFileSync(image.pidFile, String(child.pid))
    return child.pid
  } finally {
    closeSync(log)
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host: '127.0.0.1', port}, () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

/**
 * Kills the host kube-apiserver with SIGKILL (no graceful shutdown: clients see resets and refused connections)
 * and returns once its port refuses connections.
 */
export async function killApiServer(facts: ClusterFacts): Promise<Outage> {
  const images = COMPONENTS.map((c) => imageOf(facts, c))
  const pid = pidOf(facts, 'kube-apiserver')
  const port = Number(new URL(facts.server).port)
  process.kill(pid, 'SIGKILL')
  await waitFor(async () => !pidAlive(pid) && !(await portOpen(port)), {
    timeoutMs: 10_000,
    intervalMs: 20,
    what: 'kube-apiserver to die',
  })
  const downAt = Date.now()
  let restored: Promise<{downMs: number}> | undefined
  return {
    downAt,
    restore: () => (restored ??= restoreAll(facts, images, downAt)),
  }
}

async function restoreAll(facts: ClusterFacts, images: ProcessImage[], downAt: number): Promise<{downMs: number}> {
  const apiserver = images.find((i) => i.component === 'kube-apiserver') as ProcessImage
  start(apiserver)
  await waitFor(() => apiReady(facts), {timeoutMs: 60_000, intervalMs: 100, what: 'kube-apiserver to be ready again'})
  const downMs = Date.now() - downAt
  await keepComponentsUp(facts, images, downAt)
  return {downMs}
}

/**
 * The controller-manager and scheduler exit when they cannot renew their leader lease for 10 s, which may happen
 * a while after the API server is back. Until each has renewed its lease after the outage (it survived) or died
 * and was started again, keep watching.
 */
async function keepComponentsUp(facts: ClusterFacts, images: ProcessImage[], downAt: number): Promise<void> {
  const leased: Component[] = ['kube-controller-manager', 'kube-scheduler']
  const deadline = Date.now() + 30_000
  const settled = new Set<Component>()
  while (settled.size < leased.length && Date.now() < deadline) {
    for (const image of images) {
      if (image.component === 'kube-apiserver' || pidAlive(pidOf(facts, image.component))) continue
      start(image)
      settled.add(image.component)
    }
    for (const c of leased) if (!settled.has(c) && (await leaseRenewedAfter(facts, c, downAt))) settled.add(c)
    await sleep(250)
  }
}

async function leaseRenewedAfter(facts: ClusterFacts, component: Component, since: number): Promise<boolean> {
  const lease = await adminGet(facts, `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${component}`)
  const renewed = Date.parse((JSON.parse(lease.body || '{}') as {spec?: {renewTime?: string}}).spec?.renewTime ?? '')
  return lease.status === 200 && renewed > since
}

async function apiReady(facts: ClusterFacts): Promise<boolean> {
  return (await adminGet(facts, '/readyz')).status === 200
}

/** A GET with the admin credentials (curl-free: Node's https with the kubeconfig's client certificate). */
async function adminGet(facts: ClusterFacts, path: string): Promise<{status: number; body: string}> {
  const {request} = await import('node:https')
  const {parse} = await import('yaml')
  const kc = parse(readFileSync(facts.kubeconfig, 'utf8')) as {users: {user: Record<string, string>}[]}
  const user = kc.users[0]?.user ?? {}
  const pem = (data?: string, file?: string) =>
    data !== undefined ? Buffer.from(data, 'base64') : file !== undefined ? readFileSync(file) : undefined
  return new Promise((resolve) => {
    const req = request(
      `${facts.server}${path}`,
      {
        ca: readFileSync(facts.caCert),
        cert: pem(user['client-certificate-data'], user['client-certificate']),
        key: pem(user['client-key-data'], user['client-key']),
        timeout: 2000,
      },
      (res) => {
        let body = ''
        res.on('data', (d: Buffer) => (body += d.toString()))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
        res.on('error', () => resolve({status: 0, body: ''}))
      },
    )
    req.on('error', () => resolve({status: 0, body: ''}))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}
