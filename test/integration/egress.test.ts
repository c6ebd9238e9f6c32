// No phoning home (issue 8): every command runs under strace, which records at the system-call level every connect(),
// sendto(), sendmsg() and sendmmsg() of the CLI and of every process it starts (kubectl in `connect -- kubectl`).
// Each destination must be an API server named in the kubeconfig the command was given, or the local port of the
// forward connect opened: no telemetry, no update check, no DNS lookup, nothing else. The recorder is checked first
// against a process that does connect elsewhere (on loopback only: nothing may leave this machine), so a test that
// sees nothing is a test that could have seen something. The real vCluster (upstream's `vcluster start`, run by the
// rig for each vCluster pod) is checked too: its sandbox has only `lo`, and whatever it tried to reach beyond loopback
// (telemetry's DNS lookup) failed inside it, recorded by strace around the container.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {
  cliEntry,
  freePort,
  newNamespace,
  useHostCluster,
  vcluster,
  waitForStandIn,
  type TestNamespace,
} from '../cluster/index.js'
import {TRACE_ANNOTATION} from '../cluster/real/plan.js'

const cluster = useHostCluster()
const work = mkdtempSync(join(tmpdir(), 'egress-'))
let traceCount = 0
afterAll(() => rmSync(work, {recursive: true, force: true}))

/** One address a traced process sent to or connected to, as strace printed it. */
export interface Destination {
  pid: number
  call: string
  family: string
  /** host:port for AF_INET/AF_INET6, the path for AF_UNIX, the kernel for AF_NETLINK. */
  address: string
}

/**
 * Every socket address in an strace log (`-f`, so lines start with the pid). A call cut in two by another thread
 * (`<unfinished ...>`) carries its address on the first half, so one pass over the lines finds them all.
 */
export function destinations(log: string): Destination[] {
  const out: Destination[] = []
  for (const line of log.split('\n')) {
    const m = /^(\d+)\s+(connect|sendto|sendmsg|sendmmsg)\(.*?sa_family=(AF_\w+)(.*)$/.exec(line)
    if (m === null) continue
    const [, pid, call, family, rest] = m as unknown as [string, string, string, string, string]
    const port = /sin6?_port=htons\((\d+)\)/.exec(rest)?.[1]
    const v4 = /inet_addr\("([^"]+)"\)/.exec(rest)?.[1]
    const v6 = /inet_pton\(AF_INET6, "([^"]+)"/.exec(rest)?.[1]
    const path = /sun_path=(@?"[^"]*")/.exec(rest)?.[1]
    const address =
      family === 'AF_INET'
        ? `${v4}:${port}`
        : family === 'AF_INET6'
          ? `[${v6}]:${port}`
          : family === 'AF_UNIX'
            ? (path ?? '?')
            : family
    out.push({pid: Number(pid), call, family, address})
  }
  return out
}

interface Traced {
  exitCode: number
  stdout: string
  stderr: string
  seen: Destination[]
}

/**
 * The environment a person's shell gives the CLI: vitest's own variables removed. NODE_ENV=test would make oclif
 * register tsx from the project's devDependencies, whose IPC client connects to /tmp/tsx-<uid>/<ppid>.pipe.
 */
function userEnv(extra: Record<string, string>): Record<string, string> {
  // A login shell sets HOME and SHELL. A CI runner may leave them unset, and then Node (HOME) and oclif (SHELL, through
  // os.userInfo) ask glibc for the user's passwd entry, which first tries nscd's socket: local name-service IPC, not
  // a network destination. With both set nothing may touch that socket, so a hosts lookup through nscd is still caught.
  const env = Object.entries({HOME: homedir(), SHELL: userInfo().shell ?? '/bin/sh', ...cluster.env, ...extra}).filter(
    ([k, v]) => v !== undefined && k !== 'NODE_ENV' && !k.startsWith('VITEST'),
  )
  return Object.fromEntries(env) as Record<string, string>
}

