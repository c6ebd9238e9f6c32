// Flag parity with upstream's CLI, checked rather than remembered: upstream's own `vcluster <command> --help`
// (the pinned release, built by test/upstream/build-cli.sh and run in a loopback-only network namespace) lists its
// flags; each must be one of ours with the same kind, short name and boolean default, or a decision in
// src/cli/upstream-flags.ts (accepted as a no-op, or refused with what to use instead), wired into the command.
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import type {Command} from '@oclif/core'
import {beforeAll, describe, expect, it} from 'vitest'
import {decisionsFor, type UpstreamCommand} from '../../src/cli/upstream-flags.js'
import {VClusterError} from '../../src/lib/errors.js'
import Connect from '../../src/commands/connect.js'
import Create from '../../src/commands/create.js'
import Delete from '../../src/commands/delete.js'
import Describe from '../../src/commands/describe.js'
import Disconnect from '../../src/commands/disconnect.js'
import List from '../../src/commands/list.js'
import Pause from '../../src/commands/pause.js'
import Resume from '../../src/commands/resume.js'
import {runUpstream, upstreamCliDir} from '../upstream/peer.js'

const COMMANDS: UpstreamCommand[] = ['create', 'connect', 'delete', 'list', 'pause', 'resume', 'describe', 'disconnect']
const REPO = join(import.meta.dirname, '..', '..')

export interface UpstreamFlag {
  name: string
  char?: string
  /** The value's type as cobra prints it (string, int, stringArray...); undefined for a boolean. */
  type?: string
  default?: string
}

/** The flags of a cobra help text (`Flags:` and `Global Flags:`), `--help` itself left out. */
export function parseCobraHelp(help: string): UpstreamFlag[] {
  const flags: UpstreamFlag[] = []
  let inFlags = false
  for (const line of help.split('\n')) {
    if (/^(Global )?Flags:$/.test(line)) {
      inFlags = true
      continue
    }
    if (!line.startsWith(' ')) inFlags = false
    if (!inFlags) continue
    const m = /^\s+(?:-(\w), )?--([\w-]+)(?: (\S.*?))?\s{2,}(.*)$/.exec(line)
    if (m === null) continue
    const [, char, name = '', type, description = ''] = m
    if (name === 'help') continue
    flags.push({name, char, type, default: /\(default (.+)\)$/.exec(description)?.[1]})
  }
  return flags
}

type OurFlag = {
  type: 'boolean' | 'option'
  char?: string
  hidden?: boolean
  allowNo?: boolean
  default?: unknown
  parse?: (input: unknown, ctx: unknown, flag: unknown) => Promise<unknown>
}

const CLASSES: Record<UpstreamCommand, typeof Command> = {
  create: Create,
  connect: Connect,
  delete: Delete,
  list: List,
  pause: Pause,
  resume: Resume,
  describe: Describe,
  disconnect: Disconnect,
}

async function ourFlags(command: UpstreamCommand): Promise<Record<string, OurFlag>> {
  return CLASSES[command].flags as unknown as Record<string, OurFlag>
}

const upstream = new Map<UpstreamCommand, UpstreamFlag[]>()

beforeAll(async () => {
  await upstreamCliDir()
  for (const command of COMMANDS) {
    const r = await runUpstream([command, '--help'], {timeoutMs: 60_000})
    expect(r.exitCode, r.stderr).toBe(0)
    upstream.set(command, parseCobraHelp(r.stdout))
  }
}, 1_800_000)

describe("upstream's help, parsed", () => {
  it('reads flags, short names, types and defaults', () => {
    const create = upstream.get('create') ?? []
    expect(create.find((f) => f.name === 'values')).toEqual({name: 'values', char: 'f', type: 'stringArray'})
    expect(create.find((f) => f.name === 'connect')).toMatchObject({type: undefined, default: 'true'})
    expect(upstream.get('connect')?.map((f) => f.name)).toEqual(
      expect.arrayContaining(['pod', 'address', 'cluster-role', 'token-expiration', 'namespace', 'context']),
    )
  })
})

describe.each(COMMANDS)('vcluster %s: every upstream flag is ours, or decided', (command) => {
  it('has each one with the same kind, short name and boolean default, or a decision wired in', async () => {
    const ours = await ourFlags(command)
    const decisions = decisionsFor(command)
    const problems: string[] = []
    for (const flag of upstream.get(command) ?? []) {
      const mine = ours[flag.name]
      const decision = decisions[flag.name]
      const wanted = flag.type === undefined ? 'boolean' : 'option'
      if (mine === undefined) {
        problems.push(
          `--${flag.name}: upstream has it; add it, or a decision in src/cli/upstream-flags.ts${decision ? ' (it has one: spread upstreamFlags into the command)' : ''}`,
        )
        continue
      }
      if (mine.type !== wanted) problems.push(`--${flag.name}: upstream's is ${wanted}, ours ${mine.type}`)
      if (flag.char !== undefined && mine.char !== flag.char)
        problems.push(
          `--${flag.name}: upstream's short name is -${flag.char}, ours ${mine.char ? `-${mine.char}` : 'none'}`,
        )
      if (decision !== undefined) continue
      if (mine.hidden === true) problems.push(`--${flag.name}: ours is hidden but not a decision`)
      if (wanted === 'boolean' && flag.default === 'true' && (mine.default !== true || mine.allowNo !== true))
        problems.push(`--${flag.name}: upstream's defaults to true; ours must too, with --no-${flag.name}`)
      if (wanted === 'boolean' && flag.default !== 'true' && mine.default === true)
        problems.push(`--${flag.name}: upstream's defaults to false, ours to true`)
    }
    expect(problems).toEqual([])
  })

  it('refuses each refused flag with a usage error naming it, and accepts the no-ops', async () => {
    const ours = await ourFlags(command)
    for (const [name, decision] of Object.entries(decisionsFor(command))) {
      const flag = ours[name]
      expect(flag, `--${name} is wired into ${command}`).toBeDefined()
      expect(flag?.hidden).toBe(true)
      const input = decision.kind === 'refuse-false' ? false : decision.type === 'boolean' ? true : 'x'
      const parsed = flag?.parse?.(input, {}, flag) ?? Promise.resolve(input)
      if (decision.kind === 'noop') await expect(parsed).resolves.toBe(input)
      else {
        const error = await parsed.then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(error, `--${name}`).toBeInstanceOf(VClusterError)
        expect((error as VClusterError).kind).toBe('usage')
        expect((error as Error).message).toMatch(new RegExp(`^--${name} `))
      }
      if (decision.kind === 'refuse-false') await expect(flag?.parse?.(true, {}, flag)).resolves.toBe(true)
    }
  })

  it('lists no decision for a flag upstream does not have', () => {
    const names = new Set((upstream.get(command) ?? []).map((f) => f.name))
    expect(Object.keys(decisionsFor(command)).filter((n) => !names.has(n))).toEqual([])
  })
})

describe('a refused flag on the command line', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {encoding: 'utf8', env: {...process.env}})

  it('exits 2 with the flag and the way forward, before touching any cluster', () => {
    const r = run(['create', 'demo', '--project', 'p', '--kubeconfig', '/nonexistent'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('--project is a vCluster Platform flag')
    const d = run(['delete', 'demo', '--delete-context=false', '--json', '--kubeconfig', '/nonexistent'])
    expect(d.status).toBe(2)
    expect(JSON.parse(d.stdout).error).toMatchObject({code: 'usage', exitCode: 2})
    expect(JSON.parse(d.stdout).error.message).toContain("--delete-context (upstream's) is not supported")
  })
})
