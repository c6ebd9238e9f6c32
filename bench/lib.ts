/** Helpers for bench/run.ts: hyperfine runs, peak RSS, the installed package, fake vClusters. */
import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {cpus, tmpdir, totalmem} from 'node:os'
import {dirname, join} from 'node:path'
import {stringify} from 'yaml'

export const say = (line: string): void => void process.stderr.write(`${line}\n`)

/** PATH with this Node (22, from the `node` devDependency) first, so the installed bin's `env node` finds it. */
export function nodePath(extra: string[] = []): string {
  return [...extra, dirname(process.execPath), process.env.PATH ?? ''].join(':')
}

/**
 * Packs the working tree and installs the tarball into a fresh prefix with production dependencies only. The build
 * runs in a copy of the tree (its node_modules linked), so it neither races nor replaces the dist/ that other runs
 * in the clone are using.
 */
export function installPacked(repo: string): {bin: string; prefix: string} {
  const prefix = mkdtempSync(join(tmpdir(), 'vcluster-bench-'))
  const env = {...process.env, PATH: nodePath()}
  say('packing (runs the build, in a copy of the working tree) and installing into a clean prefix...')
  const tree = join(prefix, 'tree')
  const skip = new Set(['node_modules', 'dist', '.git'].map((d) => join(repo, d)))
  cpSync(repo, tree, {recursive: true, filter: (src) => !skip.has(src)})
  symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'))
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', prefix], {
    cwd: tree,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const packed = (JSON.parse(out) as {filename: string}[])[0]
  if (!packed) throw new Error('npm pack reported no tarball')
  const tarball = join(prefix, packed.filename)
  execFileSync(
    'npm',
    ['install', '-g', '--omit=dev', '--no-audit', '--no-fund', '--prefix', join(prefix, 'install'), tarball],
    {env, stdio: ['ignore', 'ignore', 'inherit']},
  )
  return {bin: join(prefix, 'install', 'bin', 'vcluster'), prefix}
}

export interface Timing {
  label: string
  median: number
  min: number
  runs: number
}

/**
 * Runs hyperfine on commands side by side (one invocation, so they share the machine's load) and returns the
 * median of each in seconds. `prepare` runs before every timing run of every command.
 */
export function hyperfine(
  commands: {label: string; cmd: string}[],
  options: {runs?: number; warmup?: number; env?: NodeJS.ProcessEnv} = {},
): Timing[] {
  const dir = mkdtempSync(join(tmpdir(), 'hyperfine-'))
  const json = join(dir, 'out.json')
  const args = [
    '-N',
    '--style',
    'none',
    '-w',
    String(options.warmup ?? 3),
    '-r',
    String(options.runs ?? 30),
    '--export-json',
    json,
  ]
  for (const c of commands) args.push('-n', c.label, c.cmd)
  const r = spawnSync('hyperfine', args, {
    env: {...process.env, ...options.env},
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  if (r.status !== 0)
    throw new Error(
      `hyperfine failed (${r.error?.message ?? `exit ${r.status}`}); is it installed? apt-get install hyperfine`,
    )
  const data = JSON.parse(readFileSync(json, 'utf8')) as {
    results: {command: string; median: number; min: number; times: number[]}[]
  }
  rmSync(dir, {recursive: true, force: true})
  return data.results.map((x) => ({label: x.command, median: x.median, min: x.min, runs: x.times.length}))
}

/** Peak resident set size in MB of one run (GNU time's %M, in KiB), the best of `runs`. */
export function peakRssMb(argv: string[], env: NodeJS.ProcessEnv, runs = 3): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], {
      env: {...process.env, ...env},
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 26,
    })
    const kib = Number(r.stderr.trim().split('\n').at(-1))
    if (r.status !== 0 || !Number.isFinite(kib)) throw new Error(`${argv.join(' ')} failed: ${r.stderr.slice(-500)}`)
    best = Math.min(best, kib / 1024)
  }
  return best
}

/**
 * Bare StatefulSets labelled like vClusters, one namespace each, as one List for `kubectl apply`. replicas 0: the
 * test rig gives every app=vcluster workload with replicas > 0 a stand-in API server.
 */
export function fakeVClusters(from: number, to: number): string {
  const items: unknown[] = []
  for (let i = from; i < to; i++) {
    const ns = `bench-vc-${i}`
    const labels = {app: 'vcluster', release: `vc${i}`}
    items.push({apiVersion: 'v1', kind: 'Namespace', metadata: {name: ns, labels: {'vcluster-bench': 'true'}}})
    items.push({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {name: `vc${i}`, namespace: ns, labels},
      spec: {
        replicas: 0,
        serviceName: `vc${i}`,
        selector: {matchLabels: labels},
        template: {
          metadata: {labels},
          spec: {containers: [{name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1'}]},
        },
      },
    })
  }
  return JSON.stringify({apiVersion: 'v1', kind: 'List', items})
}

/** A large but valid vcluster.yaml: hundreds of env vars, annotations, SANs and sync patches. */
export function largeConfig(): string {
  const env = Array.from({length: 300}, (_, i) => ({name: `BENCH_VAR_${i}`, value: `value-${i}`}))
  const annotations = Object.fromEntries(Array.from({length: 300}, (_, i) => [`bench.example.com/a${i}`, `v${i}`]))
  const patches = Array.from({length: 200}, (_, i) => ({
    path: `metadata.annotations.p${i}`,
    expression: `value + "-${i}"`,
  }))
  const config = {
    controlPlane: {
      statefulSet: {env, annotations, labels: {tier: 'bench'}},
      proxy: {extraSANs: Array.from({length: 200}, (_, i) => `vc-${i}.bench.example.com`)},
    },
    sync: {toHost: {pods: {patches}}},
  }
  return stringify(config)
}

export function machine(): string {
  const cpu = cpus()
  const kubectl = spawnSync('kubectl', ['version', '--client'], {encoding: 'utf8'}).stdout.split('\n')[0] ?? '?'
  const os = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? process.platform
  return `${os}, ${cpu[0]?.model ?? '?'} x${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; Node ${process.version}; ${kubectl}`
}
