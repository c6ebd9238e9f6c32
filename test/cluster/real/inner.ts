// PID 1 of a real vCluster's sandbox, started by sandbox.ts as
//   setpriv --pdeathsig SIGKILL unshare -m -n -p -u --fork --kill-child --propagation private node inner.ts PLAN
// so it runs in fresh mount, network, PID and UTS namespaces. It brings up `lo` (the only interface: nothing the
// vCluster tries can leave the machine), builds the container's root from bind mounts, bridges the host API server
// and the pod's ports through unix sockets, and runs the container's command chrooted. When it exits the kernel
// kills everything else in the PID namespace, and the mount and network namespaces go with the last process.
// Run by plain `node` (type stripping), so: node: imports only, erasable TypeScript only.
import {spawn, execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {constants} from 'node:os'
import {dirname, join} from 'node:path'
import type {SandboxPlan} from './plan.js'

const plan = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as SandboxPlan

function say(message: string): void {
  process.stderr.write(`${new Date().toISOString()} [sandbox] ${message}\n`)
}

function run(cmd: string, ...args: string[]): void {
  execFileSync(cmd, args, {stdio: ['ignore', 'ignore', 'inherit']})
}

/** A mount point of the right kind (a file can only be bound onto a file). */
function mountPoint(target: string, source?: string): void {
  if (source && !statSync(source).isDirectory()) {
    mkdirSync(dirname(target), {recursive: true})
    writeFileSync(target, '', {flag: 'a'})
  } else {
    mkdirSync(target, {recursive: true})
  }
}

function bind(source: string, target: string, readOnly: boolean, recursive = false): void {
  mountPoint(target, source)
  run('mount', recursive ? '--rbind' : '--bind', source, target)
  if (readOnly) run('mount', '-o', 'remount,bind,ro', target)
}

/** The image's root: the host's /usr and /etc stand in for the image's files, plus the pod's volumes. */
function buildRoot(): void {
  const root = plan.rootfs
  for (const l of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${l}`, join(root, l))
  bind('/usr', join(root, 'usr'), true, true)
  bind('/etc', join(root, 'etc'), true, true)
  bind('/dev', join(root, 'dev'), false, true)
  mountPoint(join(root, 'proc'))
  run('mount', '-t', 'proc', 'proc', join(root, 'proc')) // this PID namespace's processes only
  mountPoint(join(root, 'sys'))
  run('mount', '-t', 'sysfs', 'sysfs', join(root, 'sys')) // this network namespace's view
  mountPoint(join(root, 'run'))
  run('mount', '-t', 'tmpfs', 'tmpfs', join(root, 'run'))
  mkdirSync(join(root, 'root'), {recursive: true})
  for (const f of plan.files) bind(f.source, join(root, f.target), true)
  for (const m of plan.mounts) bind(m.source, join(root, m.target), m.readOnly)
}

/** Accepts on one side and dials the other for each connection; either side's end or error closes both. */
function bridge(listen: (s: Server) => void, dial: () => Socket): Server {
  const server = createServer({noDelay: true}, (inbound) => {
    const outbound = dial()
    outbound.setNoDelay?.(true)
    inbound.pipe(outbound).pipe(inbound)
    const close = () => {
      inbound.destroy()
      outbound.destroy()
    }
    inbound.on('error', close).on('close', close)
    outbound.on('error', close).on('close', close)
  })
  server.on('error', (error) => say(`bridge: ${error.message}`))
  listen(server)
  return server
}

function startBridges(): void {
  // In-cluster clients dial KUBERNETES_SERVICE_HOST:PORT = 127.0.0.1:<host API port>, here inside.
  bridge(
    (s) => s.listen(plan.apiPort, '127.0.0.1'),
    () => connect({path: plan.apiSocket}),
  )
  for (const p of plan.podPorts) {
    rmSync(p.socket, {force: true})
    bridge(
      (s) => s.listen(p.socket),
      () => connect({host: '127.0.0.1', port: p.port}),
    )
  }
}

function main(): void {
  run('ip', 'link', 'set', 'lo', 'up')
  run('hostname', plan.hostname)
  buildRoot()
  startBridges()
  say(`${plan.name}: ${plan.argv.join(' ')} (pid namespace init ${process.pid}, only lo)`)
  // env -i semantics: the container sees exactly the pod's environment. chroot(8) changes into / afterwards.
  const container = ['/usr/sbin/chroot', plan.rootfs, ...plan.argv]
  // Traced (plan.trace): strace starts the container and follows its children; its log is on the host's side.
  const traceArgs = ['-f', '-qq', '-A', '-o', plan.trace ?? '', '-e', 'trace=connect,sendto,sendmsg,sendmmsg']
  const [cmd, ...args] = plan.trace ? ['/usr/bin/strace', ...traceArgs, ...container] : container
  const child = spawn(cmd ?? '', args, {env: plan.env, stdio: 'inherit'})
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      say(`${sig}: passing it to the container`)
      // strace would not pass it on: then every process of this PID namespace but its init gets it (kill -1).
      if (plan.trace) process.kill(-1, sig)
      else child.kill(sig)
    })
  }
  child.on('error', (error) => {
    say(`could not start the container: ${error.message}`)
    process.exit(127)
  })
  child.on('exit', (code, signal) => {
    say(`container exited (${signal ?? `code ${code}`})`)
    process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0))
  })
}

try {
  main()
} catch (error) {
  say(`setting up the sandbox failed: ${(error as Error).message}`)
  process.exit(125)
}