/** Runs argv under strace (children followed); returns its result and every address it used. */
async function traced(argv: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<Traced> {
  const log = join(work, `trace-${++traceCount}.log`)
  const r = await execa(
    'strace',
    [
      '-f',
      '-qq',
      '--seccomp-bpf',
      '-e',
      'trace=connect,sendto,sendmsg,sendmmsg',
      '-e',
      'signal=none',
      '-o',
      log,
      ...argv,
    ],
    {env: userEnv(env), extendEnv: false, reject: false, timeout: timeoutMs},
  )
  return {
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    seen: destinations(readFileSync(log, 'utf8')),
  }
}

let build = ''
const cli = (args: string[], env?: Record<string, string>) =>
  traced([process.execPath, join(build, 'bin', 'run.js'), ...args], env)

/** host:port of every cluster server in a kubeconfig file: the only places a command given it may connect to. */
function serversOf(file: string): string[] {
  return (parse(readFileSync(file, 'utf8')).clusters ?? []).map((c: {cluster: {server: string}}) => {
    const url = new URL(c.cluster.server)
    return `${url.hostname}:${url.port || '443'}`
  })
}

const outside = (seen: Destination[], allowed: readonly string[]) => seen.filter((d) => !allowed.includes(d.address))

describe('the egress recorder', () => {
  it('catches a connection to a loopback port that is no API server, also from a grandchild, and a DNS query', async () => {
    const [port, dnsPort] = [await freePort(), await freePort()]
    const grandchild = `require('net').connect(${port}, '127.0.0.1').on('error', () => {})`
    const child = `require('child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(grandchild)}])`
    const tcp = await traced([process.execPath, '-e', child])
    expect(tcp.seen.map((d) => `${d.call} ${d.address}`)).toContain(`connect 127.0.0.1:${port}`)
    expect(outside(tcp.seen, [cluster.server.replace('https://', '')])).not.toEqual([])
    // A DNS query to a resolver on loopback (never the machine's own resolver: nothing may leave loopback).
    const dns =
      `const r = new (require('dns').Resolver)({timeout: 200, tries: 1}); r.setServers(['127.0.0.1:${dnsPort}']);` +
      ` r.resolve4('example.invalid', () => process.exit(0))`
    const udp = await traced([process.execPath, '-e', dns])
    expect(udp.seen.map((d) => d.address)).toContain(`127.0.0.1:${dnsPort}`)
  })
})

describe('no phoning home', () => {
  let ns: TestNamespace
  let hostServers: string[]
  const results: {args: string[]; seen: Destination[]; allowed: string[]}[] = []

  /** Runs a command under the recorder and checks its exit code; the destinations are checked at the end. */
  async function run(args: string[], expectCode = 0, opts: {allowed?: string[]; env?: Record<string, string>} = {}) {
    const r = await cli(args, opts.env)
    expect(r.exitCode, `vcluster ${args.join(' ')}\n${r.stderr}`).toBe(expectCode)
    results.push({args, seen: r.seen, allowed: [...hostServers, ...(opts.allowed ?? [])]})
    return r
  }

  beforeAll(async () => {
    expect(() => execFileSync('strace', ['-V'])).not.toThrow()
    build = join(cliEntry(), '..', '..') // this run's copy of the build (a rebuild in the tree cannot break it)
    ns = await newNamespace('egress')
    hostServers = serversOf(ns.userKubeconfig)
  })

  it('uses only the API servers of the kubeconfig, in every command', async () => {
    const user = ['--kubeconfig', ns.userKubeconfig, '-n', ns.name]
    const values = join(work, 'vcluster.yaml')
    writeFileSync(values, 'controlPlane:\n  proxy:\n    extraSANs: [vc.example.com]\n')
    // No cluster needed: these must not open a single socket to anywhere.
    await run(['--version'])
    await run(['--help'])
    await run(['create', '--help'])
    await run(['validate', '-f', values, '-o', 'yaml'])
    await run(['validate', '--set', 'nonsense=1'], 2)
    await run(['completion', 'bash'])
    await run(['completion', 'zsh'])
    await run(['create', 'demo', '-n', ns.name, '-f', values, '--dry-run=client'])
    await run(['disconnect', '--kubeconfig', ns.userKubeconfig], 2)
    // Against the host cluster.
    await run(['create', 'demo', ...user, '-f', values, '--no-connect'])
    // After the real create: on a fresh namespace a namespace user's server dry-run fails (the RoleBinding names a
    // Role the dry-run did not persist), which is create's business, not this test's.
    await run(['create', 'demo', ...user, '-f', values, '--dry-run=server'])
    await waitForStandIn(ns.name, 'demo')
    await run(['list', ...user])
    await run(['list', '--kubeconfig', ns.userKubeconfig, '-o', 'json'])
    await run(['describe', 'demo', ...user, '-o', 'json'])
    await run(['__complete', 'connect', ''], 0, {env: {KUBECONFIG: ns.userKubeconfig}})
    const forward = await freePort()
    await run(['connect', 'demo', ...user, '--local-port', String(forward), '--', 'kubectl', 'get', 'namespaces'], 0, {
      allowed: [`127.0.0.1:${forward}`],
    })
    await run(['connect', 'demo', ...user, '--print'])
    await run(['upgrade', 'demo', ...user, '--set', 'controlPlane.statefulSet.labels.x=y', '--dry-run'])
    await run(['upgrade', 'demo', ...user, '--set', 'controlPlane.statefulSet.labels.x=y', '--yes'])
    await run(['pause', 'demo', ...user])
    await run(['resume', 'demo', ...user])
    await run(['disconnect', '--kubeconfig', vclusterContextKubeconfig(ns)])
    await run(['describe', 'nope', ...user], 3)
    await run(['delete', 'demo', ...user])
    // An unreachable server: the retries go to that server and nowhere else.
    const dead = await freePort()
    const deadConfig = join(work, 'dead-kubeconfig')
    writeFileSync(
      deadConfig,
      readFileSync(ns.userKubeconfig, 'utf8').replace(/https:\/\/127\.0\.0\.1:\d+/, `https://127.0.0.1:${dead}`),
    )
    await run(['list', '--kubeconfig', deadConfig], 7, {allowed: [`127.0.0.1:${dead}`]})

    const inet = results.flatMap((r) => r.seen.filter((d) => d.family === 'AF_INET' || d.family === 'AF_INET6'))
    const summary = [...new Set(inet.map((d) => d.address))].map(
      (a) => `${a} x${inet.filter((d) => d.address === a).length}`,
    )
    process.stderr.write(
      `[egress] ${results.length} commands traced; ${inet.length} inet connect/send calls; destinations: ${summary.join(', ')}\n`,
    )
    for (const r of results) {
      expect(
        outside(r.seen, r.allowed).map((d) => `${d.call} ${d.family} ${d.address}`),
        `vcluster ${r.args.join(' ')}`,
      ).toEqual([])
    }
    // Every command there is ran: a new command without a line above fails here.
    const commands = Object.keys(JSON.parse(readFileSync(join(build, 'oclif.manifest.json'), 'utf8')).commands)
    expect(commands.filter((id) => !results.some((r) => r.args[0] === id))).toEqual([])
    // The recorder saw the cluster traffic it should see, and the kubectl child's connections to the forward.
    expect(inet.length).toBeGreaterThan(0)
    expect(
      results
        .find((r) => r.args[0] === 'connect' && r.args.includes('kubectl'))
        ?.seen.some((d) => d.address === `127.0.0.1:${forward}`),
    ).toBe(true)
  })
})

/** A copy of the user's kubeconfig whose current context is a vCluster context named as connect names it. */
function vclusterContextKubeconfig(ns: TestNamespace): string {
  const doc = parse(readFileSync(ns.userKubeconfig, 'utf8'))
  const host = doc['current-context'] as string
  const context = doc.contexts.find((c: {name: string}) => c.name === host)
  const name = `vcluster_demo_${ns.name}_${host}`
  doc.contexts.push({name, context: {...context.context}})
  doc['current-context'] = name
  const file = join(work, 'vcluster-context-kubeconfig')
  writeFileSync(file, stringify(doc), {mode: 0o600})
  return file
}

/** Each connect/send call to a socket address in an strace log (`-f`) with its result (`-1 ENETUNREACH ...`). */
export function attempts(log: string): Array<Destination & {result: string}> {
  const lines = log.split('\n')
  return lines.flatMap((line, i) =>
    destinations(line).map((d) => {
      // A call another thread cut in two ends on its `<... call resumed>` line.
      const end = line.includes('<unfinished ...>')
        ? (lines.slice(i + 1).find((l) => l.startsWith(`${d.pid} `) && l.includes(`<... ${d.call} resumed>`)) ?? '')
        : line
      return {...d, result: /\)\s+=\s+(.*)$/.exec(end)?.[1] ?? '?'}
    }),
  )
}

