/**
 * Bundles the CLI for start-up speed: one ESM entry per command (oclif loads them by path, from the manifest) plus
 * src/cli/main.ts, with shared code split into dist/chunks. Loading a few large files instead of ~600 small ones,
 * with Node's compile cache, takes `--help` from ~0.3 s to ~0.1 s. @kubernetes/client-node is bundled
 * too, into the chunks the commands that talk to a cluster import lazily: unbundled it loads ~900 files (0.7-0.9 s),
 * bundled ~0.1 s. ajv stays external: the precompiled validator requires its runtime helpers by path, and its
 * compiler is only needed when that validator is missing (running from source).
 */
import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {build, type Plugin} from 'esbuild'

/**
 * Node's built-in modules through require(), not `import`: an ESM import of a built-in builds its namespace, which
 * reads every export and so runs the lazy getters behind them (node:fs's ReadStream loads fs/streams, node:stream
 * and fs/promises; node:process's stdin; ...): ~9 ms of `connect`'s start-up in a --cpu-prof profile (Node's
 * getESMFacade). esbuild's interop reads an export only where the code uses it.
 */
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({filter: /^node:/}, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import'
        ? {path: args.path, namespace: 'builtin'}
        : {path: args.path, external: true},
    )
    b.onLoad({filter: /.*/, namespace: 'builtin'}, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)})`,
      loader: 'js',
    }))
  },
}

/**
 * oclif sorts the manifest's commands with localeCompare on every run (config/plugin.js), and the first
 * localeCompare in a process builds ICU's collator: 67M instructions (callgrind: `node -e "'a'.localeCompare('b')"`
 * against `node -e "'a' < 'b'"`), ~10% of `list`, ~20% of oclif's start-up. Our command ids are lower-case ASCII,
 * where code-unit order is the same order. The build fails if oclif's line changes, rather than lose this quietly.
 */
const OCLIF_SORT = '.sort((a, b) => a.id.localeCompare(b.id));'
const oclifSortWithoutIcu: Plugin = {
  name: 'oclif-sort-without-icu',
  setup(b) {
    b.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      if (!source.includes(OCLIF_SORT)) throw new Error(`${args.path} no longer has ${OCLIF_SORT} (scripts/bundle.ts)`)
      return {
        contents: source.replace(OCLIF_SORT, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));'),
        loader: 'js',
      }
    })
  },
}

const commands = readdirSync('src/commands')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `src/commands/${f}`)

rmSync('dist', {recursive: true, force: true})
await build({
  entryPoints: ['src/cli/main.ts', ...commands],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['ajv', 'ajv/*'],
  // CommonJS dependencies (oclif) call require(); give the ESM output one.
  banner: {js: "import {createRequire as __vcRequire} from 'node:module';const require=__vcRequire(import.meta.url);"},
  // See src/cli/debug-lazy.cjs.
  alias: {debug: './src/cli/debug-lazy.cjs'},
  plugins: [builtinsByRequire, oclifSortWithoutIcu],
  minify: !process.env.VCLUSTER_NO_MINIFY, // unminified for readable profiles
  legalComments: 'none',
  logLevel: 'warning',
})
process.stderr.write(`bundled ${commands.length} commands into dist/\n`)
