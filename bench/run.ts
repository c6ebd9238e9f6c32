/**
 * `npm run bench`: start-up, render, list, create, connect, port-forward throughput, API requests (at the API
 * server) and memory of the CLI as users get it (packed, installed into a clean prefix with production dependencies
 * only), side by side with kubectl, on a local host cluster of its own with an audit log
 * (`npm run cluster:up -- --name bench --audit`, stopped again afterwards if this started it).
 * Prints a table of medians and ratios and writes bench/RESULTS.md. Targets are issue 7's; a miss is reported, never
 * hidden.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {loadavg} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {cacheRoot, type ClusterFacts} from '../test/cluster/rig.js'
import {BENCH_USER, benchUserKubeconfig} from './audit.js'
import {connectEndToEnd, createOverhead, listRequests, requestCounts} from './cluster.js'
import {forwardThroughput} from './forward-bench.js'
import {
  fakeVClusters,
  hyperfine,
  installPacked,
  largeConfig,
  machine,
  nodePath,
  peakRssMb,
  say,
  type Timing,
} from './lib.js'
import {compare, notes, row, rows} from './report.js'
import {listVersus, prepareVersus, versusBench, type VersusTarget} from './versus.js'
import {versusPeakRow, versusTable} from './versus-report.js'
import {upstreamChartDir} from '../test/upstream/peer.js'

const repo = resolve(import.meta.dirname, '..')
const loadStart = loadavg()[0]?.toFixed(1)
const counts = (process.env.BENCH_COUNTS ?? '1,100,1000').split(',').map(Number)
const runs = Number(process.env.BENCH_RUNS ?? 30)

const {bin, prefix} = installPacked(repo)
const env = {PATH: nodePath(), NO_COLOR: '1'}
const vc = (args: string) => `${bin} ${args}`
const large = join(prefix, 'large.yaml')
writeFileSync(large, largeConfig())

const t = (label: string, list: Timing[]) => list.find((x) => x.label === label) as Timing

// BENCH_ONLY=cluster skips the start-up group, BENCH_ONLY=versus runs only the side by side with upstream's CLI
// (trial runs; RESULTS.md says so).
const only = process.env.BENCH_ONLY ?? ''
if (only === '') startUp()
// Upstream's CLI and helm: built once per machine (minutes when cold), before any timing starts.
const chartDir = await upstreamChartDir()

say('host cluster...')
const up = spawnSync(
  'npm',
  ['run', '--silent', 'cluster:up', '--', '--name', 'bench', '--audit', '--default-mode', 'standin'],
  {
    cwd: repo,
    encoding: 'utf8',
    env: {...process.env, PATH: nodePath()},
  },
)
if (up.status !== 0) throw new Error(`cluster:up failed:\n${up.stderr}`)
const startedCluster = !up.stderr.includes('already running')
const kubeconfig =
  up.stdout
    .trim()
    .split('\n')
    .at(-1)
    ?.replace(/^export KUBECONFIG=/, '') ?? ''
const kenv = {...env, KUBECONFIG: kubeconfig}
const kubectl = (args: string[], input?: string) =>
  execFileSync('kubectl', args, {env: {...process.env, ...kenv}, input, maxBuffer: 1 << 28, encoding: 'utf8'})

try {
  const facts = JSON.parse(readFileSync(join(cacheRoot(), 'clusters', 'bench', 'ready.json'), 'utf8')) as ClusterFacts
  const user = await benchUserKubeconfig(facts)
  kubectl(['apply', '--server-side', '-f', '-'], user.binding)
  const target: VersusTarget = {
    bin,
    env,
    adminKubeconfig: kubeconfig,
    userKubeconfig: user.kubeconfig,
    auditLog: join(dirname(kubeconfig), 'logs', 'audit.log'),
    largeConfig: large,
    kubectl,
    binDir: facts.binDir,
    chartDir,
    workDir: prefix,
  }
  prepareVersus(target)
  if (only !== 'versus') {
    say('API requests of create, upgrade, delete...')
    await requestCounts(target)
    say('create overhead...')
    createOverhead(target)
    say('connect end to end...')
    await connectEndToEnd(target, Math.min(runs, 20))
    execFileSync(bin, ['delete', 'bench-connect', '-n', 'vcluster-bench-connect'], {
      env: {...process.env, ...kenv},
      stdio: 'ignore',
    })
    say('port-forward throughput...')
    await forwardThroughput(repo, kubeconfig, kubectl)
  }
  await versusBench(target, runs)
  await listBench(target)
  versusPeakRow()
} finally {
  say('cleaning up...')
  for (const ns of ['vcluster-bench-ov', 'vcluster-bench-rq', 'vcluster-bench-connect']) {
    spawnSync('kubectl', ['delete', 'namespace', ns, '--ignore-not-found', '--wait=false'], {
      env: {...process.env, ...kenv},
      stdio: 'ignore',
    })
  }
  spawnSync('kubectl', ['delete', 'namespace', '-l', 'vcluster-bench=true', '--wait=false'], {
    env: {...process.env, ...kenv},
    stdio: 'ignore',
  })
  if (startedCluster)
    spawnSync('npm', ['run', '--silent', 'cluster:down', '--', '--name', 'bench'], {cwd: repo, stdio: 'ignore'})
  rmSync(prefix, {recursive: true, force: true})
}

/** --version/--help against kubectl in rounds, validate and render, peak RSS of a large render. */
function startUp(): void {
  say('start-up...')
  // The machine's load drifts while hyperfine works through a group, so the start-up ratios are taken in a small group,
  // in several rounds, and the median round is reported (every round's ratio is listed under the table).
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
  const startRounds = Array.from({length: rounds}, () =>
    hyperfine(
      [
        {label: 'kubectl', cmd: 'kubectl version --client'},
        {label: 'version', cmd: vc('--version')},
        {label: 'help', cmd: vc('--help')},
      ],
      {runs, env},
    ),
  )
  for (const label of ['version', 'help']) {
    const ratios = startRounds.map((r) => t(label, r).median / t('kubectl', r).median)
    const mid = startRounds[
      ratios.indexOf([...ratios].sort((a, b) => a - b)[Math.floor(rounds / 2)] as number)
    ] as Timing[]
    compare(`\`vcluster --${label}\` vs \`kubectl version --client\``, t(label, mid), t('kubectl', mid), 2)
    notes.push(`\`--${label}\` ratio per round: ${ratios.map((x) => `${x.toFixed(2)}x`).join(', ')}`)
  }
  const start = hyperfine(
    [
      {label: 'kubectl', cmd: 'kubectl version --client'},
      {label: 'validate', cmd: vc(`validate -f ${large}`)},
      {label: 'render-default', cmd: vc('create bench --dry-run=client')},
      {label: 'render-large', cmd: vc(`create bench --dry-run=client -f ${large}`)},
    ],
    {runs, env},
  )
  compare('`vcluster validate -f large.yaml` vs `kubectl version --client`', t('validate', start), t('kubectl', start))
  compare(
    '`create --dry-run=client` (default config) vs `kubectl version --client`',
    t('render-default', start),
    t('kubectl', start),
  )
  compare(
    '`create --dry-run=client -f large.yaml` vs `kubectl version --client`',
    t('render-large', start),
    t('kubectl', start),
  )
  const rssCreate = peakRssMb([bin, 'create', 'bench', '--dry-run=client', '-f', large], env)
  row(
    'peak RSS, `create --dry-run=client -f large.yaml`',
    `${rssCreate.toFixed(0)} MB`,
    '',
    '< 150 MB',
    rssCreate < 150,
  )
}

