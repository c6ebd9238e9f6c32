/**
 * Our CLI side by side with upstream's (`vcluster` v0.36.1, built by test/upstream/build-cli.sh), issue 15. Both run
 * through the same runner (test/upstream/peer.ts: a network namespace with only `lo`, bridged to the host API
 * server, a fresh HOME, telemetry and update checks off), as the same user with the same kubeconfig. A command's
 * wall time and peak RSS (its process tree's largest) come from the runner's init, which starts and waits for it
 * inside the namespace; its requests from the API server's audit log. Runs alternate between the two CLIs, so both
 * see the same load.
 */
import {copyFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {type PeerResult, runPeer} from '../test/upstream/peer.js'
import {type AuditEvent, auditedRequests, describeRequests} from './audit.js'
import type {BenchTarget} from './cluster.js'
import {say} from './lib.js'
import {notes} from './report.js'
import {versusRow} from './versus-report.js'
import {type Watch, watchLines} from './watch.js'

export type Cli = 'ours' | 'upstream'
const CLIS: Cli[] = ['ours', 'upstream']

export interface VersusTarget extends BenchTarget {
  /** The rig's bin dir: the pinned kubectl that both `connect -- kubectl` run. */
  binDir: string
  /** The release's chart, for upstream's `create --local-chart-dir` (no internet). */
  chartDir: string
  /** Where each CLI's copy of the bench user's kubeconfig goes. */
  workDir: string
}

/** One CLI's figures for one measure: wall ms and peak RSS KiB per run, the requests of one run. */
export interface Side {
  ms: number[]
  rssKiB: number[]
  requests?: AuditEvent[]
}

const fresh = (): Side => ({ms: [], rssKiB: []})

/** Runs one CLI in the peer's namespace; throws with its stderr when it fails. */
async function run(t: VersusTarget, cli: Cli, args: string[], timeoutMs = 900_000): Promise<PeerResult> {
  // Each CLI its own copy of the same user's kubeconfig: neither sees what the other may write into it.
  const kubeconfig = join(t.workDir, `kubeconfig-${cli}.yaml`)
  const common = {kubeconfig, binDir: t.binDir, timeoutMs}
  const r =
    cli === 'ours'
      ? await runPeer(t.bin, args, {
          ...common,
          env: {PATH: [dirname(process.execPath), t.binDir, '/usr/bin', '/bin'].join(':'), NO_COLOR: '1'},
        })
      : await runPeer('vcluster', args, common)
  if (r.exitCode !== 0 || r.stats === undefined)
    throw new Error(
      `${cli} vcluster ${args.join(' ')} failed (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''}):\n${r.stderr.slice(-3000)}`,
    )
  return r
}

function record(side: Side, r: PeerResult, extraMs = 0): void {
  side.ms.push((r.stats?.elapsedMs ?? Number.NaN) + extraMs)
  side.rssKiB.push(r.stats?.maxRssKiB ?? Number.NaN)
}

/** One counted run (also a sample) per CLI, then alternating runs until each has its count; warm-up first. */
async function pair(
  t: VersusTarget,
  args: Record<Cli, string[]>,
  runs: Record<Cli, number>,
  count = true,
): Promise<Record<Cli, Side>> {
  const sides: Record<Cli, Side> = {ours: fresh(), upstream: fresh()}
  for (const cli of CLIS) if (runs[cli] >= 5) await run(t, cli, args[cli])
  for (const cli of CLIS) {
    let r: PeerResult | undefined
    if (count) sides[cli].requests = await auditedRequests(t.auditLog, async () => (r = await run(t, cli, args[cli])))
    else r = await run(t, cli, args[cli])
    record(sides[cli], r as PeerResult)
  }
  for (let i = 1; i < Math.max(runs.ours, runs.upstream); i++)
    for (const cli of CLIS) if (i < runs[cli]) record(sides[cli], await run(t, cli, args[cli]))
  return sides
}

/** Copies the bench user's kubeconfig for each CLI; call once before the measures below. */
export function prepareVersus(t: VersusTarget): void {
  for (const cli of CLIS) copyFileSync(t.userKubeconfig, join(t.workDir, `kubeconfig-${cli}.yaml`))
}

/** `--version`, create/delete (objects only), and on real vClusters create until ready, connect, delete. */
export async function versusBench(t: VersusTarget, runs: number): Promise<void> {
  say('side by side: --version...')
  const version = await pair(t, {ours: ['--version'], upstream: ['--version']}, {ours: runs, upstream: runs}, false)
  versusRow('`vcluster --version`', version, {timeTarget: true})
  say('side by side: create and delete (objects only)...')
  await createDeleteCycle(t, Number(process.env.BENCH_CREATE_RUNS ?? 7))
  say('side by side: create until ready on real vClusters, connect, delete...')
  await realVersus(t, Math.min(runs, 10))
}

/**
 * `list -A -o json` with n vClusters (the i-th count of the run). Upstream asks for each vCluster's pods one
 * request at a time, paced by client-go's default 5 requests/s, so it runs fewer times at 100 and 1,000.
 */
export async function listVersus(t: VersusTarget, n: number, i: number, runs: number): Promise<void> {
  const slow = (process.env.BENCH_UPSTREAM_LIST_RUNS ?? '30,3,1').split(',').map(Number)
  const oursRuns = Math.min(runs, 20)
  const upstreamRuns = Math.min(oursRuns, slow[i] ?? 1)
  say(`side by side: list with ${n} vClusters (upstream ${upstreamRuns} run(s))...`)
  // Upstream lists every namespace unless -n is given, and has no -A or -o.
  const args = {ours: ['list', '-A', '-o', 'json'], upstream: ['list', '--output', 'json']}
  const sides = await pair(t, args, {ours: oursRuns, upstream: upstreamRuns})
  versusRow(`\`list -A -o json\` (upstream: \`list --output json\`), ${n} vClusters`, sides, {timeTarget: true})
  notes.push(
    `side by side, \`list\` at ${n} vClusters, upstream's requests: ${describeRequests(sides.upstream.requests ?? [])}${upstreamRuns < oursRuns ? ` (upstream ran ${upstreamRuns} time(s), ours ${oursRuns}: client-go paces it at 5 requests/s)` : ''}`,
  )
}

function createArgs(cli: Cli, t: VersusTarget, name: string, wait: boolean): string[] {
  const ns = ['-n', `vcluster-${name}`]
  if (cli === 'ours') return ['create', name, ...ns, '--no-connect', ...(wait ? [] : ['--no-wait'])]
  // Upstream has no wait-without-connect: --connect=false returns once helm has applied the chart.
  return ['create', name, ...ns, '--connect=false', '--add=false', '--local-chart-dir', t.chartDir]
}

const deleteArgs = (name: string) => ['delete', name, '-n', `vcluster-${name}`, '--delete-namespace']

/** A namespace for NAME with the rig's mode label (`manual`: no control plane at all; `true`: the real vCluster). */
function namespaceFor(t: VersusTarget, name: string, mode: 'manual' | 'true'): string {
  const ns = `vcluster-${name}`
  t.kubectl(['wait', '--for=delete', `namespace/${ns}`, '--timeout=300s'])
  const doc = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {name: ns, labels: {'vcluster-ts.test/real': mode, 'vcluster-bench': 'true'}},
  }
  t.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(doc))
  return ns
}

