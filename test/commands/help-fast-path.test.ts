/**
 * The fast path of bin/run.js (`--version` and help without loading oclif, help from dist/help.json) against oclif
 * itself (VCLUSTER_NO_FAST_PATH=1): for the root and every command and alias in oclif.manifest.json the bytes on
 * stdout and stderr and the exit code must be the same. The fast side runs from a copy of bin/run.js, package.json and
 * dist/help.json with no oclif beside it, so whatever it answers was answered without oclif, and whatever is not a
 * help request it knows must fall through to oclif (there: a missing dist/cli/main.js). Needs `npm run build`.
 */
import {execFile} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {aliases?: string[]}>
}
const NAMES = Object.entries(manifest.commands).flatMap(([id, c]) => [id, ...(c.aliases ?? [])])

interface Run {
  stdout: string
  stderr: string
  code: number
}

let home: string // an empty HOME and XDG dirs: no user plugins
let bare: string // bin/run.js, package.json and dist/help.json, without oclif or the commands

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(OCLIF_|VCLUSTER_)/.test(k) && !['DEBUG', 'FORCE_COLOR', 'NODE_OPTIONS'].includes(k)) out[k] = v
  }
  return {
    ...out,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    ...extra,
  }
}

/** Runs bin/run.js of `root` with stdout and stderr on pipes (not a terminal), keeping every byte. */
async function run(
  root: string,
  args: string[],
  extra: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<Run> {
  try {
    const {stdout, stderr} = await promisify(execFile)(
      process.execPath,
      [...nodeArgs, join(root, 'bin/run.js'), ...args],
      {env: env(extra), encoding: 'utf8'},
    )
    return {stdout, stderr, code: 0}
  } catch (error) {
    const e = error as {stdout: string; stderr: string; code: number}
    return {stdout: e.stdout, stderr: e.stderr, code: e.code}
  }
}

const oclif = (args: string[], extra: Record<string, string> = {}, nodeArgs: string[] = []) =>
  run(ROOT, args, {...extra, VCLUSTER_NO_FAST_PATH: '1'}, nodeArgs)
const fast = (args: string[], extra: Record<string, string> = {}, nodeArgs: string[] = []) =>
  run(bare, args, extra, nodeArgs)

/** The bare copy could not answer by itself, so bin/run.js went on to load oclif. */
function fellThrough(r: Run): void {
  expect(r.code).not.toBe(0)
  expect(r.stderr).toMatch(
    /ERR_MODULE_NOT_FOUND[\s\S]*dist\/cli\/main\.js|dist\/cli\/main\.js[\s\S]*ERR_MODULE_NOT_FOUND/,
  )
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'vcluster-help-home-'))
  bare = mkdtempSync(join(tmpdir(), 'vcluster-help-bare-'))
  mkdirSync(join(bare, 'bin'))
  mkdirSync(join(bare, 'dist'))
  for (const f of ['bin/run.js', 'package.json', 'dist/help.json']) copyFileSync(join(ROOT, f), join(bare, f))
})

afterAll(() => {
  for (const dir of [home, bare]) rmSync(dir, {recursive: true, force: true})
})

describe('help fast path: byte-identical to oclif', () => {
  it('knows every command and alias, and nothing hidden from the root help', () => {
    const help = JSON.parse(readFileSync(join(bare, 'dist/help.json'), 'utf8')) as {texts: Record<string, string>}
    expect(Object.keys(help.texts).sort()).toEqual(['', ...NAMES].sort())
    expect(help.texts['']).not.toContain('__complete')
  })

  it.each([[[]], [['--help']], [['--version']]])('vcluster %j', async (args) => {
    const [want, got] = await Promise.all([oclif(args), fast(args)])
    expect(want.code).toBe(0)
    expect(want.stdout.length).toBeGreaterThan(20)
    expect(got).toEqual(want)
  })

  it.each(NAMES)('vcluster NAME --help and vcluster --help NAME: %s', async (name) => {
    const want = await oclif([name, '--help'])
    expect(want.code).toBe(0)
    expect(want.stdout).toContain('USAGE')
    expect(await fast([name, '--help'])).toEqual(want)
    expect(await fast(['--help', name])).toEqual(want)
  })

  it('puts the running Node in the root help, as oclif does', async () => {
    const node = ['--import', 'data:text/javascript,Object.defineProperty(process,"version",{value:"v22.99.1-test"})']
    const want = await oclif(['--help'], {}, node)
    expect(want.stdout).toContain(' node-v22.99.1-test\n')
    expect(await fast(['--help'], {}, node)).toEqual(want)
    expect((await fast(['--version'], {}, node)).stdout).toBe((await oclif(['--version'], {}, node)).stdout)
  })
})

describe('help fast path: everything else goes to oclif', () => {
  // None of these is a help request oclif answers the same way every time, or one the fast path knows.
  it.each([
    [['-h']],
    [['help']],
    [['help', 'create']],
    [['create', '-h']],
    [['nosuch', '--help']],
    [['constructor', '--help']],
    [['__proto__', '--help']],
    [['--help', '--help']],
    [['--', '--help']],
    [['create', 'demo', '--help']],
    [['list', '--help', '-n']],
    [['validate']],
    [['--version', '--help']],
  ])('vcluster %j', async (args) => {
    fellThrough(await fast(args))
  })

  it.each([
    ['a width from OCLIF_COLUMNS', {OCLIF_COLUMNS: '120'}],
    ['FORCE_COLOR (bold headers)', {FORCE_COLOR: '1'}],
    ['DEBUG', {DEBUG: '*'}],
    ['an oclif variable of the CLI', {VCLUSTER_DEBUG: '1'}],
    ['VCLUSTER_NO_FAST_PATH', {VCLUSTER_NO_FAST_PATH: '1'}],
  ])('with %s', async (_what, extra) => {
    fellThrough(await fast(['create', '--help'], extra))
    fellThrough(await fast(['--help'], extra))
  })

  it('with user plugins installed', async () => {
    const dir = join(home, 'plugins')
    mkdirSync(join(dir, 'vcluster'), {recursive: true})
    writeFileSync(join(dir, 'vcluster/package.json'), '{"oclif":{"plugins":[]}}\n')
    fellThrough(await fast(['--help'], {XDG_DATA_HOME: dir}))
  })

  it('when package.json is not the version the help was rendered for', async () => {
    const other = join(home, 'other')
    mkdirSync(join(other, 'bin'), {recursive: true})
    mkdirSync(join(other, 'dist'))
    for (const f of ['bin/run.js', 'dist/help.json']) copyFileSync(join(bare, f), join(other, f))
    const pjson = JSON.parse(readFileSync(join(bare, 'package.json'), 'utf8')) as {version: string}
    writeFileSync(join(other, 'package.json'), JSON.stringify({...pjson, version: `${pjson.version}-next`}))
    fellThrough(await run(other, ['--help']))
  })

  it('on a terminal (util-linux script), where oclif wraps to its width and uses bold', async () => {
    const r = await promisify(execFile)(
      'script',
      ['-qec', `stty cols 80; '${process.execPath}' '${join(bare, 'bin/run.js')}' --help`, '/dev/null'],
      {env: env(), encoding: 'utf8'},
    ).catch((e: {stdout: string}) => e)
    expect(r.stdout).toMatch(/ERR_MODULE_NOT_FOUND/)
  })
})