/**
 * `list` at 1/100/1,000 vClusters against kubectl, its peak RSS, and its API requests at the API server; at each
 * count also side by side with upstream's CLI.
 */
async function listBench(target: VersusTarget): Promise<void> {
  const requests: Record<number, number> = {}
  let have = 0
  for (const [i, n] of counts.entries()) {
    if (n > have) {
      say(`creating vClusters ${have}..${n - 1}...`)
      kubectl(['apply', '--server-side', '-f', '-'], fakeVClusters(have, n))
      have = n
    }
    const listed = JSON.parse(
      execFileSync(bin, ['list', '-A', '-o', 'json'], {
        env: {...process.env, ...kenv},
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      }),
    ) as unknown[]
    if (listed.length < n) throw new Error(`vcluster list shows ${listed.length} vClusters, expected at least ${n}`)
    await listVersus(target, n, i, runs)
    if (only === 'versus') continue
    say(`list with ${n}...`)
    const list = hyperfine(
      [
        {label: 'kubectl', cmd: 'kubectl get statefulsets -A -l app=vcluster -o json'},
        {label: 'vcluster', cmd: vc('list -A -o json')},
      ],
      {runs: Math.min(runs, 20), env: kenv},
    )
    compare(
      `\`vcluster list -A -o json\` vs \`kubectl get statefulsets -A -l app=vcluster -o json\`, ${n} vClusters`,
      t('vcluster', list),
      t('kubectl', list),
      2,
    )
    requests[n] = await listRequests(target)
    const rss = peakRssMb([bin, 'list', '-A', '-o', 'json'], kenv)
    const rssKubectl = peakRssMb(['kubectl', 'get', 'statefulsets', '-A', '-l', 'app=vcluster', '-o', 'json'], kenv)
    row(
      `peak RSS, \`vcluster list -A -o json\`, ${n} vClusters`,
      `${rss.toFixed(0)} MB (kubectl ${rssKubectl.toFixed(0)} MB)`,
      '',
      '< 150 MB',
      rss < 150,
    )
  }
  if (only === 'versus') return
  const values = counts.map((n) => `${requests[n]} (${n})`).join(', ')
  row(
    'API requests of `list -A` (vClusters), at the API server',
    values,
    '',
    'same for all',
    new Set(Object.values(requests)).size === 1,
  )
}

