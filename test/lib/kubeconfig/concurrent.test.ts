import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {FOREIGN} from './fixtures/foreign.js'

const run = promisify(execFile)
const WRITER = join(import.meta.dirname, 'fixtures', 'writer.ts')
const WRITERS = 20

/** Starts the writers as separate processes, releases them together once all are up, waits for every exit 0. */
async function writeConcurrently(files: string[]): Promise<void> {
  const barrier = mkdtempSync(join(tmpdir(), 'kc-barrier-'))
  const writers = Array.from({length: WRITERS}, (_, i) =>
    run(process.execPath, ['--import', 'tsx', WRITER, String(i), barrier, ...files], {timeout: 60_000}),
  )
  while (readdirSync(barrier).length < WRITERS) await new Promise((r) => setTimeout(r, 20))
  writeFileSync(join(barrier, 'go'), '')
  await Promise.all(writers)
}

describe('20 concurrent writers (separate processes)', () => {
  it("leave a valid kubeconfig with all 20 contexts and the user's entries and comments intact", async () => {
    const d = mkdtempSync(join(tmpdir(), 'kc-concurrent-'))
    const file = join(d, 'config')
    writeFileSync(file, FOREIGN, {mode: 0o600})
    await writeConcurrently([file])
    const text = readFileSync(file, 'utf8')
    const doc = parse(text)
    const names = Array.from({length: WRITERS}, (_, i) => `writer-${i}`)
    for (const list of ['clusters', 'users', 'contexts']) {
      expect(doc[list].map((e: {name: string}) => e.name).sort()).toEqual(
        [...(list === 'clusters' ? ['lab', 'office'] : list === 'users' ? ['me'] : ['office']), ...names].sort(),
      )
    }
    expect(names).toContain(doc['current-context'])
    // Every line of the user's file is still there, byte for byte (only current-context's value changed).
    for (const line of FOREIGN.split('\n').filter((l) => !l.startsWith('current-context'))) expect(text).toContain(line)
    expect(text).toMatch(/^current-context: writer-\d+ {3}# keep me$/m)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readdirSync(d)).toEqual(['config'])
  })

  it('with two files in KUBECONFIG, all land in the first file and the second keeps its current-context', async () => {
    const d = mkdtempSync(join(tmpdir(), 'kc-concurrent-'))
    const [first, second] = [join(d, 'first'), join(d, 'second')]
    writeFileSync(first, 'apiVersion: v1\nkind: Config\ncontexts: []\n')
    writeFileSync(second, FOREIGN)
    await writeConcurrently([first, second])
    expect(parse(readFileSync(first, 'utf8')).contexts).toHaveLength(WRITERS)
    const secondText = readFileSync(second, 'utf8')
    expect(secondText.replace(/^current-context: \S+/m, 'current-context: office')).toBe(FOREIGN)
    expect(readdirSync(d).sort()).toEqual(['first', 'second'])
  })
})
