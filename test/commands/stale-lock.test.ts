// A kubeconfig lock left by a killed process (issue 8) is reported with how to remove it, not waited on forever.
// The lock is taken for real by another process running our lock code, which is then killed with SIGKILL.
import {spawn} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli, tempFiles} from '../helpers/run-cli.js'

const FILE_TS = resolve(import.meta.dirname, '../../src/lib/kubeconfig/file.ts')

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: host, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: me, user: {token: t}}]
contexts:
- {name: host, context: {cluster: host, user: me}}
- name: vcluster_demo_ns_host
  context: {cluster: host, user: me}
current-context: vcluster_demo_ns_host
`

/**
 * Starts a process that takes the lock with our code and holds it (for holdMs, or until killed), writing `rewrite` to
 * the kubeconfig just before it lets go; resolves once it says it has the lock (it prints "held").
 */
async function holdLock(file: string, holdMs = 600_000, rewrite?: string): Promise<ReturnType<typeof spawn>> {
  const write =
    rewrite === undefined
      ? ''
      : `(await import('node:fs')).writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(rewrite)});`
  const script = `const {withKubeconfigLocks} = await import(${JSON.stringify(FILE_TS)}); await withKubeconfigLocks([${JSON.stringify(file)}], async () => { console.log('held'); await new Promise((r) => setTimeout(r, ${holdMs})); ${write} })`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`the holder process exited (${code}) without taking the lock`)))
  })
  return child
}

describe('a stale kubeconfig lock', () => {
  it('left by a SIGKILLed process: reported at once with the rm command (exit 4); after rm, disconnect works', async () => {
    const dir = tempFiles({config: KUBECONFIG})
    const file = join(dir, 'config')
    const holder = await holdLock(file)
    expect(readFileSync(`${file}.lock`, 'utf8')).toMatch(new RegExp(`^${holder.pid}@`))
    holder.kill('SIGKILL')
    await new Promise((r) => holder.on('exit', r))
    expect(existsSync(`${file}.lock`)).toBe(true)

    // That it is reported before any wait is test/lib/kubeconfig/edit.test.ts's; here, what the user sees.
    const r = await runCli(['disconnect', '--kubeconfig', file])
    expect(r.exitCode, r.stderr).toBe(4)
    expect(r.stderr).toContain(
      `error: kubeconfig lock ${file}.lock was left by process ${holder.pid}, which is no longer running`,
    )
    expect(r.stderr).toContain(`rm ${file}.lock`)
    expect(readFileSync(file, 'utf8')).toBe(KUBECONFIG)

    writeFileSync(`${file}.lock`, '')
    const waited = await runCli(['disconnect', '--kubeconfig', file, '--timeout', '1s'])
    expect(waited.exitCode, waited.stderr).toBe(6)
    expect(waited.stderr).toContain(
      `kubeconfig lock ${file}.lock is still held by another process (kubectl writes no owner) after 1 s`,
    )
  })

  it('held by a live process: waited for, and taken once it is released', async () => {
    const dir = tempFiles({config: KUBECONFIG})
    const file = join(dir, 'config')
    // The holder writes the file as it lets go: only a disconnect that waited for it keeps that write.
    const holderWrote = KUBECONFIG.replace(
      'contexts:\n',
      'contexts:\n- {name: written-by-holder, context: {cluster: host, user: me}}\n',
    )
    const holder = await holdLock(file, 1500, holderWrote)
    const exited = new Promise((r) => holder.once('exit', r))
    const r = await runCli(['disconnect', '--kubeconfig', file])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(await exited).toBe(0)
    const after = readFileSync(file, 'utf8')
    expect(after).toContain('name: written-by-holder')
    expect(after).toContain('current-context: host')
  })
})
