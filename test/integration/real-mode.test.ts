// End to end on the real vCluster (upstream's `vcluster start` 0.36.1, run by the rig's watcher for each vCluster
// pod; real mode is the rig's default, asked for explicitly here), as the namespace-scoped user: what `create` applies must
// become a working virtual cluster, its workloads must run on the host, and `delete` must leave nothing.
import {readFileSync, readdirSync, readlinkSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {newNamespace, useHostCluster, vcluster, waitFor, type TestNamespace} from '../cluster/index.js'

const cluster = useHostCluster()
const NAME = 'e2e'

const WORKLOAD = `
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {greeting: hello}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
stringData: {token: s3cret}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: web-data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        volumeMounts: [{name: config, mountPath: /config}, {name: secret, mountPath: /secret}, {name: data, mountPath: /data}]
      volumes:
      - {name: config, configMap: {name: web-config}}
      - {name: secret, secret: {secretName: web-secret}}
      - {name: data, persistentVolumeClaim: {claimName: web-data}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 80}]}
`

/** kubectl inside the vCluster, through our `connect` as the namespace user. */
async function inside(ns: TestNamespace, args: string[], input?: string): Promise<string> {
  const r = await vcluster(
    ['connect', NAME, '--kubeconfig', ns.userKubeconfig, '-n', ns.name, '--', 'kubectl', ...args],
    {input},
  )
  if (r.exitCode !== 0) throw new Error(`connect -- kubectl ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`)
  return r.stdout
}

/** Every namespaced object in the namespace, as kind/name (events aside: they are records, and expire). */
async function everything(namespace: string): Promise<string[]> {
  const kinds = (await cluster.kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name'])).stdout
    .split('\n')
    .filter((k) => k !== '' && !/^events(\.|$)/.test(k))
  const r = await cluster.kubectl(['-n', namespace, 'get', kinds.join(','), '-o', 'name'])
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .sort()
}

/** Host pods the vCluster synced from its namespace `default` (translated names: <name>-x-default-x-<vCluster>). */
async function hostPods(namespace: string): Promise<Array<{name: string; phase: string}>> {
  const pods = await cluster.kubectlJson(['-n', namespace, 'get', 'pods', '-l', 'app=web'])
  return pods.items.map((p: {metadata: {name: string}; status: {phase: string}}) => ({
    name: p.metadata.name,
    phase: p.status.phase,
  }))
}

/** Processes whose root is under dir (a sandbox chroots into <dir>/rootfs), with their command names. */
function rootedIn(dir: string): Array<{pid: number; comm: string}> {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        if (!readlinkSync(`/proc/${p}/root`).startsWith(dir)) return []
        return [{pid: Number(p), comm: readFileSync(`/proc/${p}/comm`, 'utf8').trim()}]
      } catch {
        return [] // ended meanwhile, or not ours to read
      }
    })
}

interface PodState {
  uid: string
  ready: boolean
  restarts: number
  last?: {exitCode: number; reason: string}
  waiting?: string
}

async function podState(namespace: string, name: string): Promise<PodState | undefined> {
  const r = await cluster.kubectl(['-n', namespace, 'get', 'pod', name, '-o', 'json'], {reject: false})
  if (r.exitCode !== 0) return undefined
  const pod = JSON.parse(r.stdout)
  const c = pod.status.containerStatuses?.find((x: {name: string}) => x.name === 'syncer') ?? {}
  return {
    uid: pod.metadata.uid,
    restarts: c.restartCount ?? 0,
    last: c.lastState?.terminated,
    waiting: c.state?.waiting?.reason,
    ready: pod.status.conditions?.some(
      (x: {type: string; status: string}) => x.type === 'Ready' && x.status === 'True',
    ),
  }
}

