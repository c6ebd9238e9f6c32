// The real vCluster (upstream's `vcluster start`, v0.36.1) behind a pod our CLI created, run by the real-mode sandbox
// (test/cluster/real) from the pod object alone, in a namespace the stand-in watcher leaves alone (labelled).
import {spawn} from 'node:child_process'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync} from 'node:fs'
import {request} from 'node:https'
import {connect} from 'node:net'
import {join} from 'node:path'
import {CoreV1Api, KubeConfig, type V1Pod} from '@kubernetes/client-node'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {deferCleanup, newNamespace, useHostCluster, vcluster, waitFor, withServer} from '../cluster/index.js'
import {pidFileTracker} from '../cluster/etcd.js'
import {REPO_ROOT} from '../cluster/rig.js'
import {ensureRealBinaries} from '../cluster/real/build.js'
import {RealVcluster, type RealHost} from '../cluster/real/sandbox.js'
import {writePodStatus} from '../cluster/real/status.js'
import {descendants, nsInit, treeUsage} from '../cluster/real/usage.js'

const cluster = useHostCluster()
const NAME = 'real'
let host: RealHost
let namespace: string
let userKubeconfig: string
let pod: V1Pod

/** The status of GET https://127.0.0.1:port/path without verifying the certificate (as a kubelet's probe), 0 if none. */
function probe(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({host: '127.0.0.1', port, path, rejectUnauthorized: false, timeout: 3000}, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', () => resolve(0)).on('timeout', () => req.destroy())
    req.end()
  })
}

async function waitReady(vc: {port: number; logFile: string}, timeoutMs = 120_000): Promise<number> {
  const started = Date.now()
  await waitFor(async () => (await probe(vc.port, '/readyz')) === 200, {
    timeoutMs,
    intervalMs: 200,
    what: `/readyz 200 from the real vCluster (log ${vc.logFile})`,
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n--- last log lines ---\n${tailOf(vc.logFile)}`)
  })
  return Date.now() - started
}

function tailOf(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-25).join('\n') : `(no ${file})`
}

/** Secret vc-<NAME> decoded, with who wrote it (managedFields), once it exists. */
async function vcSecret(): Promise<{data: Record<string, string>; managers: string[]; owners: string[]}> {
  const s = await waitFor(
    async () => {
      const r = await cluster.kubectl(
        ['-n', namespace, 'get', 'secret', `vc-${NAME}`, '-o', 'json', '--show-managed-fields'],
        {reject: false},
      )
      return r.exitCode === 0 ? JSON.parse(r.stdout) : undefined
    },
    {timeoutMs: 60_000, what: `Secret vc-${NAME}`},
  )
  return {
    data: Object.fromEntries(
      Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    ),
    managers: (s.metadata.managedFields ?? []).map((f: {manager: string}) => f.manager),
    owners: (s.metadata.ownerReferences ?? []).map((o: {kind: string; name: string}) => `${o.kind}/${o.name}`),
  }
}

/** The claim's PV path on the host (the rig's provisioner): where the vCluster keeps /data. */
async function dataPath(): Promise<string> {
  const pvc = await cluster.kubectlJson(['-n', namespace, 'get', 'pvc', `data-${NAME}-0`])
  const pv = await cluster.kubectlJson(['get', 'pv', pvc.spec.volumeName])
  return pv.spec.hostPath.path as string
}

/** Everything of a sandbox that could outlive it: live pids, mounts seen on the host, processes rooted in dir. */
function leftovers(pids: number[], dir: string): string[] {
  const alive = pids.filter((p) => existsSync(`/proc/${p}`) && !/\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8')))
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(dir))
  const rooted = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/root`).startsWith(dir)
      } catch {
        return false
      }
    })
  return [...alive.map((p) => `pid ${p}`), ...mounts.map((m) => `mount ${m}`), ...rooted.map((p) => `root of ${p}`)]
}

/** Resolves true if something accepts a connection there. */
function accepts(where: {port: number; host: string} | {path: string}): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(where, () => {
      s.destroy()
      resolve(true)
    }).on('error', () => resolve(false))
  })
}

/**
 * What the watcher does in real mode once /readyz answers: a kwok PortForward, owned by the pod, from its 8443 to a
 * host port, and the pod marked Ready (kwok starts vCluster pods not Ready; connect waits for a Ready pod).
 */
