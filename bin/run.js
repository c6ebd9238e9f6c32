#!/usr/bin/env node
// Checked before anything else is imported: oclif and client-node would fail on an older Node with a stack trace.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(`vcluster needs Node.js 22 or newer; this is ${process.version}. Install Node 22 LTS and try again.\n`)
  process.exit(1)
}
// Caches compiled bytecode between runs; roughly halves start-up of a cold-import CLI.
const {enableCompileCache} = await import('node:module')
enableCompileCache?.()
const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
