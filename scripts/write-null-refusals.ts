/**
 * Writes src/lib/config/null-refusals.ts: which chart defaults of the pinned release a user `null` may not delete,
 * measured with upstream's own code (builds the oracle with test/upstream/build.sh first; about a minute).
 *
 *   npm run null-refusals
 */
import {execFileSync} from 'node:child_process'
import {writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {CHART_VALUES} from '../src/lib/config/chart-values.js'
import {startOracle} from '../test/upstream/oracle.js'
import {measureNullRefusals, renderNullRefusalsModule} from './upstream/null-refusals.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const NULL_REFUSALS_PATH = join(ROOT, 'src', 'lib', 'config', 'null-refusals.ts')

async function main(): Promise<void> {
  const out = execFileSync('bash', [join(ROOT, 'test/upstream/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const oracle = startOracle(out.trim().split('\n').at(-1) ?? '')
  try {
    const refusals = await measureNullRefusals(oracle, CHART_VALUES)
    await writeFile(NULL_REFUSALS_PATH, renderNullRefusalsModule(refusals))
    process.stderr.write(
      `wrote ${NULL_REFUSALS_PATH}: ${Object.keys(refusals).length} defaults a null may not delete\n`,
    )
  } finally {
    await oracle.close()
  }
}

await main()