const LOOPBACK = /^(127\.|\[::1\]|\[::ffff:127\.)/

/** Processes whose root is under dir (a sandbox chroots into <dir>/rootfs). */
function rootedIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        return readlinkSync(`/proc/${p}/root`).startsWith(dir) ? [Number(p)] : []
      } catch {
        return [] // ended meanwhile
      }
    })
}

/** Local and remote addresses (hex, as /proc/net/tcp* and udp* print them) of every socket in pid's netns. */
function socketAddresses(pid: number): string[] {
  return ['tcp', 'tcp6', 'udp', 'udp6'].flatMap((f) =>
    readFileSync(`/proc/${pid}/net/${f}`, 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '')
      .flatMap((l) => (l.trim().split(/\s+/).slice(1, 3) as string[]).map((a) => a.split(':')[0] ?? '')),
  )
}

/** 127.0.0.0/8, ::1, ::ffff:127.x or unspecified, in /proc/net's hex (32-bit words, each little-endian). */
function loopbackHex(hex: string): boolean {
  if (hex.length === 8) return hex.endsWith('7F') || hex === '00000000'
  return hex === '0'.repeat(32) || hex === `${'0'.repeat(24)}01000000` || /^0{16}FFFF0000[0-9A-F]{6}7F$/.test(hex)
}