async function forwardPod(port: number): Promise<void> {
  const m = pod.metadata ?? {}
  const pf = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'PortForward',
    metadata: {name: m.name, namespace, ownerReferences: [{apiVersion: 'v1', kind: 'Pod', name: m.name, uid: m.uid}]},
    spec: {forwards: [{ports: [8443], target: {address: '127.0.0.1', port}}]},
  }
  await cluster.kubectl(['apply', '-f', '-'], {input: JSON.stringify(pf)})
  const ref = {namespace, name: m.name ?? '', uid: m.uid ?? ''}
  expect(await writePodStatus(host.kc.makeApiClient(CoreV1Api), ref, true)).toBe(true)
}

function report(what: string, readyMs: number, pid: number): void {
  const u = treeUsage(pid)
  const top = u.byProcess
    .slice(0, 5)
    .map((p) => `${p.comm} ${p.pssMiB}`)
    .join(', ')
  process.stderr.write(
    `[real-vcluster] ${what}: ready after ${(readyMs / 1000).toFixed(1)} s; ${u.processes} processes, ` +
      `PSS ${u.pssMiB} MiB (${top}; RSS ${u.rssMiB}); CPU ${u.cpuSeconds.toFixed(1)} s\n`,
  )
}

beforeAll(async () => {
  const realBinDir = await ensureRealBinaries((l) => process.stderr.write(`${l}\n`))
  const kc = new KubeConfig()
  kc.loadFromFile(cluster.kubeconfig)
  host = {kc, server: cluster.server, binDir: cluster.binDir, realBinDir}
  // Chosen explicitly: `manual`, the watcher skips this namespace (no stand-in, no real mode of its own), so only
  // the sandbox this test runs can answer here.
  const ns = await newNamespace('real', {mode: 'manual'})
  namespace = ns.name
  userKubeconfig = ns.userKubeconfig
  const created = await vcluster([
    'create',
    NAME,
    '--kubeconfig',
    ns.userKubeconfig,
    '-n',
    namespace,
    '--no-wait',
    '--connect=false',
  ])
  expect(created.exitCode, created.stderr).toBe(0)
  const core = kc.makeApiClient(CoreV1Api)
  pod = await waitFor(
    async () => {
      const p = await core.readNamespacedPod({name: `${NAME}-0`, namespace}).catch(() => undefined)
      return p?.status?.podIP ? p : undefined
    },
    {timeoutMs: 60_000, what: `pod ${NAME}-0 scheduled`},
  )
  await waitFor(
    async () => (await cluster.kubectlJson(['-n', namespace, 'get', 'pvc', `data-${NAME}-0`])).status.phase === 'Bound',
    {what: 'the data claim bound'},
  )
}, 3_600_000) // a first run on a machine builds vcluster and kine (~10 min on 2 cores)

