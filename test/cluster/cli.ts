// `npm run cluster:up` / `npm run cluster:down`: a long-lived local host cluster for people (the README's demo).
// State lives in ${XDG_CACHE_HOME:-~/.cache}/vcluster-ts/clusters/<name>; the last line of `up` is the export.
// `up --audit`: the kube-apiserver also writes an audit log (every request's metadata) to the cluster's logs dir,
// where the bench counts the CLI's requests. `up --default-mode standin`: vCluster pods of unlabelled namespaces get
// the stand-in instead of the real vCluster (mode.ts), for runs that create many vClusters.
import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {runningCluster, startCluster, stopCluster} from './control.js'
import {removeSocketDirsUnder} from './real/sockets.js'
import {auditLogPath, cacheRoot} from './rig.js'

const {values, positionals} = parseArgs({
  allowPositionals: true,
  options: {
    name: {type: 'string', default: 'vcluster-ts'},
    audit: {type: 'boolean', default: false},
    'default-mode': {type: 'string', default: 'real'},
  },
})
const name = values.name ?? 'vcluster-ts'
const dir = join(cacheRoot(), 'clusters', name)
const say = (line: string) => process.stderr.write(`${line}\n`)

async function up(): Promise<void> {
  let facts = await runningCluster(dir)
  if (facts && values.audit && !existsSync(auditLogPath(name, dir))) {
    say(`host cluster ${name} runs without an audit log; restarting it with one`)
    facts = undefined
  }
  if (facts) {
    say(`host cluster ${name} is already running (daemon pid ${facts.daemonPid}, log ${facts.daemonLog})`)
  } else {
    await stopCluster(dir, name, say) // leftovers of a crashed or rebooted one
    removeSocketDirsUnder(dir)
    rmSync(dir, {recursive: true, force: true})
    const defaultMode = values['default-mode'] === 'standin' ? 'standin' : 'real'
    facts = await startCluster({
      name,
      dir,
      ephemeral: false,
      detached: true,
      log: say,
      audit: values.audit,
      defaultMode,
    })
    if (values.audit) say(`audit log: ${auditLogPath(name, dir)}`)
    say(`stop it with: npm run cluster:down${name === 'vcluster-ts' ? '' : ` -- --name ${name}`}`)
  }
  // Two lines for `eval "$(npm run -s cluster:up)"`: the pinned kubectl (a new machine may have none) and the cluster.
  process.stdout.write(`export PATH="${facts.binDir}:$PATH"\nexport KUBECONFIG=${facts.kubeconfig}\n`)
}

async function down(): Promise<void> {
  await stopCluster(dir, name, say)
  // A killed daemon's sandboxes died with it (pdeathsig), but their socket dirs live outside the state dir.
  for (const d of removeSocketDirsUnder(dir)) say(`removed sandbox socket dir ${d}`)
  rmSync(dir, {recursive: true, force: true})
  say(`host cluster ${name} is gone`)
}

const command = positionals[0]
const action = command === 'up' ? up : command === 'down' ? down : undefined
if (!action) {
  say('usage: cli.ts up|down [--name NAME] [--audit] [--default-mode real|standin]')
  process.exit(2)
}
action().catch((error: unknown) => {
  say(`\n${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
