import {
  chmodSync,
  existsSync,
  renameSync,
  rmSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it, vi} from 'vitest'
import {parse} from 'yaml'
import {ConflictError, TimeoutError, UsageError} from '../../../src/lib/errors.js'
import {editKubeconfigs} from '../../../src/lib/kubeconfig/edit.js'
import {withKubeconfigLocks} from '../../../src/lib/kubeconfig/file.js'
import {tempDir} from '../../helpers/temp.js'

const dir = () => tempDir('kc-')
const context = (name: string) => ({name, context: {cluster: name, user: name}})
const kubeconfig = (contexts: string[], current = '') =>
  `apiVersion: v1\nkind: Config\ncurrent-context: "${current}"\ncontexts:\n${contexts.map((c) => `- name: ${c}\n  context: {cluster: ${c}, user: ${c}}\n`).join('')}`

describe('editKubeconfigs: one file', () => {
  it('creates a missing file (and directory) with mode 0600', async () => {
    const file = join(dir(), 'sub', 'config')
    await editKubeconfigs([file], (set) => set.upsert('contexts', context('a')))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(parse(readFileSync(file, 'utf8')).contexts).toEqual([context('a')])
  })

  it("keeps an existing file's mode, leaves no lock or temp file, and does not write when nothing changed", async () => {
    const d = dir()
    const file = join(d, 'config')
    writeFileSync(file, kubeconfig(['a'], 'a'))
    chmodSync(file, 0o640)
    const before = statSync(file).mtimeMs
    await editKubeconfigs([file], (set) => set.setCurrentContext('a'))
    expect(statSync(file).mtimeMs).toBe(before)
    await editKubeconfigs([file], (set) => set.upsert('contexts', context('b')))
    expect(statSync(file).mode & 0o777).toBe(0o640)
    expect(readdirSync(d)).toEqual(['config'])
  })

  it('writes through a symlink (the link stays a link), also a dangling one', async () => {
    const d = dir()
    mkdirSync(join(d, 'dotfiles'))
    const real = join(d, 'dotfiles', 'kubeconfig')
    writeFileSync(real, kubeconfig(['a'], 'a'))
    const link = join(d, 'config')
    symlinkSync(real, link)
    await editKubeconfigs([link], (set) => set.upsert('contexts', context('b')))
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(parse(readFileSync(real, 'utf8')).contexts.map((c: {name: string}) => c.name)).toEqual(['a', 'b'])

    const dangling = join(d, 'dangling')
    symlinkSync(join(d, 'dotfiles', 'new-file'), dangling)
    await editKubeconfigs([dangling], (set) => set.upsert('contexts', context('c')))
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true)
    expect(statSync(join(d, 'dotfiles', 'new-file')).mode & 0o777).toBe(0o600)
  })

  it('writes nothing when the change throws', async () => {
    const file = join(dir(), 'config')
    writeFileSync(file, kubeconfig(['a']))
    await expect(
      editKubeconfigs([file], (set) => {
        set.upsert('contexts', context('b'))
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(readFileSync(file, 'utf8')).toBe(kubeconfig(['a']))
  })

  it('refuses to touch a file that is not a kubeconfig', async () => {
    const file = join(dir(), 'config')
    writeFileSync(file, 'a: [unclosed\n')
    await expect(editKubeconfigs([file], () => undefined)).rejects.toThrow(UsageError)
    expect(readFileSync(file, 'utf8')).toBe('a: [unclosed\n')
  })
})

describe("editKubeconfigs: several files (client-go's rules)", () => {
  it('writes an entry back to the file that defines it, new entries to the first existing file', async () => {
    const d = dir()
    const [missing, first, second] = ['missing', 'first', 'second'].map((n) => join(d, n)) as [string, string, string]
    writeFileSync(first, kubeconfig(['a']))
    writeFileSync(second, kubeconfig(['b', 'a'], 'b'))
    await editKubeconfigs([missing, first, second], (set) => {
      expect(set.currentContext()).toBe('b')
      expect(set.names('contexts')).toEqual(['a', 'b'])
      set.upsert('contexts', {name: 'b', context: {cluster: 'changed'}})
      set.upsert('contexts', {name: 'a', context: {cluster: 'changed'}})
      set.upsert('contexts', context('new'))
    })
    expect(existsSync(missing)).toBe(false)
    expect(parse(readFileSync(first, 'utf8')).contexts).toEqual([
      {name: 'a', context: {cluster: 'changed'}},
      context('new'),
    ])
    expect(parse(readFileSync(second, 'utf8')).contexts).toEqual([
      {name: 'b', context: {cluster: 'changed'}},
      context('a'),
    ])
  })

  it('writes current-context to the first file that sets one, else the first existing file', async () => {
    const d = dir()
    const [first, second] = ['first', 'second'].map((n) => join(d, n)) as [string, string]
    writeFileSync(first, kubeconfig(['a']))
    writeFileSync(second, kubeconfig(['b'], 'b'))
    await editKubeconfigs([first, second], (set) => set.setCurrentContext('a'))
    expect(parse(readFileSync(first, 'utf8'))['current-context']).toBe('')
    expect(parse(readFileSync(second, 'utf8'))['current-context']).toBe('a')
    writeFileSync(second, kubeconfig(['b']))
    await editKubeconfigs([first, second], (set) => set.setCurrentContext('b'))
    expect(parse(readFileSync(first, 'utf8'))['current-context']).toBe('b')
  })

  it('removes an entry from every file that has it', async () => {
    const d = dir()
    const [first, second] = ['first', 'second'].map((n) => join(d, n)) as [string, string]
    writeFileSync(first, kubeconfig(['a', 'x']))
    writeFileSync(second, kubeconfig(['x', 'b']))
    await editKubeconfigs([first, second], (set) => set.remove('contexts', 'x'))
    expect(parse(readFileSync(first, 'utf8')).contexts).toEqual([context('a')])
    expect(parse(readFileSync(second, 'utf8')).contexts).toEqual([context('b')])
  })

  it('edits a file listed twice (through a symlink) once', async () => {
    const d = dir()
    const real = join(d, 'real')
    writeFileSync(real, kubeconfig(['a']))
    symlinkSync(real, join(d, 'link'))
    await editKubeconfigs([join(d, 'link'), real], (set) => set.upsert('contexts', context('b')))
    expect(parse(readFileSync(real, 'utf8')).contexts.map((c: {name: string}) => c.name)).toEqual(['a', 'b'])
  })
})

describe('withKubeconfigLocks', () => {
  it("waits for client-go's <file>.lock, then gives up with the lock's name", async () => {
    const file = join(dir(), 'config')
    writeFileSync(`${file}.lock`, '')
    await expect(withKubeconfigLocks([file], async () => 'ran', 300)).rejects.toThrow(TimeoutError)
    await expect(withKubeconfigLocks([file], async () => 'ran', 300)).rejects.toThrow(`${file}.lock`)
  })

  it('reports at once, with the rm command, a lock left by a process that is gone', async () => {
    const file = join(dir(), 'config')
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number
    writeFileSync(`${file}.lock`, `${dead}@${hostname()}\n`)
    // "At once" is "before the first pause between tries", not a wall-clock figure a busy machine can stretch.
    const pauses = vi.spyOn(globalThis, 'setTimeout')
    const error = await withKubeconfigLocks([file], async () => 'ran', 10_000).catch((e: unknown) => e)
    expect(pauses).not.toHaveBeenCalled()
    pauses.mockRestore()
    expect(error).toBeInstanceOf(ConflictError)
    expect((error as ConflictError).message).toContain(`was left by process ${dead}, which is no longer running`)
    expect((error as ConflictError).hint).toContain(`rm ${file}.lock`)
    expect(existsSync(`${file}.lock`)).toBe(true)
  })

  it('reports a lock far older than any write (kubectl writes no owner) instead of waiting', async () => {
    const file = join(dir(), 'config')
    writeFileSync(`${file}.lock`, '')
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${file}.lock`, old, old)
    const error = await withKubeconfigLocks([file], async () => 'ran', 10_000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect((error as ConflictError).message).toMatch(/has been held for 6\d s/)
  })

  it('waits for a live holder and names it when giving up', async () => {
    const file = join(dir(), 'config')
    writeFileSync(`${file}.lock`, `${process.ppid}@${hostname()}\n`)
    const error = await withKubeconfigLocks([file], async () => 'ran', 300).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).message).toContain(`still held by process ${process.ppid}`)
  })

  it('keeps waiting while the lock changes hands (others progress), up to four times the bound', async () => {
    const file = join(dir(), 'config')
    const lock = `${file}.lock`
    // Live holders take turns every quarter of the bound (new file, new mtime), so only a stall of three quarters of
    // it (a busy machine) could look like one holder keeping it. The lock is replaced by a rename, never absent.
    const bound = 1000
    let turn = 0
    const handOver = () => {
      const next = `${lock}.next`
      writeFileSync(next, `${process.ppid}@${hostname()}\n`)
      utimesSync(next, new Date(), new Date(Date.now() + ++turn * 1000))
      renameSync(next, lock)
    }
    handOver()
    const timer = setInterval(handOver, bound / 4)
    const started = Date.now()
    const error = await withKubeconfigLocks([file], async () => 'ran', bound).catch((e: unknown) => e)
    clearInterval(timer)
    expect(Date.now() - started, 'it kept waiting past one bound').toBeGreaterThanOrEqual(4 * bound)
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).message).toMatch(/within 4 s: \d+ other writers held it in turn/)
    rmSync(lock, {force: true})
    // Handed over once and then released: taken.
    handOver()
    setTimeout(handOver, bound / 4)
    setTimeout(() => rmSync(lock, {force: true}), bound / 2)
    expect(await withKubeconfigLocks([file], async () => 'ran', bound)).toBe('ran')
  })

  it('names itself as the holder while it holds the lock and removes the lock afterwards', async () => {
    const file = join(dir(), 'config')
    const seen = await withKubeconfigLocks([file], async () => readFileSync(`${file}.lock`, 'utf8'))
    expect(seen).toBe(`${process.pid}@${hostname()}\n`)
    expect(existsSync(`${file}.lock`)).toBe(false)
  })
})
