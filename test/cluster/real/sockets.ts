// Where a sandbox's unix sockets live: a short directory of their own (0700, named by a hash of the sandbox's state
// dir) under $XDG_RUNTIME_DIR or the temp dir, never under the state dir, whose length depends on HOME and the cluster
// name while sun_path holds 108 bytes. `<state dir>/sock` is a symlink to it, for people and tests. A marker in it
// names the state dir and the process holding the host halves of the bridges (the sandbox dies with that process),
// so `cluster:down` and the daemon's start sweep what a killed runner left.
import {createHash} from 'node:crypto'
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve, sep} from 'node:path'

export const SOCKET_DIR_PREFIX = 'vcts-sock-'
/** The longest socket name a sandbox uses (api.sock, <port>.sock with a 5-digit port). */
const LONGEST_NAME = '65535.sock'
/** sun_path holds 108 bytes with the terminating NUL; a longer path is cut or refused at bind(). */
const MAX_SOCKET_PATH = 100
const MARKER = 'owner.json'
/** A dir without a marker is being made right now, unless it is older than this. */
const MARKER_GRACE_MS = 60_000

interface Marker {
  stateDir: string
  pid: number
  /** The runner's start time (/proc/<pid>/stat field 22): a reused pid is not the runner. */
  start: string
}

/** Candidate parents, in order: the user's runtime dir, the temp dir, /tmp (the first short enough wins). */
export function socketRoots(): string[] {
  return [...new Set([process.env.XDG_RUNTIME_DIR, tmpdir(), '/tmp'].filter((r): r is string => Boolean(r)))]
}

/** The sockets a sandbox on stateDir uses: the host API bridge and one per pod port (plan.ts). */
export function sandboxSockets(
  stateDir: string,
  ports: number[],
  roots = socketRoots(),
): {apiSocket: string; podPorts: Array<{port: number; socket: string}>} {
  const dir = socketDirFor(stateDir, roots)
  return {apiSocket: join(dir, 'api.sock'), podPorts: ports.map((port) => ({port, socket: join(dir, `${port}.sock`)}))}
}

/** The socket dir of the sandbox whose state lives in stateDir; its length does not depend on stateDir's. */
export function socketDirFor(stateDir: string, roots = socketRoots()): string {
  const hash = createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 16)
  for (const root of roots) {
    const dir = join(root, `${SOCKET_DIR_PREFIX}${hash}`)
    if (Buffer.byteLength(join(dir, LONGEST_NAME)) <= MAX_SOCKET_PATH) return dir
  }
  throw new Error(
    `no directory short enough for the sandbox's unix sockets among ${roots.join(', ')} ` +
      `(a socket path must be at most ${MAX_SOCKET_PATH} bytes); set XDG_RUNTIME_DIR or TMPDIR to a shorter one`,
  )
}

function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/** A real directory of ours (not a symlink, not another user's): only such a dir is reused or removed. */
function ours(dir: string): boolean {
  try {
    const st = lstatSync(dir)
    return st.isDirectory() && st.uid === process.getuid?.()
  } catch {
    return false
  }
}

/**
 * Makes the socket dir of stateDir afresh (0700, owned by this process: the marker) and points `<stateDir>/sock` at
 * it. A leftover of ours is replaced; anything else at that path is refused, never followed.
 */
export function makeSocketDir(stateDir: string, roots = socketRoots()): string {
  const dir = socketDirFor(stateDir, roots)
  if (ours(dir)) rmSync(dir, {recursive: true, force: true})
  try {
    mkdirSync(dir, {mode: 0o700})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    throw new Error(`${dir} exists and is not a directory of this user; remove it, or set XDG_RUNTIME_DIR/TMPDIR`)
  }
  chmodSync(dir, 0o700) // exactly, whatever the umask
  const marker: Marker = {stateDir: resolve(stateDir), pid: process.pid, start: processStart(process.pid) ?? ''}
  writeFileSync(join(dir, MARKER), JSON.stringify(marker), {mode: 0o600})
  const link = join(stateDir, 'sock')
  rmSync(link, {recursive: true, force: true})
  symlinkSync(dir, link)
  return dir
}

/** Removes the socket dir of stateDir (if it is ours) and the `sock` link to it. */
export function removeSocketDir(stateDir: string, roots = socketRoots()): void {
  const dir = socketDirFor(stateDir, roots)
  if (ours(dir)) rmSync(dir, {recursive: true, force: true})
  rmSync(join(stateDir, 'sock'), {recursive: true, force: true})
}

function readMarker(dir: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Marker
  } catch {
    return undefined
  }
}

/** Every socket dir of ours in the roots, with its marker (undefined: not written yet, or unreadable). */
function socketDirs(roots: string[]): Array<{dir: string; marker?: Marker}> {
  const out: Array<{dir: string; marker?: Marker}> = []
  for (const root of roots) {
    let entries: string[]
    try {
      entries = readdirSync(root)
    } catch {
      continue
    }
    for (const e of entries) {
      const dir = join(root, e)
      if (e.startsWith(SOCKET_DIR_PREFIX) && ours(dir)) out.push({dir, marker: readMarker(dir)})
    }
  }
  return out
}

/** Socket dirs whose runner is gone (SIGKILLed daemon or run.ts): nothing can listen on them any more. */
export function sweepStaleSocketDirs(log: (line: string) => void, roots = socketRoots()): void {
  for (const {dir, marker} of socketDirs(roots)) {
    const stale = marker
      ? processStart(marker.pid) !== marker.start
      : Date.now() - lstatSync(dir).mtimeMs > MARKER_GRACE_MS
    if (!stale) continue
    log(`removing stale sandbox socket dir ${dir}${marker ? ` (state dir ${marker.stateDir})` : ''}`)
    rmSync(dir, {recursive: true, force: true})
  }
}

/** The socket dirs of every sandbox whose state lives under clusterDir (cluster:down), found by marker and by link. */
export function removeSocketDirsUnder(clusterDir: string, roots = socketRoots()): string[] {
  const under = resolve(clusterDir) + sep
  const found = socketDirs(roots)
    .filter(({marker}) => marker?.stateDir.startsWith(under))
    .map(({dir}) => dir)
  // The links catch a dir made under other roots (another XDG_RUNTIME_DIR or TMPDIR than this process has).
  const real = join(clusterDir, 'real')
  for (const uid of safeReaddir(real)) {
    const stateDir = resolve(real, uid)
    try {
      const target = readlinkSync(join(stateDir, 'sock'))
      if (ours(target) && readMarker(target)?.stateDir === stateDir) found.push(target)
    } catch {} // no link: that sandbox never started or was stopped
  }
  const unique = [...new Set(found)]
  for (const dir of unique) rmSync(dir, {recursive: true, force: true})
  return unique
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
