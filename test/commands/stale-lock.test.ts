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

/** Starts a process that takes the lock with our code and holds it (for holdMs, or until killed); resolves once it has it. */
async function holdLock(file: string, holdMs = 600_000): Promise<ReturnType<typeof spawn>> {
  const script = `const {withKubeconfigLocks} = await import(${JSON.stringify(FILE_TS)}); await withKubeconfigLocks([${JSON.stringify(file)}], () => new Promise((r) => setTimeout(r, ${holdMs})))`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {stdio: 'ignore'})
  for (let i = 0; i < 400 && !(existsSync(`${file}.lock`) && readFileSync(`${file}.lock`, 'utf8') !== ''); i++)
    await new Promise((r) => setTimeout(r, 50))
  if (!existsSync(`${file}.lock`)) throw new Error('the holder process never took the lock')
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

    const started = Date.now()
    const r = await runCli(['disconnect', '--kubeconfig', file])
    expect(Date.now() - started).toBeLessThan(10_000)
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
  }, 60_000)

  it('held by a live process: waited for, and taken once it is released', async () => {
    const dir = tempFiles({config: KUBECONFIG})
    const file = join(dir, 'config')
    const holder = await holdLock(file, 3000)
    const before = Date.now()
    const r = await runCli(['disconnect', '--kubeconfig', file])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(holder.exitCode).toBe(0)
    expect(Date.now() - before).toBeGreaterThan(1000)
    expect(readFileSync(file, 'utf8')).toContain('current-context: host')
  }, 60_000)
})
