// Processes the stand-ins share: one etcd, and pid files so a crashed daemon's children can be found and ended.
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {freePort, startLogged, tail, terminate, waitFor} from './proc.js'

/** Where the process writes pid files that `cluster:down` can clean up if the daemon itself was killed. */
export interface Tracker {
  track(pid: number): void
  untrack(pid: number): void
}

/** One etcd for all stand-ins (each apiserver gets its own --etcd-prefix); started on first use. */
export class SharedEtcd {
  private url?: Promise<string>
  private pid?: number

  constructor(
    private readonly dir: string,
    private readonly tracker: Tracker,
  ) {}

  ensure(): Promise<string> {
    this.url ??= this.start().catch((error: unknown) => {
      this.url = undefined
      throw error
    })
    return this.url
  }

  private async start(): Promise<string> {
    mkdirSync(this.dir, {recursive: true})
    const [client, peer] = [await freePort(), await freePort()]
    const url = `http://127.0.0.1:${client}`
    const peerUrl = `http://127.0.0.1:${peer}`
    const log = join(this.dir, 'etcd.log')
    const proc = startLogged(
      'etcd',
      [
        '--name=standins',
        `--data-dir=${join(this.dir, 'data')}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=standins=${peerUrl}`,
        // Keeps the in-memory raft log short: this etcd holds a few test objects.
        '--snapshot-count=5000',
        '--auto-compaction-retention=1',
      ],
      log,
    )
    if (proc.pid === undefined) throw new Error('could not start etcd for the stand-ins')
    this.pid = proc.pid
    this.tracker.track(proc.pid)
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`etcd exited with ${proc.exitCode}:\n${tail(log)}`)
        const res = await fetch(`${url}/health`)
        return res.ok
      },
      {timeoutMs: 30_000, what: "the stand-ins' etcd"},
    )
    return url
  }

  async stop(): Promise<void> {
    if (this.pid === undefined) return
    await terminate(this.pid)
    this.tracker.untrack(this.pid)
    this.pid = undefined
    this.url = undefined
  }
}

/** Writes/removes one file per tracked pid under dir. */
export function pidFileTracker(dir: string): Tracker {
  mkdirSync(dir, {recursive: true})
  return {
    track: (pid) => writeFileSync(join(dir, String(pid)), ''),
    untrack: (pid) => rmSync(join(dir, String(pid)), {force: true}),
  }
}
