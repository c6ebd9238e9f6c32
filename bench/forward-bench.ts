/**
 * Port-forward throughput: BENCH_STREAM_MIB MiB (default 200) over HTTP through the CLI's own forward
 * (src/lib/kube/port-forward.ts, what `connect` uses) and through `kubectl port-forward`, to the same pod port.
 * kwok runs no containers: a kwok PortForward sends the bench pod's port 8080 to a loopback server (stream-server.ts).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {join} from 'node:path'
import {loadavg} from 'node:os'
import {median, notes, row} from './report.js'

const NS = 'bench-pf'
const MIB = Number(process.env.BENCH_STREAM_MIB ?? 200)

/** Resolves the first stdout line matching pattern (its first group), or rejects when the process ends first. */
function firstMatch(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = pattern.exec(out)
      if (m?.[1]) resolve(m[1])
    })
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${out}${err}`)))
    setTimeout(() => reject(new Error(`${what} not ready after 60 s:\n${out}${err}`)), 60_000).unref()
  })
}

function manifests(serverPort: number): string {
  const labels = {app: NS}
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {apiVersion: 'v1', kind: 'Namespace', metadata: {name: NS, labels: {'vcluster-bench': 'true'}}},
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {name: NS, namespace: NS, labels},
        spec: {containers: [{name: 'stream', image: 'busybox', ports: [{containerPort: 8080}]}]},
      },
      {
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'PortForward',
        metadata: {name: NS, namespace: NS},
        spec: {forwards: [{ports: [8080], target: {address: '127.0.0.1', port: serverPort}}]},
      },
    ],
  })
}

/** One download; MiB/s. */
function download(port: number): number {
  const r = spawnSync(
    'curl',
    ['-sS', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', `http://127.0.0.1:${port}/`],
    {encoding: 'utf8'},
  )
  const [size, seconds] = r.stdout.trim().split(' ').map(Number)
  if (r.status !== 0 || size !== MIB * 2 ** 20 || !seconds)
    throw new Error(`download through port ${port} failed: ${r.stdout} ${r.stderr}`)
  return MIB / seconds
}

/** Starts the target and both forwards, then alternates downloads through each (so both see the same load). */
export async function forwardThroughput(
  repo: string,
  kubeconfig: string,
  kubectl: (args: string[], input?: string) => string,
): Promise<void> {
  const rounds = Number(process.env.BENCH_FORWARD_RUNS ?? 5)
  const children: ChildProcess[] = []
  const start = (cmd: string, args: string[]) => {
    const child = spawn(cmd, args, {
      cwd: repo,
      env: {...process.env, KUBECONFIG: kubeconfig, BENCH_STREAM_MIB: String(MIB)},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    return child
  }
  try {
    const server = Number(
      await firstMatch(
        start(process.execPath, ['--import', 'tsx', join(repo, 'bench', 'stream-server.ts')]),
        /^(\d+)$/m,
        'stream server',
      ),
    )
    kubectl(['apply', '--server-side', '-f', '-'], manifests(server))
    kubectl(['wait', '-n', NS, '--for=condition=Ready', `pod/${NS}`, '--timeout=60s'])
    const theirs = Number(
      await firstMatch(
        start('kubectl', ['port-forward', '-n', NS, `pod/${NS}`, ':8080']),
        /127\.0\.0\.1:(\d+) ->/,
        'kubectl port-forward',
      ),
    )
    const ours = Number(
      await firstMatch(
        start(process.execPath, [
          '--import',
          'tsx',
          join(repo, 'bench', 'forward.ts'),
          kubeconfig,
          NS,
          `app=${NS}`,
          '8080',
        ]),
        /^(\d+)$/m,
        'our port-forward',
      ),
    )
    // kwok learns of PortForwards through an informer; the first download of each also warms up.
    await new Promise((r) => setTimeout(r, 2000))
    download(theirs)
    download(ours)
    const speeds = {ours: [] as number[], theirs: [] as number[]}
    for (let i = 0; i < rounds; i++) {
      speeds.theirs.push(download(theirs))
      speeds.ours.push(download(ours))
    }
    const [a, b] = [median(speeds.ours), median(speeds.theirs)]
    notes.push(
      `Port-forward MiB/s per download, ours: ${speeds.ours.map((x) => x.toFixed(0)).join(', ')}; kubectl: ${speeds.theirs.map((x) => x.toFixed(0)).join(', ')} (load average now ${loadavg()[0]?.toFixed(1)})`,
    )
    row(
      `port-forward throughput, ${MIB} MiB over HTTP: ours (connect's forward) vs \`kubectl port-forward\``,
      `${a.toFixed(0)} vs ${b.toFixed(0)} MiB/s`,
      `${(a / b).toFixed(2)}x`,
      '>= 0.8x',
      a / b >= 0.8,
    )
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  }
}
