/**
 * What moving to another vCluster release changes, in one command:
 *
 *   npm run upstream:diff -- 0.37.0            # readable sections
 *   npm run upstream:diff -- 0.37.0 --json     # for machines
 *   npm run upstream:diff -- --dir ~/src/vcluster [--version 0.38.0-dev]   # a local checkout instead
 *   ... --no-render                            # skip helm's rendering (no oracle build)
 *
 * Compares the pinned release (VCLUSTER_VERSION) with the candidate: schema paths/types/enums, chart defaults,
 * start-up rule messages, chart templates and the objects helm renders with default values. Exits 0 with the
 * report; 1 when a release cannot be fetched.
 */
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {VCLUSTER_VERSION} from '../../src/lib/versions.js'
import {buildReport, formatReport, type Release} from './bump-report.js'
import {renderDefaults} from './chart-diff.js'
import {releaseDir} from './fetch.js'

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..')

interface Options {
  version?: string
  dir?: string
  json: boolean
  render: boolean
}

export function parseArgs(argv: readonly string[]): Options {
  const options: Options = {json: false, render: true}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--json') options.json = true
    else if (arg === '--no-render') options.render = false
    else if (arg === '--dir') options.dir = argv[++i]
    else if (arg === '--version') options.version = argv[++i]
    else if (!arg.startsWith('-') && options.version === undefined) options.version = arg
    else throw new Error(`unknown argument ${arg}`)
  }
  if (options.version === undefined && options.dir === undefined)
    throw new Error('name a release, e.g. npm run upstream:diff -- 0.37.0')
  return options
}

/** Builds (or reuses) the oracle with test/upstream/build.sh; its progress goes to our stderr. */
async function oracleBinary(): Promise<string> {
  const child = execFile('bash', [join(ROOT, 'test', 'upstream', 'build.sh')], {maxBuffer: 1 << 20})
  child.stderr?.pipe(process.stderr)
  let stdout = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`test/upstream/build.sh failed (exit ${code})`)
  return join(stdout.trim().split('\n').at(-1) ?? '', 'oracle')
}

async function main(argv: readonly string[]): Promise<number> {
  let options: Options
  try {
    options = parseArgs(argv)
  } catch (error) {
    process.stderr.write(`upstream:diff: ${(error as Error).message}\n`)
    return 2
  }
  try {
    const pinned: Release = {version: VCLUSTER_VERSION, dir: await releaseDir(VCLUSTER_VERSION)}
    const candidate: Release =
      options.dir !== undefined
        ? {version: options.version ?? '0.0.0-local', dir: options.dir}
        : {version: (options.version as string).replace(/^v/, ''), dir: await releaseDir(options.version as string)}
    let oracle: Promise<string> | undefined
    const render = options.render
      ? async (release: Release) =>
          renderDefaults(await (oracle ??= oracleBinary()), {
            chartDir: join(release.dir, 'chart'),
            version: release.version,
          })
      : undefined
    const report = await buildReport(pinned, candidate, render)
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
    return 0
  } catch (error) {
    process.stderr.write(`upstream:diff: ${(error as Error).message}\n`)
    return 1
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2))
}
