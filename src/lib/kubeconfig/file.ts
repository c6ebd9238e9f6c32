import {randomBytes} from 'node:crypto'
import {unlinkSync} from 'node:fs'
import {hostname} from 'node:os'
import {lstat, mkdir, open, readFile, readlink, rename, stat, unlink} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import {ConflictError, TimeoutError, UsageError} from '../errors.js'
import {KubeconfigText} from './text.js'

/** A lock older than this is left over from a crashed process (we hold ours for milliseconds). */
const LOCK_STALE_MS = 30_000

export interface KubeconfigFile {
  /** The path as configured (what the lock is named after, as client-go names it). */
  path: string
  /** Where the bytes live: symlinks resolved, so a dotfiles symlink stays a symlink. */
  target: string
  existed: boolean
  /** The text as read; the file is written only when the edited text differs. */
  original: string
  text: KubeconfigText
}

export async function loadKubeconfigFile(path: string): Promise<KubeconfigFile> {
  const target = await resolveSymlinks(path)
  let original = ''
  let existed = true
  try {
    original = await readFile(target, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    existed = false
  }
  return {path, target, existed, original, text: new KubeconfigText(original, path)}
}

/** Writes the file if its text changed: temp file in the same directory, fsync, rename (never half-written). */
export async function saveKubeconfigFile(file: KubeconfigFile): Promise<boolean> {
  if (file.text.text === file.original) return false
  await mkdir(dirname(file.target), {recursive: true})
  const mode = await stat(file.target).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  )
  const temp = `${file.target}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(temp, 'wx', mode)
  ownFiles.add(temp)
  try {
    await handle.writeFile(file.text.text)
    await handle.chmod(mode)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(temp, file.target)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  } finally {
    ownFiles.delete(temp)
  }
  return true
}

/** Follows a chain of symlinks, also to a target that does not exist yet (a dotfiles link to a new file). */
export async function resolveSymlinks(path: string): Promise<string> {
  let current = resolve(path)
  for (let hops = 0; hops < 40; hops++) {
    const info = await lstat(current).catch(() => undefined)
    if (info === undefined || !info.isSymbolicLink()) return current
    current = resolve(dirname(current), await readlink(current))
  }
  throw new UsageError(`kubeconfig ${path}: too many levels of symbolic links`)
}

/**
 * Runs fn holding client-go's `<file>.lock` for every file (and for the resolved target of a symlink), taken in
 * sorted order as client-go does so that two writers never deadlock. Waits with backoff up to timeoutMs; client-go
 * itself fails at once, which is what breaks parallel CI jobs. A lock that is evidently stale is reported at once
 * with how to remove it: removing it ourselves could break a writer we cannot see (another host, NFS home).
 */
export async function withKubeconfigLocks<T>(
  paths: readonly string[],
  fn: () => Promise<T>,
  timeoutMs = 15_000,
): Promise<T> {
  const names = new Set<string>()
  for (const p of paths) {
    names.add(`${resolve(p)}.lock`)
    names.add(`${await resolveSymlinks(p)}.lock`)
  }
  const held: string[] = []
  try {
    for (const lock of [...names].sort()) {
      await acquire(lock, timeoutMs)
      held.push(lock)
      ownFiles.add(lock)
    }
    return await fn()
  } finally {
    await Promise.all(held.map((lock) => unlink(lock).catch(() => undefined)))
    for (const lock of held) ownFiles.delete(lock)
  }
}

/**
 * Locks this process holds and temp files it is writing: removed even when an interrupt ends the process
 * mid-write (the kubeconfig itself is only ever replaced by rename, so it is never half-written).
 */
const ownFiles = new Set<string>()
process.once('exit', () => {
  for (const lock of ownFiles) {
    try {
      unlinkSync(lock)
    } catch {
      // already gone
    }
  }
})

/** Our lock files name their holder (`pid@host`) so a lock left by a killed process can be told from a live one. */
const LOCK_OWNER = `${process.pid}@${hostname()}`

async function acquire(lock: string, timeoutMs: number): Promise<void> {
  await mkdir(dirname(lock), {recursive: true})
  // timeoutMs bounds one holder. While the lock changes hands, others are making progress and our turn comes
  // (dozens of parallel CI jobs on one kubeconfig), so the wait goes on, up to four times as long in all.
  const started = Date.now()
  let deadline = started + timeoutMs
  let lastHolder = ''
  let holders = 0
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      const handle = await open(lock, 'wx', 0o600)
      await handle.writeFile(`${LOCK_OWNER}\n`).finally(() => handle.close())
      return
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new UsageError(
          `cannot create the kubeconfig lock ${lock}: ${code}`,
          'Check that you may write to that directory, or point KUBECONFIG at a file you own.',
        )
      }
      if (code !== 'EEXIST') throw error
    }
    const holder = await lockHolder(lock)
    if (holder === undefined) continue // released meanwhile
    const stale = staleReason(holder)
    // The holder may have released the lock and exited between our read and the liveness check: only a lock file
    // still there, unchanged, after its owner is known dead is abandoned (a dead process removes nothing later).
    if (stale !== undefined && !sameLock(holder, await lockHolder(lock))) continue
    if (stale !== undefined)
      throw new ConflictError(
        `kubeconfig lock ${lock} ${stale}`,
        `Nothing will remove it by itself. Remove it, then run the command again:  rm ${shellQuote(lock)}`,
      )
    const holderKey = `${holder.pid ?? ''}@${holder.host ?? ''}/${holder.mtimeMs}`
    if (holderKey !== lastHolder) {
      lastHolder = holderKey
      holders++
      deadline = Math.min(Date.now() + timeoutMs, started + 4 * timeoutMs)
    }
    if (Date.now() > deadline && Date.now() - started >= 4 * timeoutMs) {
      throw new TimeoutError(
        `could not take the kubeconfig lock ${lock} within ${Math.round((4 * timeoutMs) / 1000)} s: ${holders} other writers held it in turn`,
        'Fewer parallel writers to one kubeconfig, or a kubeconfig per job (KUBECONFIG), avoid the wait.',
      )
    }
    if (Date.now() > deadline) {
      const who =
        holder.pid === undefined
          ? 'another process (kubectl writes no owner)'
          : `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}`
      throw new TimeoutError(
        `kubeconfig lock ${lock} is still held by ${who} after ${Math.round(timeoutMs / 1000)} s`,
        `If no kubectl or vcluster is using it, remove the lock: rm ${shellQuote(lock)}`,
      )
    }
    // Jitter keeps many waiting writers from retrying in lockstep.
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay))
  }
}

interface LockHolder {
  ageMs: number
  ino: number
  /** Tells two holders with the same (or no) pid apart. */
  mtimeMs: number
  pid?: number
  host?: string
}

async function lockHolder(lock: string): Promise<LockHolder | undefined> {
  const info = await stat(lock).catch(() => undefined)
  if (info === undefined) return undefined
  const text = await readFile(lock, 'utf8').catch(() => '')
  const match = /^(\d+)@(\S+)\s*$/.exec(text)
  const ageMs = Date.now() - info.mtimeMs
  const base = {ageMs, mtimeMs: info.mtimeMs, ino: info.ino}
  return match === null ? base : {...base, pid: Number(match[1]), host: match[2]}
}

function sameLock(a: LockHolder, b: LockHolder | undefined): boolean {
  return b !== undefined && a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.pid === b.pid
}

/** Why a lock is certainly or almost certainly abandoned, or undefined while it may be in use. */
function staleReason(holder: LockHolder): string | undefined {
  if (holder.pid !== undefined && holder.host === hostname() && !processAlive(holder.pid)) {
    return `was left by process ${holder.pid}, which is no longer running`
  }
  // Writers hold the lock for milliseconds; one this old belongs to a writer that died (kubectl writes no owner).
  if (holder.ageMs > LOCK_STALE_MS)
    return `has been held for ${Math.round(holder.ageMs / 1000)} s, far longer than any write takes: its writer probably died`
  return undefined
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`
}