describe("the real vCluster's sandbox", () => {
  it('has only lo and loopback sockets; what it tried beyond loopback, and DNS or TCP from inside, fail there', async () => {
    const ns = await newNamespace('egress-real', {mode: 'real'})
    const values = join(work, 'traced.yaml')
    writeFileSync(values, stringify({controlPlane: {statefulSet: {pods: {annotations: {[TRACE_ANNOTATION]: 'true'}}}}}))
    const user = ['-n', ns.name, '--kubeconfig', ns.userKubeconfig]
    const created = await vcluster(['create', 'demo', ...user, '-f', values, '--no-connect'], {timeoutMs: 300_000})
    expect(created.exitCode, created.stderr).toBe(0)
    const used = await vcluster(['connect', 'demo', ...user, '--', 'kubectl', 'get', 'namespaces'], {
      timeoutMs: 120_000,
    })
    expect(used.exitCode, used.stderr).toBe(0)
    const pod = await cluster.kubectlJson(['-n', ns.name, 'get', 'pod', 'demo-0'])
    const dir = join(cluster.dir, 'real', pod.metadata.uid)
    const pids = rootedIn(dir)
    expect(pids.length).toBeGreaterThan(1) // vcluster and its control plane
    const hostNet = readlinkSync('/proc/self/ns/net')
    for (const pid of pids) {
      expect(readlinkSync(`/proc/${pid}/ns/net`)).not.toBe(hostNet)
      const interfaces = readFileSync(`/proc/${pid}/net/dev`, 'utf8')
        .split('\n')
        .slice(2)
        .map((l) => l.split(':')[0]?.trim())
        .filter((i) => i)
      expect(interfaces).toEqual(['lo'])
      expect(socketAddresses(pid).filter((a) => !loopbackHex(a))).toEqual([])
    }
    // Whatever the vCluster tried beyond loopback (none is needed; telemetry uploads every 5 minutes) failed inside.
    const tried = attempts(readFileSync(join(dir, 'egress.strace'), 'utf8')).filter(
      (a) => a.family === 'AF_INET' || a.family === 'AF_INET6',
    )
    const beyond = tried.filter((a) => !LOOPBACK.test(a.address))
    process.stderr.write(
      `[egress] real vCluster: ${tried.length} inet calls; beyond loopback: ${
        [...new Set(beyond.map((a) => `${a.call} ${a.address} = ${a.result}`))].join(', ') || 'none'
      }\n`,
    )
    expect(tried.length).toBeGreaterThan(0) // the recorder saw it talk (its API server bridge, its control plane)
    for (const a of beyond) expect(`${a.call} ${a.address} = ${a.result}`).toMatch(/= -1 E(NETUNREACH|HOSTUNREACH)\b/)
    // What telemetry would do first, from inside its network namespace: a DNS query to this machine's resolver, and a
    // TCP connection beyond loopback. Neither can leave.
    const resolver = /^nameserver\s+(\S+)/m.exec(readFileSync('/etc/resolv.conf', 'utf8'))?.[1] ?? '192.0.2.53'
    const probe = [
      `const d = require('dgram').createSocket('udp4');`,
      `d.send(Buffer.alloc(12), 53, ${JSON.stringify(resolver)}, (e) => {`,
      `  console.log('udp', e ? e.code : 'SENT'); d.close();`,
      `  require('net').connect(443, '192.0.2.1').on('error', (e) => console.log('tcp', e.code))`,
      `    .on('connect', () => { console.log('tcp CONNECTED'); process.exit(1) }) })`,
    ].join('\n')
    const inside = await execa('nsenter', [`--net=/proc/${pids[0]}/ns/net`, process.execPath, '-e', probe], {
      reject: false,
      timeout: 30_000,
    })
    expect(inside.stdout.split('\n')).toEqual(['udp ENETUNREACH', 'tcp ENETUNREACH'])
  })
})