describe('the real vCluster in its sandbox', () => {
  it('starts from what create stored, is ready through the host-side port, writes vc-NAME itself, serves its API, and stops without a trace', async () => {
    const dir = join(cluster.dir, 'real', pod.metadata?.uid ?? '')
    const vc = await RealVcluster.start(pod, host, dir, {tracker: pidFileTracker(join(cluster.dir, 'pids'))})
    deferCleanup(() => vc.stop(5000))
    const pid = vc.pid ?? 0
    const init = await waitFor(() => nsInit(pid), {what: "the sandbox's init"})
    const links = execFileSync('nsenter', ['-t', String(init), '-n', 'ip', '-o', 'link'], {encoding: 'utf8'})
    expect(
      links
        .trim()
        .split('\n')
        .map((l) => l.split(':')[1]?.trim()),
    ).toEqual(['lo'])

    const readyMs = await waitReady(vc)
    report('first start', readyMs, pid)
    const secret = await vcSecret()
    expect(Object.keys(secret.data)).toEqual(
      expect.arrayContaining(['config', 'certificate-authority', 'client-certificate', 'client-key']),
    )
    expect(secret.managers).not.toContain('vcluster-ts-standin')
    expect(secret.owners).toEqual([`Service/${NAME}`])
    expect(secret.data['certificate-authority']).toBe(readFileSync(join(await dataPath(), 'pki', 'ca.crt'), 'utf8'))

    // Its own API, TLS verified with the CA it published, as `connect` would use it.
    const file = join(dir, 'vc.kubeconfig')
    writeFileSync(file, withServer(secret.data.config ?? '', `https://localhost:${vc.port}`))
    const ns = await cluster.kubectl(['get', 'namespaces', '-o', 'name'], {kubeconfig: file})
    expect(ns.stdout.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system']))
    // Our connect, as the namespace user, through the pod's port 8443 (kwok) to the real vCluster.
    await forwardPod(vc.port)
    const connected = await waitFor(
      async () => {
        const r = await vcluster([
          'connect',
          NAME,
          '--kubeconfig',
          userKubeconfig,
          '-n',
          namespace,
          '--timeout',
          '20s',
          '--',
          'kubectl',
          'get',
          'serviceaccount',
          'default',
          '-n',
          'default',
          '-o',
          'name',
        ])
        return r.exitCode === 0 ? r : undefined // kwok learns of the PortForward through an informer
      },
      {timeoutMs: 30_000, what: 'vcluster connect -- kubectl get serviceaccount default'},
    )
    expect(connected.stdout.trim()).toBe('serviceaccount/default') // made by the vCluster's controller-manager

    const tree = descendants(pid)
    await vc.stop()
    expect(leftovers(tree, dir)).toEqual([])
    expect(await accepts({host: '127.0.0.1', port: vc.port})).toBe(false)
    expect(existsSync(join(dir, 'sock'))).toBe(false)
    expect(readFileSync(vc.logFile, 'utf8')).toMatch(/SIGTERM: passing it to the container/)
  })

  it('restarts on its data (same CA), and a SIGKILLed runner leaves no process, mount or listener behind', async () => {
    const dir = join(cluster.dir, 'real', pod.metadata?.uid ?? '')
    const before = (await vcSecret()).data['certificate-authority']
    const runner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'test', 'cluster', 'real', 'run.ts'),
        '--kubeconfig',
        cluster.kubeconfig,
        '--namespace',
        namespace,
        '--pod',
        `${NAME}-0`,
        '--dir',
        dir,
        '--bin',
        cluster.binDir,
        '--real-bin',
        host.realBinDir,
      ],
      {cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe']},
    )
    deferCleanup(async () => void runner.kill('SIGKILL'))
    let out = ''
    runner.stdout.on('data', (d: Buffer) => (out += d.toString()))
    runner.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const started = await waitFor(
      () => {
        if (runner.exitCode !== null) throw new Error(`run.ts exited ${runner.exitCode}: ${out}`)
        const line = out.split('\n').find((l) => l.startsWith('{'))
        return line ? (JSON.parse(line) as {pid: number; port: number; log: string}) : undefined
      },
      {timeoutMs: 30_000, what: 'run.ts to start the sandbox'},
    )
    const readyMs = await waitReady({port: started.port, logFile: started.log})
    report('restart on its data', readyMs, started.pid)
    expect((await vcSecret()).data['certificate-authority']).toBe(before)
    await expect(RealVcluster.start(pod, host, dir)).rejects.toThrow(/is still running in/)
    expect(await probe(started.port, '/readyz')).toBe(200) // the refused second start touched nothing

    const tree = descendants(started.pid)
    expect(tree.length).toBeGreaterThan(3) // unshare, init, vcluster and its control plane
    runner.kill('SIGKILL')
    await waitFor(
      () => {
        const left = leftovers(tree, dir)
        if (left.length > 0) throw new Error(left.join(', '))
        return true
      },
      {timeoutMs: 10_000, what: 'the sandbox to die with its runner'},
    )
    expect(await accepts({host: '127.0.0.1', port: started.port})).toBe(false)
    // The socket files stay (nobody removed them) but nothing listens; the next start replaces them.
    for (const f of ['api.sock', '8443.sock']) expect(await accepts({path: join(dir, 'sock', f)})).toBe(false)
  })

  it("exits with the real vCluster's own error when the stored config has a key 0.36.1 does not know, leaving nothing", async () => {
    // The defect the stand-in could never show (issue 13): logging.file was stored by `create` and is fatal upstream.
    const secret = await cluster.kubectlJson(['-n', namespace, 'get', 'secret', `vc-config-${NAME}`])
    const config = parse(Buffer.from(secret.data['config.yaml'], 'base64').toString())
    config.logging = {...config.logging, file: '/tmp/vcluster.log'}
    const patch = {data: {'config.yaml': Buffer.from(stringify(config)).toString('base64')}}
    await cluster.kubectl([
      '-n',
      namespace,
      'patch',
      'secret',
      `vc-config-${NAME}`,
      '--type',
      'merge',
      '-p',
      JSON.stringify(patch),
    ])
    const dir = join(cluster.dir, 'real', pod.metadata?.uid ?? '')
    const vc = await RealVcluster.start(pod, host, dir)
    deferCleanup(() => vc.stop(5000))
    const tree = descendants(vc.pid ?? 0)
    const code = await Promise.race([vc.exited, new Promise((resolve) => setTimeout(resolve, 30_000, 'running'))])
    expect(code, tailOf(vc.logFile)).toBe(1)
    expect(tailOf(vc.logFile)).toMatch(/parsing config bytes: .*unknown field \\"file\\"/)
    expect(leftovers(tree, dir)).toEqual([])
    expect(existsSync(join(dir, 'sock'))).toBe(false)
  })
})
