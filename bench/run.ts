/**
 * `npm run bench`: start-up, render, list and memory of the CLI as users get it (packed, installed into a clean
 * prefix with production dependencies only), side by side with kubectl in the same hyperfine runs, on a local host
 * cluster of its own (`npm run cluster:up -- --name bench`, stopped again afterwards if this started it).
 * Prints a table of medians and ratios and writes bench/RESULTS.md. Targets are issue 7's; a miss is reported, never
 * hidden.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {rmSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {fakeVClusters, hyperfine, installPacked, largeConfig, machine, nodePath, peakRssMb, say, type Timing} from './lib.js'

const repo = resolve(import.meta.dirname, '..')
const counts = (process.env.BENCH_COUNTS ?? '1,100,1000').split(',').map(Number)
const runs = Number(process.env.BENCH_RUNS ?? 30)
const rows: string[][] = []
const notes: string[] = []
const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`

function row(what: string, value: string, ratio: string, target: string, ok?: boolean): void {
  rows.push([what, value, ratio, target, ok === undefined ? '' : ok ? 'ok' : 'MISSED'])
}

/** `a` against baseline `b`: the ratio of medians, checked against a target ratio. */
function compare(what: string, a: Timing, b: Timing, targetRatio?: number): void {
  const ratio = a.median / b.median
  row(what, `${ms(a.median)} vs ${ms(b.median)}`, `${ratio.toFixed(2)}x`, targetRatio ? `<= ${targetRatio}x` : '', targetRatio ? ratio <= targetRatio : undefined)
}

const {bin, prefix} = installPacked(repo)
const env = {PATH: nodePath(), NO_COLOR: '1'}
const vc = (args: string) => `${bin} ${args}`
const large = join(prefix, 'large.yaml')
writeFileSync(large, largeConfig())

say('start-up...')
// The machine's load drifts while hyperfine works through a group, so the start-up ratios are taken in a small group,
// in several rounds, and the median round is reported (every round's ratio is listed under the table).
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const t = (label: string, list: Timing[]) => list.find((x) => x.label === label) as Timing
const startRounds = Array.from({length: rounds}, () => hyperfine([
  {label: 'kubectl', cmd: 'kubectl version --client'},
  {label: 'version', cmd: vc('--version')},
  {label: 'help', cmd: vc('--help')},
], {runs, env}))
for (const label of ['version', 'help']) {
  const ratios = startRounds.map((r) => t(label, r).median / t('kubectl', r).median)
  const mid = startRounds[ratios.indexOf([...ratios].sort((a, b) => a - b)[Math.floor(rounds / 2)] as number)] as Timing[]
  compare(`\`vcluster --${label}\` vs \`kubectl version --client\``, t(label, mid), t('kubectl', mid), 2)
  notes.push(`\`--${label}\` ratio per round: ${ratios.map((x) => `${x.toFixed(2)}x`).join(', ')}`)
}
const start = hyperfine([
  {label: 'kubectl', cmd: 'kubectl version --client'},
  {label: 'validate', cmd: vc(`validate -f ${large}`)},
  {label: 'render-default', cmd: vc('create bench --dry-run=client')},
  {label: 'render-large', cmd: vc(`create bench --dry-run=client -f ${large}`)},
], {runs, env})
compare('`vcluster validate -f large.yaml` vs `kubectl version --client`', t('validate', start), t('kubectl', start))
compare('`create --dry-run=client` (default config) vs `kubectl version --client`', t('render-default', start), t('kubectl', start))
compare('`create --dry-run=client -f large.yaml` vs `kubectl version --client`', t('render-large', start), t('kubectl', start))
const rssCreate = peakRssMb([bin, 'create', 'bench', '--dry-run=client', '-f', large], env)
row('peak RSS, `create --dry-run=client -f large.yaml`', `${rssCreate.toFixed(0)} MB`, '', '< 150 MB', rssCreate < 150)