/** Watches namespace ns until it is gone; `gone()` is when it went. */
async function watchGone(t: VersusTarget, ns: string): Promise<Watch> {
  const jsonpath = 'jsonpath={.type} {.object.metadata.name}{"\\n"}'
  return watchLines(t.adminKubeconfig, ['namespace', ns, '--output-watch-events', '-o', jsonpath])
}

/** Runs delete; until gone = the CLI's time, plus however long the namespace outlived it. */
async function timedDelete(t: VersusTarget, cli: Cli, name: string, side: Side, count: boolean): Promise<void> {
  const ns = `vcluster-${name}`
  const watch = await watchGone(t, ns)
  try {
    let r: PeerResult | undefined
    const go = async () => (r = await run(t, cli, deleteArgs(name)))
    if (count) side.requests = await auditedRequests(t.auditLog, go)
    else await go()
    const exited = Date.now()
    const gone = await watch.until((l) => l.startsWith('DELETED '))
    record(side, r as PeerResult, Math.max(0, gone - exited))
  } finally {
    watch.stop()
  }
}

/**
 * create until the objects are applied (ours --no-wait, upstream's helm step) and delete until gone, alternating,
 * in namespaces the rig starts nothing in (mode `manual`), so neither waits on a control plane.
 */
async function createDeleteCycle(t: VersusTarget, runs: number): Promise<void> {
  const create: Record<Cli, Side> = {ours: fresh(), upstream: fresh()}
  const del: Record<Cli, Side> = {ours: fresh(), upstream: fresh()}
  for (let i = 0; i < runs; i++) {
    for (const cli of CLIS) {
      const name = `bench-cd-${cli === 'ours' ? 'ours' : 'up'}`
      namespaceFor(t, name, 'manual')
      let r: PeerResult | undefined
      const go = async () => (r = await run(t, cli, createArgs(cli, t, name, false)))
      if (i === 0) create[cli].requests = await auditedRequests(t.auditLog, go)
      else await go()
      record(create[cli], r as PeerResult)
      await timedDelete(t, cli, name, del[cli], i === 0)
    }
  }
  versusRow('`create` until the objects are applied (ours `--no-wait`, upstream `--connect=false`: helm)', create, {
    timeTarget: true,
  })
  versusRow('`delete --delete-namespace` until gone (nothing running)', del, {timeTarget: true})
  notes.push(
    'create/delete: both into a namespace that exists already (labelled so the rig starts no control plane), default config; ours applies the objects with server-side apply, upstream runs helm (`upgrade --install`) on the release chart. "Until gone": the CLI\'s time plus however long the namespace outlived it.',
  )
}

