// What a sandbox's process tree costs, from /proc: proportional memory (PSS: shared pages split between their users,
// so binaries hard-linked into several sandboxes are not counted twice) and CPU time.
import {existsSync, readFileSync, readdirSync} from 'node:fs'

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux ABI Node supports. */
const TICKS_PER_SECOND = 100

function children(pid: number): number[] {
  const dir = `/proc/${pid}/task`
  if (!existsSync(dir)) return []
  const out: number[] = []
  for (const tid of readdirSync(dir)) {
    try {
      out.push(...readFileSync(`${dir}/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number))
    } catch {} // the thread or process ended meanwhile
  }
  return out
}

/** pid and all its descendants (a snapshot: processes may come and go while it is taken). */
export function descendants(pid: number): number[] {
  const out: number[] = []
  const todo = [pid]
  while (todo.length > 0) {
    const p = todo.pop() as number
    out.push(p)
    todo.push(...children(p))
  }
  return out
}

/** The namespace's init: the one child unshare --fork starts. */
export function nsInit(unsharePid: number): number | undefined {
  return children(unsharePid)[0]
}

export interface TreeUsage {
  processes: number
  /** Sum of PSS over the tree, MiB. */
  pssMiB: number
  /** Sum of RSS, MiB: counts pages shared with other processes (e.g. the host's kube-apiserver) in full. */
  rssMiB: number
  /** user + system CPU of the live processes and of the children they have reaped, seconds. */
  cpuSeconds: number
  /** Command names with their PSS, largest first. */
  byProcess: Array<{pid: number; comm: string; pssMiB: number}>
}

function memKiB(pid: number, field: 'Pss' | 'Rss' = 'Pss'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

function cpuTicks(pid: number): number {
  try {
    // Fields after the command (which may contain spaces): 14-17 are utime, stime, cutime, cstime.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number)
    return (f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0)
  } catch {
    return 0
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return '?'
  }
}

export function treeUsage(pid: number): TreeUsage {
  const pids = descendants(pid)
  const byProcess = pids
    .map((p) => ({pid: p, comm: comm(p), pssMiB: Math.round(memKiB(p) / 1024)}))
    .sort((a, b) => b.pssMiB - a.pssMiB)
  return {
    processes: pids.length,
    pssMiB: Math.round(pids.reduce((sum, p) => sum + memKiB(p), 0) / 1024),
    rssMiB: Math.round(pids.reduce((sum, p) => sum + memKiB(p, 'Rss'), 0) / 1024),
    cpuSeconds: pids.reduce((sum, p) => sum + cpuTicks(p), 0) / TICKS_PER_SECOND,
    byProcess,
  }
}
