// The process that owns one host cluster: creates it, runs the watcher, writes ready.json, and deletes
// everything on SIGTERM/SIGINT/SIGHUP, on a fatal error, or when its owner (the test runner) disappears.
// Usage: node --import tsx test/cluster/daemon.ts --name N --dir D --bin B [--owner-pid P] [--ephemeral]
//   [--default-mode real|standin] (the mode of namespaces without the label, mode.ts)
import {KubeConfig} from '@kubernetes/client-node'
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {pidAlive} from './proc.js'
import {removeSocketDirsUnder, sweepStaleSocketDirs} from './real/sockets.js'
import {createCluster, deleteCluster, type ClusterFacts} from './rig.js'
import {Watcher} from './watcher.js'

const {values} = parseArgs({
  options: {
    name: {type: 'string'},
    dir: {type: 'string'},
    bin: {type: 'string'},
    'owner-pid': {type: 'string'},
    ephemeral: {type: 'boolean', default: false},
    'default-mode': {type: 'string', default: 'real'},
  },
})
const name = values.name ?? ''
const dir = values.dir ?? ''
const binDir = values.bin ?? ''
const ownerPid = values['owner-pid'] ? Number(values['owner-pid']) : undefined
const defaultMode = values['default-mode'] === 'standin' ? 'standin' : 'real'

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`)
}

let watcher: Watcher | undefined
let stopping: Promise<void> | undefined

function shutdown(code: number, why: string): Promise<void> {
  stopping ??= (async () => {
    log(`shutting down: ${why}`)
    rmSync(join(dir, 'ready.json'), {force: true})
    try {
      await watcher?.stop()
    } catch (error) {
      log(`stopping the watcher failed: ${(error as Error).message}`)
    }
    // The sandboxes have stopped and removed their own; this catches one whose stop failed.
    removeSocketDirsUnder(dir)
    try {
      await deleteCluster(name, dir, binDir)
      log('cluster deleted')
    } catch (error) {
      log(`kwokctl delete cluster failed: ${(error as Error).message}`)
      code = code || 1
    }
    rmSync(join(dir, 'daemon.pid'), {force: true})
    // After a failure the directory stays for diagnosis; whoever started us reads and removes it.
    if (values.ephemeral && code === 0) rmSync(dir, {recursive: true, force: true})
    process.exit(code)
  })()
  return stopping
}

async function main(): Promise<void> {
  if (!name || !dir || !binDir) throw new Error('usage: daemon.ts --name N --dir D --bin B [--owner-pid P]')
  writeFileSync(join(dir, 'daemon.pid'), String(process.pid))
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void shutdown(0, sig))
  if (ownerPid) {
    // The owner (vitest) may die without running its teardown (SIGKILL, crash): clean up after it.
    setInterval(() => pidAlive(ownerPid) || void shutdown(0, `owner ${ownerPid} is gone`), 1000)
  }
  const started = Date.now()
  // Sockets of sandboxes whose runner was SIGKILLed (another cluster's daemon, run.ts): they died with it.
  sweepStaleSocketDirs(log)
  log(`creating cluster ${name} in ${dir}`)
  const facts = await createCluster(name, dir, binDir)
  const kc = new KubeConfig()
  kc.loadFromFile(facts.kubeconfig)
  watcher = new Watcher(kc, binDir, dir, log, defaultMode)
  await watcher.start()
  const ready: ClusterFacts = {...facts, daemonPid: process.pid, daemonLog: join(dir, 'daemon.log')}
  writeFileSync(join(dir, 'ready.json'), JSON.stringify(ready, null, 2))
  log(`cluster ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${facts.server}`)
}

main().catch((error: unknown) => {
  log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  writeFileSync(join(dir, 'error.txt'), error instanceof Error ? error.message : String(error))
  void shutdown(1, 'start-up failed')
})
