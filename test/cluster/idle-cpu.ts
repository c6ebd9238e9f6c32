// What the rig's daemon (watcher) costs while nothing changes: starts a throw-away cluster, adds N bare vCluster
// StatefulSets (replicas 0, one namespace each), lets it settle, then reads the daemon's CPU time (utime + stime of
// /proc/<pid>/stat) over an idle window. Usage:
//   node --import tsx test/cluster/idle-cpu.ts [--count 100] [--seconds 60] [--settle 30] [--label key=value]
// --label is put on each namespace (e.g. vcluster-ts.test/real=false for stand-ins). Prints one line of figures.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {parseArgs} from 'node:util'
import {execa} from 'execa'
import {stringify} from 'yaml'
import {startCluster, stopCluster, TEST_DIR_PREFIX} from './control.js'
import {sleep} from './proc.js'

const {values} = parseArgs({
  options: {
    count: {type: 'string', default: '100'},
    seconds: {type: 'string', default: '60'},
    settle: {type: 'string', default: '30'},
    label: {type: 'string'},
  },
})
const count = Number(values.count)
const say = (line: string) => process.stderr.write(`${line}\n`)

/** utime + stime of pid in seconds (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function objects(): string {
  const [key, value] = values.label?.split('=') ?? []
  const items: unknown[] = []
  for (let i = 0; i < count; i++) {
    const ns = `idle-${i}`
    items.push({apiVersion: 'v1', kind: 'Namespace', metadata: {name: ns, labels: key ? {[key]: value} : {}}})
    const labels = {app: 'vcluster', release: `vc${i}`}
    items.push({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {name: `vc${i}`, namespace: ns, labels},
      spec: {
        replicas: 0,
        serviceName: `vc${i}`,
        selector: {matchLabels: labels},
        template: {metadata: {labels}, spec: {containers: [{name: 'syncer', image: 'none'}]}},
      },
    })
  }
  return stringify({apiVersion: 'v1', kind: 'List', items})
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), TEST_DIR_PREFIX))
  const name = `vcts-idle-${basename(dir).slice(TEST_DIR_PREFIX.length).toLowerCase()}`
  try {
    const facts = await startCluster({name, dir, ephemeral: true, ownerPid: process.pid, detached: false, log: say})
    if (count > 0) {
      await execa('kubectl', ['--kubeconfig', facts.kubeconfig, 'apply', '-f', '-'], {
        input: objects(),
        env: {...process.env, PATH: `${facts.binDir}:${process.env.PATH}`},
      })
    }
    await sleep(Number(values.settle) * 1000)
    const before = cpuSeconds(facts.daemonPid)
    await sleep(Number(values.seconds) * 1000)
    const used = cpuSeconds(facts.daemonPid) - before
    process.stdout.write(
      `vClusters ${count}${values.label ? ` (${values.label})` : ''}: daemon ${used.toFixed(2)} CPU-s over ` +
        `${values.seconds} s idle\n`,
    )
  } finally {
    await stopCluster(dir, name, say)
    rmSync(dir, {recursive: true, force: true})
  }
}

main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error))
  process.exit(1)
})