/**
 * On real vClusters (the rig runs upstream's `vcluster start` per pod): create until ready, split into the vCluster's
 * own start (its pod created to Ready, seen by a watch) and the CLI's part; `connect -- kubectl get ns` through
 * each CLI to the vCluster ours made (upstream's connect waits for the default ServiceAccount, which only a real
 * vCluster has); delete until gone.
 */
async function realVersus(t: VersusTarget, connectRuns: number): Promise<void> {
  const runs = Number(process.env.BENCH_REAL_RUNS ?? 1)
  const ready: Record<Cli, Side> = {ours: fresh(), upstream: fresh()}
  const start: Record<Cli, Side> = {ours: fresh(), upstream: fresh()}
  const part: Record<Cli, Side> = {ours: fresh(), upstream: fresh()}
  const del: Record<Cli, Side> = {ours: fresh(), upstream: fresh()}
  const names: Record<Cli, string> = {ours: 'bench-real-ours', upstream: 'bench-real-up'}
  for (let i = 0; i < runs; i++) {
    for (const cli of CLIS) {
      if (i > 0) await timedDelete(t, cli, names[cli], del[cli], false)
      const split = await createUntilReady(t, cli, names[cli], ready[cli], i === 0)
      start[cli].ms.push(split.start)
      part[cli].ms.push(split.part)
    }
  }
  versusRow(
    '`create` until ready (real vCluster; ours waits, upstream: `--connect=false` + the rest of the start)',
    ready,
    {
      timeTarget: false,
    },
  )
  versusRow("  of which the vCluster's own start (its pod created to Ready)", start, {timeTarget: false})
  versusRow("  of which the CLI's part (the rest)", part, {timeTarget: false})
  notes.push(
    "create until ready: upstream's `create` can wait only by connecting (a port-forward in the foreground until Ctrl-C), so it runs with `--connect=false` and the bench adds the time from its exit until the pod is Ready (a `kubectl get -w` as the admin). The vCluster's own start is the same binary for both (the rig's real mode).",
  )
  const connectArgs = ['connect', names.ours, '-n', `vcluster-${names.ours}`, '--', 'kubectl', 'get', 'ns']
  say('side by side: connect -- kubectl get ns...')
  const connect = await pair(t, {ours: connectArgs, upstream: connectArgs}, {ours: connectRuns, upstream: connectRuns})
  versusRow('`connect NAME -- kubectl get ns` (real vCluster made by ours)', connect, {timeTarget: true})
  for (const cli of CLIS) await timedDelete(t, cli, names[cli], del[cli], true)
  versusRow('`delete --delete-namespace` until gone (real vCluster)', del, {timeTarget: true})
}

/** One create until the pod is Ready: the CLI's time plus the rest of the start, and how it splits. */
async function createUntilReady(
  t: VersusTarget,
  cli: Cli,
  name: string,
  side: Side,
  count: boolean,
): Promise<{start: number; part: number}> {
  const ns = namespaceFor(t, name, 'true')
  const jsonpath =
    'jsonpath={.type} {.object.metadata.name} {.object.status.conditions[?(@.type=="Ready")].status}{"\\n"}'
  const watch = await watchLines(t.adminKubeconfig, [
    ...['pods', '-n', ns, '-l', 'app=vcluster'],
    ...['--output-watch-events', '-o', jsonpath],
  ])
  try {
    let r: PeerResult | undefined
    let exited = 0
    const go = async () => {
      r = await run(t, cli, createArgs(cli, t, name, true))
      exited = Date.now()
    }
    if (count) side.requests = await auditedRequests(t.auditLog, go)
    else await go()
    const created = await watch.until((l) => l.startsWith('ADDED '))
    const readyAt = await watch.until((l) => l.endsWith(' True'))
    const result = r as PeerResult
    record(side, result, Math.max(0, readyAt - exited))
    const total = side.ms.at(-1) as number
    return {start: readyAt - created, part: total - (readyAt - created)}
  } finally {
    watch.stop()
  }
}
