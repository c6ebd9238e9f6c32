#!/usr/bin/env node
// Checked before anything is imported: oclif and client-node would fail on an older Node with a stack trace.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(
    `vcluster needs Node.js 22 or newer; this is ${process.version}. Install Node 22 LTS and try again.\n`,
  )
  process.exit(1)
}
// Built-in modules through getBuiltinModule (Node 22.3+), not `import`: an ESM import builds the module's namespace,
// which runs its lazy getters (node:fs's streams, fs/promises), ~11% of `--version`'s instructions (callgrind).
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default
const fs = await builtin('node:fs')

// `--version` and the help texts answer without loading oclif (~35 ms instead of ~110 ms), byte for byte what oclif
// prints. VCLUSTER_NO_FAST_PATH=1 turns this off (test/commands/help-fast-path.test.ts compares the two).
const answer = fastAnswer(process.argv.slice(2))
if (answer === undefined) {
  process.stdout.on('error', onStdoutError)
  // Caches compiled bytecode between runs; roughly halves start-up of a cold-import CLI.
  const {enableCompileCache} = await builtin('node:module')
  enableCompileCache?.()
  // The bundle (scripts/bundle.ts): oclif and the commands share one copy of @oclif/core.
  // We checked the Node version above; oclif's own check would load semver (~5 ms) on every run.
  process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
  const {execute} = await import('../dist/cli/main.js')
  delete process.env.OCLIF_DISABLE_ENGINE_WARNING
  await execute({dir: import.meta.url})
} else {
  writeAnswer(answer)
}

/** `vcluster --help | head` closes the pipe early; that is not an error. */
function onStdoutError(error) {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
}

/** Straight to fd 1: process.stdout would set up a stream (net, for a pipe) to write a few lines once. */
function writeAnswer(text) {
  const bytes = Buffer.from(text)
  let written = 0
  try {
    while (written < bytes.length) written += fs.writeSync(1, bytes, written)
  } catch (error) {
    if (error.code !== 'EAGAIN') return onStdoutError(error)
    // A non-blocking pipe that is full: the stream waits for room.
    process.stdout.on('error', onStdoutError)
    process.stdout.write(bytes.subarray(written))
  }
}

/** What oclif would print for these arguments, when that is known without loading it; else undefined. */
function fastAnswer(args) {
  if (process.env.VCLUSTER_NO_FAST_PATH) return undefined
  const version = args.length === 1 && args[0] === '--version'
  const subject = version ? undefined : helpSubject(args)
  if (!version && subject === undefined) return undefined
  const pjson = JSON.parse(fs.readFileSync(`${import.meta.dirname}/../package.json`, 'utf8'))
  const userAgent = `${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}`
  if (version) return `${userAgent}\n`
  if (!oclifHelpIsPlain(pjson)) return undefined
  let help
  try {
    help = JSON.parse(fs.readFileSync(`${import.meta.dirname}/../dist/help.json`, 'utf8')) // scripts/write-help.ts
  } catch {
    return undefined
  }
  if (!Object.hasOwn(help.texts, subject) || !help.userAgent.startsWith(`${pjson.name}/${pjson.version} `))
    return undefined
  // The root help shows the user agent, which names the running Node, on a line of its own that wraps at 78 columns.
  if (userAgent.length > 76) return undefined
  return help.texts[subject].replaceAll(help.userAgent, userAgent)
}

/** '' for the root help (`vcluster`, `vcluster --help`), NAME for `vcluster NAME --help` or `--help NAME`; else undefined. */
function helpSubject(args) {
  const [a, b] = args
  if (args.length === 0 || (args.length === 1 && a === '--help')) return ''
  if (args.length !== 2) return undefined
  if (a === '--help' && !b.startsWith('-')) return b
  if (b === '--help' && !a.startsWith('-')) return a
  return undefined
}

/**
 * False when oclif's help could differ from the texts rendered at build time (off a terminal, no colour, no user
 * plugins): on a terminal it wraps to the terminal's width and prints headers in bold (bold also with FORCE_COLOR;
 * @oclif/core lib/screen.js, help/formatter.js, supports-color); off one it wraps to 80 columns; its own variables
 * (OCLIF_COLUMNS, VCLUSTER_DATA_DIR, VCLUSTER_DEBUG, ...) and DEBUG change its output; user plugins add commands
 * (config/plugin-loader.js loadUserPlugins). Conservative: any doubt means oclif answers.
 */
function oclifHelpIsPlain(pjson) {
  const {env} = process
  if (process.stdout.isTTY || 'FORCE_COLOR' in env || env.DEBUG || process.platform === 'win32' || !env.HOME)
    return false
  for (const key of Object.keys(env)) if (key.startsWith('OCLIF_') || key.startsWith('VCLUSTER_')) return false
  const data = env.XDG_DATA_HOME || `${env.HOME}/.local/share`
  return !fs.existsSync(`${data}/${pjson.oclif.dirname || pjson.name}/package.json`)
}
