// The sandbox's unix sockets: bindable whatever the state dir's length, 0700, replaced and swept without touching
// what is not ours or still in use.
import {spawnSync} from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {connect, createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {
  SOCKET_DIR_PREFIX,
  makeSocketDir,
  removeSocketDir,
  removeSocketDirsUnder,
  sandboxSockets,
  socketDirFor,
  sweepStaleSocketDirs,
} from './sockets.js'

let root: string
let state: string

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'vcts-sockets-test-')))
  state = mkdtempSync(join(tmpdir(), 'vcts-state-test-'))
})
afterEach(() => {
  for (const d of [root, state]) rmSync(d, {recursive: true, force: true})
})

/** A state dir as deep as a long HOME and cluster name make it. */
function longStateDir(base: string, name = 'x'.repeat(40)): string {
  const dir = join(
    base,
    'home-of-someone-with-a-long-name',
    'clusters',
    name,
    'real',
    '8dbb1819-d813-4fe3-ad36-388947b25b19',
  )
  mkdirSync(dir, {recursive: true})
  return dir
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => server.once('error', reject).listen(path, resolve))
}

function roundTrip(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect({path}, () => c.end('ping'))
    let got = ''
    c.on('data', (d) => (got += d.toString()))
      .on('end', () => resolve(got))
      .on('error', reject)
  })
}

describe('sandbox sockets', () => {
  it('work for a state dir of 150+ characters: bound, reached, 0700, removed on stop', async () => {
    const dir = longStateDir(state)
    expect(dir.length).toBeGreaterThan(150)
    const sockets = sandboxSockets(dir, [8443], [root])
    const made = makeSocketDir(dir, [root])
    expect(made).toBe(socketDirFor(dir, [root]))
    expect(lstatSync(made).mode & 0o777).toBe(0o700)
    expect(readlinkSync(join(dir, 'sock'))).toBe(made)
    const servers: Server[] = []
    try {
      for (const path of [sockets.apiSocket, ...sockets.podPorts.map((p) => p.socket)]) {
        expect(Buffer.byteLength(path)).toBeLessThanOrEqual(100)
        const server = createServer((s) => s.on('data', (d) => s.end(`pong ${d}`)))
        servers.push(server)
        await listen(server, path)
        expect(await roundTrip(path)).toBe('pong ping')
      }
    } finally {
      for (const s of servers) s.close()
    }
    removeSocketDir(dir, [root])
    expect(existsSync(made)).toBe(false)
    expect(existsSync(join(dir, 'sock'))).toBe(false)
  })

  it('gives each state dir its own socket dir, whatever the length', () => {
    const a = socketDirFor(longStateDir(state, 'a'), [root])
    const b = socketDirFor(longStateDir(state, 'b'), [root])
    expect(a).not.toBe(b)
    expect(a.length).toBe(b.length)
  })

  it('takes the next root when the first is too long, and says what to do when none is short enough', () => {
    const deep = join(root, 'd'.repeat(90))
    expect(socketDirFor(state, [deep, root]).startsWith(`${root}/`)).toBe(true)
    expect(() => socketDirFor(state, [deep])).toThrow(/set XDG_RUNTIME_DIR or TMPDIR/)
  })

  it("replaces a leftover of its own, and refuses (never follows) another thing at the socket dir's path", () => {
    const dir = longStateDir(state)
    const first = makeSocketDir(dir, [root])
    writeFileSync(join(first, 'api.sock'), 'stale')
    makeSocketDir(dir, [root])
    expect(existsSync(join(first, 'api.sock'))).toBe(false)

    rmSync(first, {recursive: true})
    const elsewhere = mkdtempSync(join(tmpdir(), 'vcts-target-'))
    try {
      const mode = lstatSync(elsewhere).mode
      symlinkSync(elsewhere, first)
      expect(() => makeSocketDir(dir, [root])).toThrow(/exists and is not a directory of this user/)
      expect(lstatSync(first).isSymbolicLink()).toBe(true)
      expect(lstatSync(elsewhere).mode).toBe(mode) // the target is untouched
    } finally {
      rmSync(first, {force: true})
      rmSync(elsewhere, {recursive: true, force: true})
    }
  })

  it('sweeps socket dirs whose runner is gone and keeps live or just-made ones', () => {
    const live = makeSocketDir(longStateDir(state, 'live'), [root])
    const dead = join(root, `${SOCKET_DIR_PREFIX}dead`)
    mkdirSync(dead, {mode: 0o700})
    // A pid that surely ended (our own child), and a live pid with another start time (a reused pid).
    const ended = spawnSync('true').pid
    writeFileSync(join(dead, 'owner.json'), JSON.stringify({stateDir: '/gone', pid: ended, start: '1'}))
    const reused = join(root, `${SOCKET_DIR_PREFIX}reused`)
    mkdirSync(reused, {mode: 0o700})
    writeFileSync(join(reused, 'owner.json'), JSON.stringify({stateDir: '/gone', pid: process.pid, start: '1'}))
    const fresh = join(root, `${SOCKET_DIR_PREFIX}fresh`) // marker not written yet
    mkdirSync(fresh, {mode: 0o700})
    const other = join(root, 'not-a-socket-dir')
    mkdirSync(other)

    const lines: string[] = []
    sweepStaleSocketDirs((l) => lines.push(l), [root])
    expect([live, dead, reused, fresh, other].map(existsSync)).toEqual([true, false, false, true, true])
    expect(lines.join('\n')).toMatch(/removing stale sandbox socket dir .*dead \(state dir \/gone\)/)
  })

  it("cluster:down removes its cluster's socket dirs, found by marker or by link, and leaves another cluster's", () => {
    const mine = join(state, 'clusters', 'rfix')
    const theirs = join(state, 'clusters', 'rfix-other')
    const a = makeSocketDir(longStateDir(mine, 'a'), [root])
    const keep = makeSocketDir(longStateDir(theirs, 'b'), [root])
    // Made under another root than the one cluster:down is told about: found through <state dir>/sock.
    const otherRoot = mkdtempSync(join(tmpdir(), 'vcts-other-root-'))
    try {
      const stateDir = join(mine, 'real', 'pod-2')
      mkdirSync(stateDir, {recursive: true})
      const b = makeSocketDir(stateDir, [otherRoot])
      expect(removeSocketDirsUnder(mine, [root]).sort()).toEqual([a, b].sort())
      expect([a, b, keep].map(existsSync)).toEqual([false, false, true])
    } finally {
      rmSync(otherRoot, {recursive: true, force: true})
    }
  })
})
