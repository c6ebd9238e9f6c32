import {randomBytes} from 'node:crypto'
import {chmod, mkdir, open, readFile, rename, stat, unlink, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import {parse, stringify} from 'yaml'
import {TimeoutError, UsageError} from '../errors.js'
import type {KubeconfigDoc} from './resolve.js'

const LOCK_STALE_MS = 30_000

/**
 * Reads, changes and writes a kubeconfig safely: under client-go's `<file>.lock` (so kubectl and parallel runs of
 * ours wait for each other), written to a temp file and renamed into place (never a half-written kubeconfig),
 * keeping the file's mode (0600 for a new one).
 */
export async function updateKubeconfigFile<T>(file: string, change: (doc: KubeconfigDoc) => T, timeoutMs = 10_000): Promise<T> {
  const release = await acquireLock(file, timeoutMs)
  try {
    const doc = await readKubeconfigFile(file)
    const result = change(doc)
    await writeAtomically(file, stringify(doc, {lineWidth: 0}))
    return result
  } finally {
    await release()
  }
}

export async function readKubeconfigFile(file: string): Promise<KubeconfigDoc> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyKubeconfig()
    throw error
  }
  let doc: unknown
  try {
    doc = parse(text)
  } catch (error) {
    throw new UsageError(`kubeconfig ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, 'Fix or move the file; nothing was changed.')
  }
  if (doc === null || doc === undefined) return emptyKubeconfig()
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`kubeconfig ${file} is not a kubeconfig (not a mapping)`, 'Fix or move the file; nothing was changed.')
  return doc as KubeconfigDoc
}

export function emptyKubeconfig(): KubeconfigDoc {
  return {apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [], contexts: [], 'current-context': ''}
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), {recursive: true})
  const mode = await stat(file).then((s) => s.mode & 0o777, () => 0o600)
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(temp, text, {mode})
  await chmod(temp, mode)
  await rename(temp, file)
}

async function acquireLock(file: string, timeoutMs: number): Promise<() => Promise<void>> {
  const lock = `${file}.lock`
  await mkdir(dirname(file), {recursive: true})
  const deadline = Date.now() + timeoutMs
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      const handle = await open(lock, 'wx')
      await handle.close()
      return () => unlink(lock).catch(() => undefined)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0)
    if (age > LOCK_STALE_MS) {
      await unlink(lock).catch(() => undefined)
      continue
    }
    if (Date.now() > deadline) {
      throw new TimeoutError(`kubeconfig ${file} is locked by another process (${lock})`, `If no kubectl or vcluster is running, remove ${lock}.`)
    }
    await new Promise((r) => setTimeout(r, delay))
  }
}