describe('the real vCluster, end to end, as the namespace user', () => {
  it('create waits for its readiness; connect works; workloads sync to the host and run; delete leaves nothing', async () => {
    const ns = await newNamespace('real', {mode: 'real'})
    const before = await everything(ns.name)

    const created = await vcluster([
      'create',
      NAME,
      '--kubeconfig',
      ns.userKubeconfig,
      '-n',
      ns.name,
      '--connect=false',
      '--timeout',
      '5m',
    ])
    expect(created.exitCode, created.stderr).toBe(0)
    // The stand-in answers within ~2 s; the real vCluster's /readyz takes several seconds more (kube-apiserver, kine).
    const seconds = Number(/ready after ([\d.]+)s/.exec(created.stderr)?.[1])
    process.stderr.write(`[real-mode] create: ready after ${seconds} s\n`)
    expect(seconds).toBeGreaterThan(4)
    // connect waits for vc-<name>, which the vCluster writes a moment after its /readyz first answers.
    expect(await inside(ns, ['get', 'namespaces', '-o', 'name'])).toContain('namespace/kube-system')
    const secret = await cluster.kubectlJson(['-n', ns.name, 'get', 'secret', `vc-${NAME}`, '--show-managed-fields'])
    expect(secret.metadata.managedFields.map((f: {manager: string}) => f.manager)).toEqual(['vcluster'])
    await inside(ns, ['apply', '-n', 'default', '-f', '-'], WORKLOAD)

    // On the host: the translated objects in the vCluster's namespace, and the pods kwok runs.
    for (const obj of ['configmap/web-config', 'secret/web-secret', 'service/web', 'persistentvolumeclaim/web-data']) {
      const [kind, name] = obj.split('/')
      await waitFor(
        async () =>
          (await cluster.kubectl(['-n', ns.name, 'get', `${kind}`, `${name}-x-default-x-${NAME}`], {reject: false}))
            .exitCode === 0,
        {timeoutMs: 60_000, what: `host ${obj}-x-default-x-${NAME}`},
      )
    }
    const pods = await waitFor(
      async () => {
        const p = await hostPods(ns.name)
        return p.length === 2 && p.every((x) => x.phase === 'Running') ? p : undefined
      },
      {timeoutMs: 90_000, what: 'the 2 web pods Running on the host'},
    )
    for (const p of pods) expect(p.name).toMatch(new RegExp(`^web-[a-z0-9]+-[a-z0-9]+-x-default-x-${NAME}$`))
    expect(
      (await cluster.kubectlJson(['-n', ns.name, 'get', 'pvc', `web-data-x-default-x-${NAME}`])).status.phase,
    ).toBe('Bound')

    // Inside: the status kwok gave the host pods comes back, Ready included (the rig's stage pod-ready-again writes
    // it again after the syncer copies the virtual pod's conditions over it), so the Deployment becomes available.
    // CoreDNS (the vCluster's own Deployment) runs on the host too.
    await waitFor(
      async () => {
        const phases = (
          await inside(ns, ['get', 'pods', '-n', 'default', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.phase}'])
        ).split(' ')
        return phases.length === 2 && phases.every((p) => p === 'Running')
      },
      {timeoutMs: 60_000, what: 'Running seen inside the vCluster'},
    )
    await waitFor(
      async () =>
        (await inside(ns, [
          'get',
          'deployment',
          'web',
          '-n',
          'default',
          '-o',
          'jsonpath={.status.availableReplicas}',
        ])) === '2',
      {timeoutMs: 90_000, what: 'Deployment web available (2/2) inside the vCluster'},
    )
    await waitFor(
      async () => {
        const host = await cluster.kubectlJson([
          '-n',
          ns.name,
          'get',
          'pods',
          '-l',
          'vcluster.loft.sh/namespace=kube-system',
        ])
        const phases = await inside(ns, [
          'get',
          'pods',
          '-n',
          'kube-system',
          '-l',
          'k8s-app=vcluster-kube-dns',
          '-o',
          'jsonpath={.items[*].status.phase}',
        ])
        return (
          host.items.length === 1 &&
          host.items[0].metadata.name.startsWith('coredns-') &&
          host.items[0].status.phase === 'Running' &&
          phases === 'Running'
        )
      },
      {timeoutMs: 90_000, what: 'CoreDNS Running on the host and inside'},
    )

    const deleted = await vcluster(['delete', NAME, '--kubeconfig', ns.userKubeconfig, '-n', ns.name])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    // Synced objects go with the vCluster (garbage collection after its Service): wait for them, then compare.
    await waitFor(async () => JSON.stringify(await everything(ns.name)) === JSON.stringify(before), {
      timeoutMs: 60_000,
      what: 'nothing of the vCluster left in the namespace',
    }).catch(async (error: Error) => {
      const now = await everything(ns.name)
      throw new Error(`${error.message}; left: ${now.filter((o) => !before.includes(o)).join(', ')}`)
    })
    const managed = await cluster.kubectl([
      'get',
      'priorityclasses,clusterroles,clusterrolebindings',
      '-o',
      'name',
      '-l',
      `vcluster.loft.sh/managed-by`,
    ])
    expect(managed.stdout.trim()).toBe('')
  })

  it("its pod is Ready from /readyz, not Ready when it dies, restarted with back-off on its data; a deleted pod's sandbox stops", async () => {
    const ns = await newNamespace('real-restart', {mode: 'real'})
    const created = await vcluster([
      'create',
      'rs',
      '--kubeconfig',
      ns.userKubeconfig,
      '-n',
      ns.name,
      '--connect=false',
      '--timeout',
      '5m',
    ])
    expect(created.exitCode, created.stderr).toBe(0)
    const first = await podState(ns.name, 'rs-0')
    expect(first).toMatchObject({ready: true, restarts: 0})
    const dir = join(cluster.dir, 'real', first?.uid ?? '')
    const syncer = rootedIn(dir).find((p) => p.comm === 'vcluster')
    expect(syncer, JSON.stringify(rootedIn(dir))).toBeDefined()

    process.kill(syncer?.pid ?? 0, 'SIGKILL')
    // As a kubelet: not Ready at once, the exit recorded, a back-off before the next start.
    const crashed = await waitFor(
      async () => {
        const s = await podState(ns.name, 'rs-0')
        return s?.restarts === 1 ? s : undefined
      },
      {timeoutMs: 10_000, what: 'restartCount 1 on rs-0'},
    )
    expect(crashed).toMatchObject({
      uid: first?.uid,
      ready: false,
      last: {exitCode: 137, reason: 'Error'},
      waiting: 'CrashLoopBackOff',
    })
    // During the back-off, as with a kubelet, `kubectl logs` shows the container that exited; --previous it later.
    // kwok learns of its Logs objects through an informer: the first answer may still be "no logs found".
    await waitFor(
      async () =>
        (await ns.kubectl(['logs', 'rs-0', '-c', 'syncer'], {reject: false})).stdout.includes(
          '[sandbox] container exited (SIGKILL)',
        ),
      {timeoutMs: 8_000, what: 'kubectl logs of the exited container'},
    )
    const restarted = Date.now()
    await waitFor(async () => (await podState(ns.name, 'rs-0'))?.ready, {timeoutMs: 60_000, what: 'rs-0 Ready again'})
    // 10 s of back-off, then a start on its data (~5 s).
    expect(Date.now() - restarted).toBeGreaterThan(8_000)
    expect((await ns.kubectl(['logs', 'rs-0', '-c', 'syncer'])).stdout).not.toContain('container exited')
    expect((await ns.kubectl(['logs', 'rs-0', '-c', 'syncer', '--previous'])).stdout).toContain(
      '[sandbox] container exited (SIGKILL)',
    )

    // A re-created pod (new uid) gets a new sandbox only after the old one has stopped: they share the data.
    await ns.kubectl(['delete', 'pod', 'rs-0', '--wait=false'])
    const second = await waitFor(
      async () => {
        const s = await podState(ns.name, 'rs-0')
        return s?.uid !== first?.uid && s?.ready ? s : undefined
      },
      {timeoutMs: 90_000, what: 'the re-created rs-0 Ready'},
    )
    expect(rootedIn(dir)).toEqual([])
    expect(second.restarts).toBe(0)

    const deleted = await vcluster(['delete', 'rs', '--kubeconfig', ns.userKubeconfig, '-n', ns.name])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    await waitFor(() => rootedIn(join(cluster.dir, 'real', second.uid)).length === 0, {
      timeoutMs: 60_000,
      what: 'the sandbox of the deleted vCluster to stop',
    })
  })

  it('upgrade rolls the pod and keeps its objects; pause removes it and its workloads from the host; resume brings them back', async () => {
    const ns = await newNamespace('real-day2', {mode: 'real'})
    const user = ['--kubeconfig', ns.userKubeconfig, '-n', ns.name]
    const created = await vcluster(['create', NAME, ...user, '--connect=false', '--timeout', '5m'])
    expect(created.exitCode, created.stderr).toBe(0)
    await inside(ns, ['create', 'configmap', 'keep', '-n', 'default', '--from-literal=k=v'])
    await inside(ns, ['create', 'deployment', 'web', '-n', 'default', '--image=nginx:1.27'])
    const webOnHost = async () => (await hostPods(ns.name)).filter((p) => p.phase === 'Running').length
    await waitFor(async () => (await webOnHost()) === 1, {timeoutMs: 90_000, what: 'web Running on the host'})
    const before = await podState(ns.name, `${NAME}-0`)

    const upgraded = await vcluster([
      'upgrade',
      NAME,
      ...user,
      '-y',
      '--set',
      'controlPlane.statefulSet.pods.annotations.rolled=yes',
      '--timeout',
      '5m',
    ])
    expect(upgraded.exitCode, upgraded.stderr).toBe(0)
    const after = await podState(ns.name, `${NAME}-0`)
    expect(after?.uid).not.toBe(before?.uid)
    expect(after?.ready).toBe(true)
    expect(await inside(ns, ['get', 'configmap', 'keep', '-n', 'default', '-o', 'jsonpath={.data.k}'])).toBe('v')

    const paused = await vcluster(['pause', NAME, ...user])
    expect(paused.exitCode, paused.stderr).toBe(0)
    await waitFor(
      async () => (await podState(ns.name, `${NAME}-0`)) === undefined && (await hostPods(ns.name)).length === 0,
      {timeoutMs: 60_000, what: 'the vCluster pod and its web pod gone from the host'},
    )
    await waitFor(() => rootedIn(join(cluster.dir, 'real', after?.uid ?? '')).length === 0, {
      timeoutMs: 60_000,
      what: "the paused vCluster's sandbox to stop",
    })
    expect((await cluster.kubectl(['-n', ns.name, 'get', 'pvc', `data-${NAME}-0`])).exitCode).toBe(0)

    const resumed = await vcluster(['resume', NAME, ...user, '--timeout', '5m'])
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(await inside(ns, ['get', 'configmap', 'keep', '-n', 'default', '-o', 'jsonpath={.data.k}'])).toBe('v')
    await waitFor(async () => (await webOnHost()) === 1, {timeoutMs: 90_000, what: 'web Running on the host again'})
  })
})
