/**
 * Writes oclif.manifest.json (what `oclif manifest` writes) from the built commands, so oclif builds `--help` and
 * finds a command without importing every command module at start-up. Run after the bundle.
 */
import {rmSync, writeFileSync} from 'node:fs'
import {Config, type Interfaces} from '@oclif/core'

const out = 'oclif.manifest.json'
rmSync(out, {force: true}) // else oclif would read the stale one instead of the commands
const config = await Config.load({root: process.cwd()})
// `manifest` is public on the Plugin class but not on the Plugin interface that `plugins` is typed with.
const plugin = config.plugins.get(config.pjson.name) as
  | (Interfaces.Plugin & {manifest?: Interfaces.Manifest})
  | undefined
const manifest = plugin?.manifest
if (!manifest || Object.keys(manifest.commands).length === 0)
  throw new Error('oclif found no commands in dist/commands')
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`)
process.stderr.write(`wrote ${out} (${Object.keys(manifest.commands).length} commands)\n`)
