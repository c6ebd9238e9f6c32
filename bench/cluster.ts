/**
 * The measures that need real vClusters on the bench cluster: create's own overhead, `connect -- kubectl get ns`
 * end to end, and the API requests of create/list/upgrade/delete as the API server's audit log counts them.
 */
import {spawnSync} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {auditedRequests, createPhases, describeRequests} from './audit.js'
import {hyperfine, type Timing} from './lib.js'
import {compare, median, notes, row} from './report.js'

export interface BenchTarget {
  /** The installed CLI. */
  bin: string
  /** Environment of every command: PATH with Node 22, NO_COLOR. */
  env: NodeJS.ProcessEnv
  /** The cluster admin's kubeconfig (kubectl, the baselines). */
  adminKubeconfig: string
  /** BENCH_USER's kubeconfig: every CLI command whose requests are counted runs with it. */
  userKubeconfig: string
  auditLog: string
  largeConfig: string
  kubectl: (args: string[], input?: string) => string
}

/** Runs the CLI as BENCH_USER; throws with its stderr when it fails. */
function vcluster(t: BenchTarget, args: string[]): string {
  const r = spawnSync(t.bin, args, {
    env: {...process.env, ...t.env, KUBECONFIG: t.userKubeconfig},
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
  if (r.status !== 0) throw new Error(`vcluster ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`)
  return r.stdout
}

/** Waits until namespace ns is gone (a create into a terminating namespace would wait for it). */
function namespaceGone(t: BenchTarget, ns: string): void {
  t.kubectl(['wait', '--for=delete', `namespace/${ns}`, '--timeout=180s'])
}

/** One timed run of the CLI as BENCH_USER: wall and CPU (user + system) seconds, from GNU time. */
function timed(t: BenchTarget, args: string[]): {wall: number; cpu: number} {
  const out = join(tmpdir(), `vcluster-bench-time-${process.pid}`)
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', out, t.bin, ...args], {
    env: {...process.env, ...t.env, KUBECONFIG: t.userKubeconfig},
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`vcluster ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`)
  const [wall, user, sys] = readFileSync(out, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? []
  rmSync(out, {force: true})
  return {wall: wall ?? Number.NaN, cpu: (user ?? Number.NaN) + (sys ?? Number.NaN)}
}

/**
 * `create NAME --no-wait --no-connect`: validate, render, preflight, namespace, apply; no pod start. Default and
 * large config alternate, each run into a fresh namespace, with the cluster quiet again before the next one.
 */
export function createOverhead(t: BenchTarget): void {
  const runs = Number(process.env.BENCH_CREATE_RUNS ?? 7)
  const configs = {default: [] as string[], 'large.yaml': ['-f', t.largeConfig]}
  const times: Record<string, {wall: number; cpu: number}[]> = {default: [], 'large.yaml': []}
  for (let i = 0; i < runs; i++) {
    for (const [label, extra] of Object.entries(configs)) {
      times[label]?.push(timed(t, ['create', 'bench-ov', '--no-wait', '--no-connect', ...extra]))
      vcluster(t, ['delete', 'bench-ov'])
      namespaceGone(t, 'vcluster-bench-ov')
      // The rig's stand-in (certificates, perhaps an apiserver) for the vCluster just made must not load the next run.
      spawnSync('sleep', ['3'])
    }
  }
  for (const [label, list] of Object.entries(times)) {
    const wall = median(list.map((x) => x.wall))
    const cpu = median(list.map((x) => x.cpu))
    row(
      `\`create --no-wait\` own overhead (validate, render, preflight, apply), ${label} config; wall (CPU)`,
      `${(wall * 1000).toFixed(0)} ms (CPU ${(cpu * 1000).toFixed(0)} ms)`,
      '',
      '<= 500 ms',
      wall <= 0.5,
    )
    notes.push(
      `\`create --no-wait\` with the ${label} config, every run, wall/CPU ms: ${list.map((x) => `${(x.wall * 1000).toFixed(0)}/${(x.cpu * 1000).toFixed(0)}`).join(', ')} (load average now ${loadavg()[0]?.toFixed(1)})`,
    )
  }
}

/** A ready vCluster (create waits), then `connect NAME -- kubectl get ns` against `kubectl get ns` on the host. */
export async function connectEndToEnd(t: BenchTarget, runs: number): Promise<void> {
  const events = await auditedRequests(t.auditLog, () => vcluster(t, ['create', 'bench-connect', '--no-connect']))
  row(
    'API requests of `create` (default config, waits until ready; at the API server)',
    String(events.length),
    '',
    '',
    undefined,
  )
  notes.push(`\`create\` (waits) requests: ${describeRequests(events)}`)
  const timings: Timing[] = hyperfine(
    [
      {label: 'kubectl', cmd: 'kubectl get ns'},
      {label: 'connect', cmd: `${t.bin} connect bench-connect -n vcluster-bench-connect -- kubectl get ns`},
    ],
    {runs, env: {...t.env, KUBECONFIG: t.adminKubeconfig}},
  )
  const by = (label: string) => timings.find((x) => x.label === label) as Timing
  compare('`vcluster connect NAME -- kubectl get ns` vs `kubectl get ns` on the host', by('connect'), by('kubectl'))
  notes.push(
    "`connect` end to end: find, wait for ready, read the kubeconfig Secret, start the forward, check TLS, run kubectl through it (against the rig's stand-in kube-apiserver), stop.",
  )
}

/** create --no-wait, upgrade --set (real change), delete: request counts checked against issue 7's targets. */
export async function requestCounts(t: BenchTarget): Promise<void> {
  const name = 'bench-rq'
  const objects = (JSON.parse(vcluster(t, ['create', name, '--dry-run=client', '-o', 'json'])) as {items: unknown[]})
    .items.length
  const created = await auditedRequests(t.auditLog, () => vcluster(t, ['create', name, '--no-wait', '--no-connect']))
  const phases = createPhases(created)
  row(
    `API requests of \`create --no-wait\`, preflight (permission check); ${objects} objects`,
    String(phases.preflight),
    '',
    '<= 2',
    phases.preflight <= 2,
  )
  row(
    'API requests of `create --no-wait` to apply (namespace get/create, one apply per object)',
    String(phases.after),
    '',
    `<= objects + 3 = ${objects + 3}`,
    phases.after <= objects + 3,
  )
  row(
    'API requests of `create --no-wait` to look up (host version, existing vCluster, stored config), sent with the preflight',
    String(phases.before),
    '',
    '',
    undefined,
  )
  notes.push(`\`create --no-wait\` requests, in order: ${describeRequests(created)}`)
  const upgraded = await auditedRequests(t.auditLog, () =>
    vcluster(t, ['upgrade', name, '--set', 'controlPlane.statefulSet.labels.bench=changed', '--yes', '--no-wait']),
  )
  row('API requests of `upgrade --set ... --yes --no-wait` (one change)', String(upgraded.length), '', '', undefined)
  notes.push(`\`upgrade\` requests: ${describeRequests(upgraded)}`)
  const deleted = await auditedRequests(t.auditLog, () => vcluster(t, ['delete', name]))
  row('API requests of `delete` (waits until gone)', String(deleted.length), '', '', undefined)
  notes.push(`\`delete\` requests: ${describeRequests(deleted)}`)
  namespaceGone(t, `vcluster-${name}`)
}

/** `list -A` requests at the API server with n vClusters; the caller checks they do not grow with n. */
export async function listRequests(t: BenchTarget): Promise<number> {
  const events = await auditedRequests(t.auditLog, () => vcluster(t, ['list', '-A', '-o', 'json']))
  return events.length
}