say('host cluster...')
const up = spawnSync('npm', ['run', '--silent', 'cluster:up', '--', '--name', 'bench'], {cwd: repo, encoding: 'utf8', env: {...process.env, PATH: nodePath()}})
if (up.status !== 0) throw new Error(`cluster:up failed:\n${up.stderr}`)
const startedCluster = !up.stderr.includes('already running')
const kubeconfig = up.stdout.trim().split('\n').at(-1)?.replace(/^export KUBECONFIG=/, '') ?? ''
const kenv = {...env, KUBECONFIG: kubeconfig}
const kubectl = (args: string[], input?: string) => execFileSync('kubectl', args, {env: {...process.env, ...kenv}, input, maxBuffer: 1 << 28, encoding: 'utf8'})

try {
  const {connectKube} = await import('../src/lib/kube/client.js')
  const {listVClusters} = await import('../src/lib/vcluster/list.js')
  const requests: Record<number, number> = {}
  let have = 0
  for (const n of counts) {
    if (n > have) {
      say(`creating vClusters ${have}..${n - 1}...`)
      kubectl(['apply', '--server-side', '-f', '-'], fakeVClusters(have, n))
      have = n
    }
    const listed = JSON.parse(execFileSync(bin, ['list', '-A', '-o', 'json'], {env: {...process.env, ...kenv}, encoding: 'utf8', maxBuffer: 1 << 28})) as unknown[]
    if (listed.length < n) throw new Error(`vcluster list shows ${listed.length} vClusters, expected at least ${n}`)
    say(`list with ${n}...`)
    const list = hyperfine([
      {label: 'kubectl', cmd: 'kubectl get statefulsets -A -l app=vcluster -o json'},
      {label: 'vcluster', cmd: vc('list -A -o json')},
    ], {runs: Math.min(runs, 20), env: kenv})
    compare(`\`vcluster list -A -o json\` vs \`kubectl get statefulsets -A -l app=vcluster -o json\`, ${n} vClusters`, t('vcluster', list), t('kubectl', list), 2)
    const client = await connectKube({kubeconfig})
    await listVClusters(client, {})
    client.close()
    requests[n] = client.requestCount
    const rss = peakRssMb([bin, 'list', '-A', '-o', 'json'], kenv)
    const rssKubectl = peakRssMb(['kubectl', 'get', 'statefulsets', '-A', '-l', 'app=vcluster', '-o', 'json'], kenv)
    row(`peak RSS, \`vcluster list -A -o json\`, ${n} vClusters`, `${rss.toFixed(0)} MB (kubectl ${rssKubectl.toFixed(0)} MB)`, '', '< 150 MB', rss < 150)
  }
  const values = counts.map((n) => `${requests[n]} (${n})`).join(', ')
  row('API requests of `list` (vClusters)', values, '', 'same for all', new Set(Object.values(requests)).size === 1)
  notes.push('List request counts come from the CLI\'s own counter (`client.requestCount`, src/lib/kube/client.ts), not the API server.')
} finally {
  say('cleaning up...')
  spawnSync('kubectl', ['delete', 'namespace', '-l', 'vcluster-bench=true', '--wait=false'], {env: {...process.env, ...kenv}, stdio: 'ignore'})
  if (startedCluster) spawnSync('npm', ['run', '--silent', 'cluster:down', '--', '--name', 'bench'], {cwd: repo, stdio: 'ignore'})
  rmSync(prefix, {recursive: true, force: true})
}

const header = ['measure', 'median', 'ratio', 'target', '']
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
process.stdout.write(`${table}\n`)
const doc = `# Benchmark results

- Date: ${new Date().toISOString()}
- Machine: ${machine()}
- Command: \`npm run bench\` (env: BENCH_RUNS=${runs}, BENCH_COUNTS=${counts.join(',')})
- What runs: the packed tarball installed into a clean prefix with production dependencies only; hyperfine
  (\`-N\`, medians) runs each group of commands side by side, so ratios share the machine's load. The host cluster
  is the local rig (\`npm run cluster:up -- --name bench\`); vClusters are bare StatefulSets with replicas 0, one
  namespace each.

${table}

${notes.map((n) => `- ${n}`).join('\n')}
`
writeFileSync(join(repo, 'bench', 'RESULTS.md'), doc)
say('wrote bench/RESULTS.md')
