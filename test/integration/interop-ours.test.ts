// Made by us, handled by upstream: a real vCluster created by vcluster-ts, as the namespace user, seen and driven by
// upstream's own CLI (v0.36.1, built from the pinned module, run in a loopback-only network namespace by
// test/upstream/peer.ts): its `list` shows ours Running at the right version, its `connect -- kubectl` works, and
// a pause by either CLI is understood by the other (the same annotations, loft.sh/paused and loft.sh/paused-replicas).
import {beforeAll, describe, expect, it} from 'vitest'
import {newNamespace, useHostCluster, vcluster, waitFor, type TestNamespace} from '../cluster/index.js'
import {REAL_NAMESPACE_LABEL} from '../cluster/watcher.js'
import {runUpstream, upstreamCliDir} from '../upstream/peer.js'

const cluster = useHostCluster()
const started = Date.now()
/** Progress on stderr: this scenario runs a real vCluster through many steps. */
const step = (what: string) =>
  process.stderr.write(`[interop-ours ${((Date.now() - started) / 1000).toFixed(1)}s] ${what}\n`)
const NAME = 'ours'

beforeAll(() => upstreamCliDir(), 1_800_000)

interface Row {
  Name: string
  Namespace: string
  Status: string
  Version: string
}

async function upstream(ns: TestNamespace, args: string[]) {
  const r = await runUpstream(args, {kubeconfig: ns.userKubeconfig, binDir: cluster.binDir, timeoutMs: 180_000})
  if (r.exitCode !== 0) throw new Error(`upstream vcluster ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`)
  return r
}

async function ours(ns: TestNamespace, args: string[]) {
  const r = await vcluster([...args.slice(0, 1), '--kubeconfig', ns.userKubeconfig, '-n', ns.name, ...args.slice(1)])
  if (r.exitCode !== 0) throw new Error(`vcluster ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`)
  return r
}

/** The row of NAME in each CLI's `list -o json`. */
async function listed(ns: TestNamespace): Promise<{upstream?: Row; ours?: Row}> {
  const [u, o] = await Promise.all([
    upstream(ns, ['list', '-n', ns.name, '--output', 'json']),
    ours(ns, ['list', '-o', 'json']),
  ])
  const find = (rows: Row[] | null) => (rows ?? []).find((r) => r.Name === NAME && r.Namespace === ns.name)
  return {upstream: find(JSON.parse(u.stdout)), ours: find(JSON.parse(o.stdout))}
}

async function statusInBoth(ns: TestNamespace, status: string): Promise<void> {
  await waitFor(
    async () => {
      const rows = await listed(ns)
      return rows.upstream?.Status === status && rows.ours?.Status === status
    },
    {timeoutMs: 120_000, what: `${status} in both CLIs' list`},
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}; last: ${JSON.stringify(await listed(ns))}`)
  })
}

/** The pause annotations on the StatefulSet (upstream's lifecycle package: paused, paused-replicas, paused-date). */
async function pauseMarks(ns: TestNamespace): Promise<string[]> {
  const sts = await cluster.kubectlJson(['-n', ns.name, 'get', 'statefulset', NAME])
  return Object.keys(sts.metadata.annotations ?? {})
    .filter((k) => k.startsWith('loft.sh/paused'))
    .sort()
}

/** kubectl inside the vCluster through upstream's connect (port-forward to the pod, vc-<name>'s credentials). */
async function upstreamInside(ns: TestNamespace): Promise<string> {
  return (await upstream(ns, ['connect', NAME, '-n', ns.name, '--', 'kubectl', 'get', 'namespaces', '-o', 'name']))
    .stdout
}

describe('a vCluster made by vcluster-ts, handled by upstream vcluster 0.36.1', () => {
  it("upstream lists it Running at 0.36.1 and connects; each CLI resumes the other's pause", async () => {
    const ns = await newNamespace('interop-ours')
    await cluster.kubectl(['label', 'namespace', ns.name, `${REAL_NAMESPACE_LABEL}=true`])
    step('create')
    await ours(ns, ['create', NAME, '--connect=false', '--timeout', '5m'])

    step('upstream list, connect')
    const rows = await listed(ns)
    expect(rows.upstream).toMatchObject({Name: NAME, Namespace: ns.name, Status: 'Running', Version: '0.36.1'})
    expect(rows.ours).toMatchObject({Status: 'Running', Version: rows.upstream?.Version})
    expect(await upstreamInside(ns)).toContain('namespace/kube-system')

    step('upstream pause, our resume')
    // Paused by upstream, resumed by us.
    const paused = await upstream(ns, ['pause', NAME, '-n', ns.name])
    expect(paused.stdout + paused.stderr).toContain(`Successfully paused vcluster ${ns.name}/${NAME}`)
    await statusInBoth(ns, 'Paused')
    const sts = await cluster.kubectlJson(['-n', ns.name, 'get', 'statefulset', NAME])
    expect(sts.spec.replicas).toBe(0)
    expect(sts.metadata.annotations).toMatchObject({'loft.sh/paused': 'true', 'loft.sh/paused-replicas': '1'})
    expect(sts.metadata.annotations['loft.sh/paused-date']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const resumed = await ours(ns, ['resume', NAME, '--timeout', '5m'])
    expect(resumed.stderr).toMatch(/ready after/)
    await statusInBoth(ns, 'Running')
    expect(await pauseMarks(ns)).toEqual([])

    step('our pause, upstream resume')
    // Paused by us, resumed by upstream (which does not wait: both lists tell when it is back).
    await ours(ns, ['pause', NAME, '--timeout', '2m'])
    await statusInBoth(ns, 'Paused')
    expect(await pauseMarks(ns)).toEqual(['loft.sh/paused', 'loft.sh/paused-date', 'loft.sh/paused-replicas'])
    await upstream(ns, ['resume', NAME, '-n', ns.name])
    await statusInBoth(ns, 'Running')
    const after = await cluster.kubectlJson(['-n', ns.name, 'get', 'statefulset', NAME])
    expect(after.spec.replicas).toBe(1)
    expect(await pauseMarks(ns)).toEqual([])
    // connect waits for vc-<name> and the API behind the pod: the vCluster works again after upstream's resume.
    expect(await upstreamInside(ns)).toContain('namespace/kube-system')

    // describe: upstream reads ours, but the user's values only from a helm release, which we never write.
    const described = JSON.parse((await upstream(ns, ['describe', NAME, '-n', ns.name, '--output', 'json'])).stdout)
    expect(described).toMatchObject({name: NAME, namespace: ns.name, version: '0.36.1', status: 'Running'})
    // delete: upstream's deletes through helm and refuses a vCluster without a release; it leaves ours untouched.
    const refused = await runUpstream(['delete', NAME, '-n', ns.name], {kubeconfig: ns.userKubeconfig})
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain(`release '${NAME}' not found in namespace '${ns.name}'`)
    expect((await listed(ns)).ours?.Status).toBe('Running')

    step('delete')
    await ours(ns, ['delete', NAME])
    const gone = await upstream(ns, ['list', '-n', ns.name, '--output', 'json'])
    expect(JSON.parse(gone.stdout) ?? []).toEqual([])
  })
})
