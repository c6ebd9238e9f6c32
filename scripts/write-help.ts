/**
 * Writes dist/help.json: the exact bytes oclif prints for `vcluster`, `vcluster --help` and `vcluster COMMAND --help`
 * (every command and alias in oclif.manifest.json), so bin/run.js can answer those without loading oclif. Each text
 * is what the built CLI itself prints with its fast path off (VCLUSTER_NO_FAST_PATH=1): not on a terminal (so 80
 * columns, no colour), without FORCE_COLOR, DEBUG, oclif's own variables or user plugins. bin/run.js serves them only when oclif would print the same
 * (see fastHelp there); test/commands/help-fast-path.test.ts compares every one with oclif's output.
 * Run after write-manifest.
 */
import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

interface Manifest {
  commands: Record<string, {aliases?: string[]; hiddenAliases?: string[]}>
}

const out = 'dist/help.json'
const pjson = JSON.parse(readFileSync('package.json', 'utf8')) as {name: string; version: string}
const manifest = JSON.parse(readFileSync('oclif.manifest.json', 'utf8')) as Manifest

// One argv word per command: an id with a topic (`a:b`, typed `a b`) would need more than the fast path parses.
const names = Object.entries(manifest.commands)
  .flatMap(([id, c]) => [id, ...(c.aliases ?? []), ...(c.hiddenAliases ?? [])])
  .filter((name) => !name.includes(':'))

const home = mkdtempSync(join(tmpdir(), 'vcluster-help-')) // no user theme.json, no user plugins
const env: NodeJS.ProcessEnv = {}
for (const [k, v] of Object.entries(process.env)) {
  if (!/^(OCLIF_|VCLUSTER_)/.test(k) && !['DEBUG', 'FORCE_COLOR', 'NODE_OPTIONS'].includes(k)) env[k] = v
}
Object.assign(env, {VCLUSTER_NO_FAST_PATH: '1', XDG_CONFIG_HOME: home, XDG_DATA_HOME: home})

async function render(argv: string[]): Promise<string> {
  const {stdout, stderr} = await promisify(execFile)(process.execPath, ['bin/run.js', ...argv], {env, encoding: 'utf8'})
  if (stderr || !stdout)
    throw new Error(`vcluster ${argv.join(' ')}: expected help on stdout only, got stderr ${JSON.stringify(stderr)}`)
  return stdout
}

const texts: Record<string, string> = {}
try {
  const jobs: [string, string[]][] = [['', ['--help']], ...names.map((n): [string, string[]] => [n, [n, '--help']])]
  // Two at a time: the build shares the machine.
  for (let i = 0; i < jobs.length; i += 2) {
    const batch = jobs.slice(i, i + 2)
    const done = await Promise.all(batch.map(([, argv]) => render(argv)))
    batch.forEach(([key], j) => (texts[key] = done[j] as string))
  }
} finally {
  rmSync(home, {recursive: true, force: true})
}

// The root help's VERSION section is oclif's user agent, which names the Node that runs it; bin/run.js puts the
// running one in its place.
const userAgent = `${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}`
if (!texts['']?.includes(`\n  ${userAgent}\n`))
  throw new Error(`the root help does not show the user agent ${userAgent}`)
writeFileSync(out, `${JSON.stringify({userAgent, texts})}\n`)
process.stderr.write(`wrote ${out} (root and ${names.length} commands and aliases)\n`)
