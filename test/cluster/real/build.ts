// Builds or reuses the real vCluster's binaries (real/build.sh: vcluster and kine), as rig.ts does for the cluster's.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {RIG_DIR} from '../rig.js'

/** Runs real/build.sh, passing its progress lines to onLine; returns the dir holding vcluster and kine. */
export async function ensureRealBinaries(onLine: (line: string) => void): Promise<string> {
  const script = join(RIG_DIR, 'real', 'build.sh')
  const child = spawn('bash', [script], {stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let partial = ''
  let last: string[] = []
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) onLine(l)
    last = [...last, ...lines].slice(-15)
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (partial) onLine(partial)
  if (code !== 0) {
    throw new Error(`building the real vCluster failed (${script} exited ${code}):\n${[...last, partial].join('\n')}`)
  }
  const dir = out.trim().split('\n').pop() ?? ''
  for (const b of ['vcluster', 'kine']) {
    if (!existsSync(join(dir, b))) throw new Error(`${script} printed ${dir}, which has no ${b}`)
  }
  return dir
}
