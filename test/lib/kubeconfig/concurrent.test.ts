import {type ChildProcess, spawn} from 'node:child_process'
import {readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {build} from 'esbuild'
import {FOREIGN} from './fixtures/foreign.js'
import {tempDir} from '../../helpers/temp.js'

const WRITERS = 20

// The writer, bundled once into plain JS: a process then starts in a third of the CPU time it takes through tsx,
// which is most of this test's cost (40 writers) on a busy machine. It runs the same source.
let writer = ''
beforeAll(async () => {
  writer = join(tempDir('kc-writer-'), 'writer.mjs')
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'writer.ts')],
    outfile: writer,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
    // Bundled CommonJS dependencies (yaml) require node built-ins; ESM has no require of its own.
    banner: {js: "import {createRequire} from 'node:module'; const require = createRequire(import.meta.url);"},
  })
})

/** Resolves on the child's first line on stdout; rejects if it exits first. */
function firstLine(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`a writer exited (${code}) before it was ready`)))
  })
}

/** Resolves when the child exits 0. */
function exitZero(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) =>
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`a writer exited with ${code}`)))),
  )
}

/**
 * Starts the writers as separate processes and, once every one says it is ready, releases them together (a line on
 * each one's stdin: no writer polls, so starting twenty costs no more than their start-up); waits for every exit 0.
 */
async function writeConcurrently(files: string[], writers = WRITERS): Promise<void> {
  const children = Array.from({length: writers}, (_, i) =>
    spawn(process.execPath, [writer, String(i), ...files], {stdio: ['pipe', 'pipe', 'inherit']}),
  )
  const exits = children.map(exitZero)
  await Promise.all(children.map(firstLine))
  for (const child of children) child.stdin?.end('go\n')
  await Promise.all(exits)
}

describe('20 concurrent writers (separate processes)', () => {
  it("leave a valid kubeconfig with all 20 contexts and the user's entries and comments intact", async () => {
    const d = tempDir('kc-concurrent-')
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
    const d = tempDir('kc-concurrent-')
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
