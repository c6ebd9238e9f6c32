import {readFile} from 'node:fs/promises'
import {InvalidConfigError, UsageError, type ConfigProblem} from '../errors.js'
import {valuesToValidate, withChartDefaults} from './defaults.js'
import {mergeValues} from './merge.js'
import {deletedDefaultProblems} from './null-defaults.js'
import {checkRules} from './rules.js'
import type {Locate} from './schema-errors.js'
import {schemaProblems} from './schema-errors.js'
import {configSchema, type VClusterConfig} from './schema/index.js'
import {applyAssignment, parseSetExpression} from './set-values.js'
import {coerceToSchema} from './set-coerce.js'
import {validateAgainstSchema} from './validator.js'
import {parseYamlSource, type Position} from './yaml-source.js'
import {compareStrings} from '../compare.js'

export interface LoadConfigOptions {
  /** Values files in order; `-` reads standard input. */
  files?: string[]
  /** `--set` expressions in order, applied after the files. */
  sets?: string[]
  /** Values to start from (e.g. the stored config on upgrade); files and sets go on top. */
  base?: Record<string, unknown>
  readFile?: (path: string) => Promise<string>
  readStdin?: () => Promise<string>
}

export interface LoadedConfig {
  /** The fully resolved config: the release chart's values.yaml with the user's values coalesced on top, as helm does. */
  config: VClusterConfig
  /** Only what the user set (files and --set merged), as stored in vc-config-<name>. */
  values: Record<string, unknown>
  warnings: ConfigProblem[]
  sources: string[]
}

/**
 * Loads, merges, validates and resolves a vcluster.yaml. Every problem in every source is collected and thrown
 * together as one InvalidConfigError, each positioned at its file, line and column.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const {values, locate, problems, sources} = await mergeSources(options)
  if (problems.length > 0) throw new InvalidConfigError(problems)
  return resolveValues(values, locate, sources)
}

/** Validates already-merged values (no positions) and resolves them; used for stored configs too. */
export function resolveValues(
  values: Record<string, unknown>,
  locate: Locate = () => undefined,
  sources: string[] = [],
): LoadedConfig {
  // Helm checks the coalesced values, so a null that deletes a chart default passes the schema; deletions the release
  // cannot do without are refused on their own. The stored values keep the nulls, so an upgrade deletes them again.
  const checked = valuesToValidate(values)
  const rules = checkRules(checked, locate)
  const handled = (path: string) => rules.handledPaths.some((h) => path === h || path.startsWith(`${h}.`))
  const schemaErrors = schemaProblems(validateAgainstSchema(checked), locate, configSchema, checked).filter(
    (p) => !handled(p.path),
  )
  const problems = [...rules.problems, ...schemaErrors, ...deletedDefaultProblems(values, locate)].sort(byPosition)
  if (problems.some((p) => p.severity === 'error')) throw new InvalidConfigError(problems)
  return {config: withChartDefaults(values) as VClusterConfig, values, warnings: problems, sources}
}

async function mergeSources(options: LoadConfigOptions) {
  const read = options.readFile ?? ((path: string) => readFile(path, 'utf8'))
  const readStdin = options.readStdin ?? readAllStdin
  const files = options.files ?? []
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('standard input (-f -) can be read only once')
  let values: Record<string, unknown> = structuredClone(options.base ?? {})
  const keyOrigins = new Map<string, Position>()
  const valueOrigins = new Map<string, Position>()
  const problems: ConfigProblem[] = []
  const sources: string[] = []
  for (const file of files) {
    const name = file === '-' ? '<stdin>' : file
    const parsed = parseYamlSource(name, await readSource(file, read, readStdin))
    problems.push(...parsed.problems)
    sources.push(name)
    values = mergeValues(values, parsed.values)
    for (const [path, pos] of parsed.keyPositions) keyOrigins.set(path, pos)
    for (const [path, pos] of parsed.valuePositions) valueOrigins.set(path, pos)
  }
  for (const expression of options.sets ?? []) {
    for (const assignment of parseSetExpression(expression)) {
      applyAssignment(values, coerceToSchema(assignment))
      const pos: Position = {source: `--set ${assignment.expression}`, line: 1, col: 1}
      // The full path is the --set's own; parents only where no file placed them, so a file's position wins there.
      assignment.path.forEach((_, i) => {
        const path = pathString(assignment.path.slice(0, i + 1))
        const own = i === assignment.path.length - 1
        if (own || !keyOrigins.has(path)) keyOrigins.set(path, pos)
        if (own || !valueOrigins.has(path)) valueOrigins.set(path, pos)
      })
    }
    sources.push('--set')
  }
  return {values, locate: locator(keyOrigins, valueOrigins), problems, sources}
}

function pathString(steps: readonly (string | number)[]): string {
  return steps.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')
}

async function readSource(
  file: string,
  read: (p: string) => Promise<string>,
  readStdin: () => Promise<string>,
): Promise<string> {
  if (file === '-') return readStdin()
  try {
    return await read(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String((error as Error).message)
    throw new UsageError(`cannot read values file ${file}: ${why}`, 'Check the path given to -f/--values.')
  }
}

/** Finds the position of a path, falling back to its nearest parent that has one (e.g. inside a --set list). */
function locator(keys: Map<string, Position>, values: Map<string, Position>): Locate {
  return (path, part) => {
    let p = path
    for (;;) {
      const hit = (part === 'key' ? keys : values).get(p) ?? keys.get(p)
      if (hit !== undefined) return hit
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['))
      if (cut <= 0) return undefined
      p = p.slice(0, cut)
    }
  }
}

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return compareStrings(a.source, b.source) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)
}

async function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError(
      '-f - reads the config from standard input, but stdin is a terminal',
      'Pipe the file in: cat vcluster.yaml | vcluster validate -f -',
    )
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