/** Every BENCH_* variable with the value this run used (defaults included), for the reproduce line. */
function envUsed(): string {
  const defaults: Record<string, string> = {
    BENCH_RUNS: '30',
    BENCH_COUNTS: '1,100,1000',
    BENCH_ROUNDS: '3',
    BENCH_CREATE_RUNS: '7',
    BENCH_FORWARD_RUNS: '5',
    BENCH_STREAM_MIB: '200',
    BENCH_UPSTREAM_LIST_RUNS: '30,3,1',
    BENCH_REAL_RUNS: '1',
    BENCH_ONLY: '',
  }
  return Object.entries(defaults)
    .map(([k, v]) => [k, process.env[k] ?? v])
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
}

const header = ['measure', 'median', 'ratio', 'target', '']
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
process.stdout.write(`${table}\n\n${versusTable()}\n`)
const doc = `# Benchmark results

- Date: ${new Date().toISOString()}
- Machine: ${machine()}
- Load average (1 min) at start / end: ${loadStart} / ${loadavg()[0]?.toFixed(1)} (2 cores shared with other work)
- Command: \`npm run bench\` (env: ${envUsed()})
- What runs: the packed tarball installed into a clean prefix with production dependencies only; hyperfine
  (\`-N\`, medians) runs each group of commands side by side, so ratios share the machine's load. The host cluster
  is the local rig (\`npm run cluster:up -- --name bench --audit\`: real kube-apiserver, kwok nodes, a stand-in
  kube-apiserver per running vCluster). \`list\` runs against bare StatefulSets with replicas 0, one namespace each;
  \`create\`, \`connect\`, \`upgrade\` and \`delete\` against real vClusters made by \`vcluster create\`.
- API requests are counted by the host kube-apiserver's audit log (stage ResponseComplete), not by the CLI: the CLI
  runs as a user of its own (\`${BENCH_USER}\`, cluster-admin through a ClusterRoleBinding), so its requests are those of
  that user (they also carry the User-Agent \`vcluster-cli (os/arch) node/x.y.z\`); kubectl, the rig and the controllers run as the admin.
- Port-forward: a pod whose port 8080 a kwok PortForward sends to a loopback HTTP server streaming the payload; ours
  is src/lib/kube/port-forward.ts (what \`connect\` forwards with) run from source by bench/forward.ts; downloads with
  curl alternate between the two forwards.

${table}

## Side by side with upstream's CLI

- Upstream: \`vcluster\` v0.36.1 (\`cmd/vclusterctl\`) and helm v3.21.4, built from the Go module proxy by
  \`test/upstream/build-cli.sh\`; \`create\` runs helm on the release's own \`chart/\` (\`--local-chart-dir\`).
- Both CLIs run through the same runner (\`test/upstream/peer.ts\`): a network namespace whose only interface is
  \`lo\`, bridged to the host API server, a fresh HOME (upstream's telemetry off, \`VCLUSTER_SKIP_VERSION_CHECK\`),
  as the same user (\`${BENCH_USER}\`) with copies of the same kubeconfig. Time and peak RSS are the command's own,
  taken by the namespace's init (\`peerinit\`: wall time from start to exit, \`ru_maxrss\` of its process tree, i.e.
  the largest process); medians over the runs shown; runs alternate between the two CLIs. Requests: one run of each,
  counted in the audit log as above.
- Targets (issue 15): ours at most 0.5x upstream's time on every timed row except create until ready, never more
  requests, peak RSS at most upstream's.

${versusTable()}

${notes.map((n) => `- ${n}`).join('\n')}
`
writeFileSync(join(repo, 'bench', 'RESULTS.md'), doc)
say('wrote bench/RESULTS.md')
