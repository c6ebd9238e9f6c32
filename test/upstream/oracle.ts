// Client of the oracle (oracle/main.go): one long-lived process answering JSON lines, so thousands of cases cost
// one Go start-up. Requests are answered in order; each call resolves with its own answer.
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {VCLUSTER_VERSION} from '../../src/lib/versions.js'

export interface OracleAnswer {
  id: string
  ok: boolean
  /** Where upstream refused: `helm` (schema, templates) or `parse` (vcluster start's config parse). */
  stage?: 'helm' | 'parse'
  error?: string
  /** The config as vcluster start holds it after its parse and defaulting (JSON). */
  parsed?: Record<string, unknown>
  /** `install` only: helm's rendered manifests and the config.yaml its config Secret holds. */
  manifests?: string
  config?: string
}

export interface InstallRequest {
  name: string
  namespace: string
  /** The user's values as YAML text (what `helm install -f` is given). */
  values: string
  /** helm's --kube-version; empty for helm's default capabilities. */
  kubeVersion?: string
}

export interface Oracle {
  /** What `vcluster start` does with a config.yaml. */
  parse(name: string, config: string): Promise<OracleAnswer>
  /** What a user of upstream meets: helm's install dry run, then the start-up parse. */
  install(request: InstallRequest): Promise<OracleAnswer>
  close(): Promise<void>
  /** The oracle's process id (for checks on its namespaces). */
  pid: number | undefined
}

/**
 * Starts the oracle in a network namespace of its own (only `lo`, down): it runs upstream's code, and nothing that
 * code might try (update checks, registries, telemetry) may leave the machine. As root `unshare -n`; otherwise a
 * user namespace makes that possible (`-r`).
 */
export function startOracle(upstreamDir: string): Oracle {
  const oracle = [join(upstreamDir, 'oracle'), '-chart', join(upstreamDir, 'chart'), '-chart-version', VCLUSTER_VERSION]
  const isolate = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n']
  const child: ChildProcessWithoutNullStreams = spawn('unshare', [...isolate, '--', ...oracle], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const waiting = new Map<string, (answer: OracleAnswer) => void>()
  let stderr = ''
  let next = 0
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  createInterface({input: child.stdout}).on('line', (line) => {
    const answer = JSON.parse(line) as OracleAnswer
    waiting.get(answer.id)?.(answer)
    waiting.delete(answer.id)
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  void exited.then(() => {
    for (const [id] of waiting) waiting.get(id)?.({id, ok: false, error: `oracle exited: ${stderr}`})
    waiting.clear()
  })
  const ask = (request: Record<string, unknown>): Promise<OracleAnswer> => {
    const id = String(next++)
    return new Promise((resolve) => {
      waiting.set(id, resolve)
      child.stdin.write(`${JSON.stringify({...request, id})}\n`)
    })
  }
  return {
    pid: child.pid,
    parse: (name, config) => ask({op: 'parse', name, config}),
    install: (request) => ask({op: 'install', ...request}),
    close: async () => {
      child.stdin.end()
      await exited
    },
  }
}
