// Small process and polling helpers shared by the rig (daemon, stand-ins, control) and the test helpers.
import {spawn, type ChildProcess} from 'node:child_process'
import {openSync, closeSync, readFileSync, existsSync} from 'node:fs'
import {createServer} from 'node:net'
import {setTimeout as sleep} from 'node:timers/promises'

export {sleep}

/** A free TCP port on 127.0.0.1 (the OS picks it; tiny race until the caller binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

export interface WaitOptions {
  timeoutMs?: number
  intervalMs?: number
  /** What is being waited for, used in the timeout error. */
  what?: string
}

/** Polls fn until it returns a value other than undefined/false; rethrows the last error on timeout. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  {timeoutMs = 30_000, intervalMs = 250, what = 'condition'}: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v !== undefined && v !== false) return v
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
    }
    await sleep(intervalMs)
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The command line of a running process, or undefined (used to check a pid still is what we started). */
export function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return undefined
  }
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the pid is gone. */
export async function terminate(pid: number, graceMs = 10_000): Promise<void> {
  if (!pidAlive(pid)) return
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  const deadline = Date.now() + graceMs
  while (pidAlive(pid) && !isZombie(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
      break
    }
    await sleep(50)
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

/** Starts a long-running binary with stdout+stderr appended to logFile. */
export function startLogged(bin: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, 'a')
  try {
    return spawn(bin, args, {stdio: ['ignore', fd, fd], env: env ?? process.env})
  } finally {
    closeSync(fd)
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return `(no ${file})`
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
}
