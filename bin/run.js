#!/usr/bin/env node
// Checked before anything else is imported: oclif and client-node would fail on an older Node with a stack trace.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(`vcluster needs Node.js 22 or newer; this is ${process.version}. Install Node 22 LTS and try again.\n`)
  process.exit(1)
}
// `vcluster --help | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})
// `--version` answers without loading oclif (~40 ms instead of ~100 ms); the same line oclif prints.
const args = process.argv.slice(2)
if (args.length === 1 && args[0] === '--version') {
  const {readFileSync} = await import('node:fs')
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}\n`)
  process.exit(0)
}
// Caches compiled bytecode between runs; roughly halves start-up of a cold-import CLI.
const {enableCompileCache} = await import('node:module')
enableCompileCache?.()
// The bundle (scripts/bundle.ts): oclif and the commands share one copy of @oclif/core.
// We checked the Node version above; oclif's own check would load semver (~5 ms) on every run.
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
const {execute} = await import('../dist/cli/main.js')
delete process.env.OCLIF_DISABLE_ENGINE_WARNING
await execute({dir: import.meta.url})
