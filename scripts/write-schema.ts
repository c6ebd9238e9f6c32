/**
 * Writes schemas/vcluster.schema.json from the TypeBox source in src/lib/config/schema.
 *
 *   npx tsx scripts/write-schema.ts          # (re)write the file
 *   npx tsx scripts/write-schema.ts --check  # exit 1 when the committed file is out of date
 */
import {readFile, writeFile} from 'node:fs/promises'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {configSchema} from '../src/lib/config/schema/index.js'

export const SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'vcluster.schema.json')

/** The exact text of the generated schema file. */
export function renderSchema(): string {
  return `${JSON.stringify(configSchema, null, 2)}\n`
}

async function main(argv: string[]): Promise<number> {
  const expected = renderSchema()
  const shown = relative(process.cwd(), SCHEMA_PATH)
  if (argv.includes('--check')) {
    const actual = await readFile(SCHEMA_PATH, 'utf8').catch(() => undefined)
    if (actual === expected) return 0
    process.stderr.write(
      `${shown} is ${actual === undefined ? 'missing' : 'out of date'}; run \`npx tsx scripts/write-schema.ts\` and commit the result\n`,
    )
    return 1
  }
  await writeFile(SCHEMA_PATH, expected)
  process.stdout.write(`wrote ${shown}\n`)
  return 0
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2))
}
