/**
 * Start-up rules of two releases, compared by their error messages: every `fmt.Errorf`/`errors.New` format string
 * in the config packages (pkg/config runs ValidateConfigAndSetDefaults and what it calls; config/ holds the types'
 * own checks) and every `fail` message of the chart's templates. A new message is a new rule (or a reworded one) to
 * port to src/lib/config/rules*.ts; a gone one is a rule to drop.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'

export interface RuleMessage {
  message: string
  /** Files (relative to the release) that hold it. */
  files: string[]
}

export interface RuleChange extends RuleMessage {
  kind: 'new' | 'gone'
}

/** Go source directories whose error messages are start-up rules. */
export const RULE_SOURCES = ['pkg/config', 'config']

const GO_ERROR = /\b(?:fmt\.Errorf|errors\.New)\(\s*("(?:[^"\\\n]|\\.)*"|`[^`]*`)/g
const CHART_FAIL = /\bfail\s*\(?\s*(?:printf\s+)?("(?:[^"\\\n]|\\.)*")/g

function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1)
  try {
    return JSON.parse(literal) as string
  } catch {
    return literal.slice(1, -1)
  }
}

/** The error format strings of one Go source text. */
export function goErrorMessages(source: string): string[] {
  return [...source.matchAll(GO_ERROR)].map((m) => unquote(m[1] as string))
}

/** The `fail` messages of one chart template. */
export function chartFailMessages(template: string): string[] {
  return [...template.matchAll(CHART_FAIL)].map((m) => unquote(m[1] as string))
}

function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names.flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return filesUnder(path, accept)
    return accept(name) ? [path] : []
  })
}

/** Every rule message of a release directory, keyed by its text. */
export function ruleMessages(releaseDir: string): Map<string, RuleMessage> {
  const out = new Map<string, RuleMessage>()
  const add = (message: string, file: string) => {
    const entry = out.get(message) ?? {message, files: []}
    if (!entry.files.includes(file)) entry.files.push(file)
    out.set(message, entry)
  }
  for (const source of RULE_SOURCES) {
    // Only the package itself: subpackages (config/legacyconfig) are other code paths.
    const dir = join(releaseDir, source)
    const goFiles = readdirSync(dir).filter((n) => n.endsWith('.go') && !n.endsWith('_test.go'))
    for (const name of goFiles) {
      for (const message of goErrorMessages(readFileSync(join(dir, name), 'utf8'))) add(message, `${source}/${name}`)
    }
  }
  for (const path of filesUnder(join(releaseDir, 'chart', 'templates'), (n) => /\.(yaml|tpl)$/.test(n))) {
    for (const message of chartFailMessages(readFileSync(path, 'utf8'))) add(message, relative(releaseDir, path))
  }
  return out
}

/** Messages only in `next` (new) and only in `base` (gone). */
export function diffRules(base: Map<string, RuleMessage>, next: Map<string, RuleMessage>): RuleChange[] {
  const gone = [...base.values()].filter((m) => !next.has(m.message)).map((m) => ({...m, kind: 'gone' as const}))
  const added = [...next.values()].filter((m) => !base.has(m.message)).map((m) => ({...m, kind: 'new' as const}))
  return [...added, ...gone]
}

export function formatRuleChanges(changes: readonly RuleChange[]): string {
  return changes.map((c) => `${c.kind.padEnd(4)}  ${c.files.join(', ')}: ${JSON.stringify(c.message)}`).join('\n')
}
