/**
 * Hostile config input through the built CLI (issue 8): a sample of the inputs test/lib/config/hostile.test.ts
 * generates, run as `vcluster validate -f` and `vcluster create -f` with a kubeconfig that points at a loopback
 * listener recording connections. Each must exit 2 with a file:line:col line, no stack trace, and no connection.
 */
import {writeFileSync} from 'node:fs'
import {createServer, type AddressInfo, type Server} from 'node:net'
import {join, resolve} from 'node:path'
import {execa} from 'execa'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli, tempFiles} from '../helpers/run-cli.js'

const SEED = Number(process.env.HOSTILE_SEED ?? 20_240_808)

const FIXED: Record<string, string | Buffer> = {
  'alias-bomb': `global:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${Array.from(
    {length: 8},
    (_, i) =>
      `  l${i}: &l${i + 1} [${Array(9)
        .fill(i === 0 ? '*a' : `*l${i}`)
        .join(', ')}]`,
  ).join('\n')}\n`,
  'unresolved-alias': 'controlPlane: *nope\n',
  'bad-merge-key': 'controlPlane:\n  <<: 5\n',
  'proto-key': '__proto__:\n  polluted: true\n',
  'complex-key': 'controlPlane:\n  ? [a, b]\n  : 1\n',
  'deep-flow': `global: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
  'deep-block': `global:\n${Array.from({length: 100}, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n')} 1\n`,
  'wrong-type': 'controlPlane:\n  proxy:\n    extraSANs: 5\n',
  'unknown-key': 'sync:\n  toHost:\n    pods:\n      enabld: true\n',
  'syntax-error': 'controlPlane:\n  proxy: [a, b\n',
  'two-docs': 'controlPlane: {}\n---\nsync: {}\n',
  'duplicate-key': 'sync: {}\nsync: {}\n',
  'invalid-utf8': Buffer.from([
    ...Buffer.from('controlPlane:\n  proxy:\n    extraSANs: ['),
    0xff,
    0xc0,
    0xaf,
    ...Buffer.from(']\n  bogus: 1\n'),
  ]),
  'binary-garbage': Buffer.from([
    0x00, 0x01, 0xfe, 0xff, 0x7f, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0a, 0x89, 0x50, 0x4e, 0x47,
  ]),
  'huge-unknown': Array.from({length: 20_000}, (_, i) => `key${i}: ${i}`).join('\n'),
}

/** A few more from fast-check, seeded: random fragments of YAML syntax that are not a valid config. */
function generated(count: number): Record<string, string> {
  const fragment = fc.constantFrom(
    ':',
    '- ',
    '[',
    ']',
    '{',
    '}',
    '&a ',
    '*a',
    '!!map ',
    '"',
    '\n',
    '\n  ',
    '? ',
    '---\n',
    '<<: ',
    'controlPlane',
    'x',
    ' ',
    '\t',
    '%',
  )
  const texts = fc.sample(
    fc.array(fragment, {minLength: 1, maxLength: 30}).map((p) => `zzUnknown: 1\n${p.join('')}`),
    {seed: SEED, numRuns: count},
  )
  return Object.fromEntries(texts.map((t, i) => [`generated-${i}`, t]))
}

const CASES = {...FIXED, ...generated(5)}
const BIN = resolve(import.meta.dirname, '../../bin/run.js')
const STACK = /\bat .*\.(js|ts):\d+/

let server: Server
const connections: string[] = []
let dir: string
let kubeconfig: string

beforeAll(async () => {
  server = createServer((socket) => {
    connections.push(`${socket.remoteAddress}:${socket.remotePort}`)
    socket.destroy()
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const {port} = server.address() as AddressInfo
  dir = tempFiles({})
  kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: trap\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: trap\n  user:\n    token: not-a-real-token',
      'contexts:',
      '- name: trap\n  context:\n    cluster: trap\n    user: trap\n    namespace: default',
      'current-context: trap',
      '',
    ].join('\n'),
    {mode: 0o600},
  )
  for (const [name, text] of Object.entries(CASES)) writeFileSync(join(dir, `${name}.yaml`), text)
})

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()))
})

function expectRefused(name: string, r: {exitCode: number; stdout: string; stderr: string}): void {
  const context = `${name}:\n${r.stderr.slice(0, 1500)}`
  expect(r.exitCode, context).toBe(2)
  expect(r.stderr, context).toMatch(new RegExp(`^${name}\\.yaml:\\d+:\\d+: `, 'm'))
  expect(r.stderr, context).not.toMatch(STACK)
  expect(r.stdout, context).not.toMatch(STACK)
}

describe('hostile config input through the CLI', () => {
  it(`validate and create refuse ${Object.keys(CASES).length} hostile files with exit 2, file:line:col, no stack, no connection`, async () => {
    const names = Object.keys(CASES)
    expect(names.length).toBeGreaterThanOrEqual(20)
    // Two at a time: each case is two CLI processes.
    for (let i = 0; i < names.length; i += 2) {
      await Promise.all(
        names.slice(i, i + 2).map(async (name) => {
          const file = `${name}.yaml`
          expectRefused(name, await runCli(['validate', '-f', file], {cwd: dir}))
          expectRefused(
            name,
            await runCli(['create', 'demo', '-f', file, '--kubeconfig', kubeconfig], {
              cwd: dir,
              env: {KUBECONFIG: kubeconfig},
            }),
          )
        }),
      )
    }
    expect(connections).toEqual([])
  })

  it('the trap works: a command that does contact the cluster is recorded', async () => {
    const before = connections.length
    // `list` would retry against the trap for a while; stop it once its first connection is seen.
    const child = execa(process.execPath, [BIN, 'list', '--kubeconfig', kubeconfig], {
      reject: false,
      cwd: dir,
      env: {NO_COLOR: '1', KUBECONFIG: kubeconfig},
    })
    let exited = false
    void child.finally(() => (exited = true))
    // Until it connects or gives up: no wall-clock cap (a start-up on a busy machine is slow; a hang trips the timeout).
    while (connections.length === before && !exited) await new Promise((r) => setTimeout(r, 50))
    child.kill()
    await child
    expect(connections.length).toBeGreaterThan(before)
  })
})
