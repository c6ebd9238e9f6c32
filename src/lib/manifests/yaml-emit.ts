/**
 * The YAML we write (the config Secret holds the whole resolved config and the user's values): plain block YAML that
 * reads back as the same data in YAML 1.2 (the `yaml` package, kubectl), in YAML 1.1 (the `yaml` package's 1.1 schema)
 * and in the Go YAML 1.1 parser the vCluster syncer reads its config with (go-yaml v2 under sigs.k8s.io/yaml). So a
 * string that any of them would resolve to something else is quoted, as a key and as a value: `yes`/`on`/`Y`,
 * `1_000`, `0b101`, `0O17`, `017`, `1:20`, `2001-12-14`, `<<`, `=`... (a label `"yes"` must not arrive as `"true"`).
 *
 * It writes exactly what `stringify(value, PACKAGE_OPTIONS)` of the `yaml` package writes, faster on plain data (the
 * package's document model made YAML the largest part of rendering, ~90 ms of CPU for a large config): anything it is
 * not sure about (multi-line strings, unusual keys, nested lists, non-plain objects) goes to the package instead, the
 * whole document or just the one scalar. test/lib/manifests/yaml-emit.test.ts checks both agree, and that the text
 * reads back the same in both YAML versions; test/conformance/yaml-dialect.test.ts checks it with upstream's parser.
 */
import {Schema, stringify, type ScalarTag, type Tags} from 'yaml'

/**
 * go-yaml v2's words (bool, null, .inf/.nan, the `<<` merge key) in any case, and YAML 1.1's `=` value key: over-
 * quoting `yEs` costs two characters, under-quoting a word some reader knows changes the data.
 */
const WORDS = new Set([
  '',
  '~',
  'y',
  'yes',
  'n',
  'no',
  'true',
  'false',
  'on',
  'off',
  'null',
  '.nan',
  '.inf',
  '+.inf',
  '-.inf',
  '<<',
  '=',
])
/** Go's strconv.ParseInt with base 0 (go-yaml removes every `_` first): 0x/0o/0b in either case, a leading 0 is octal. */
const GO_INT = /^[-+]?(?:0[xX][\da-fA-F]+|0[oO][0-7]+|0[bB][01]+|\d+)$/
/** go-yaml's yamlStyleFloat, also tried with the underscores removed. */
const GO_FLOAT = /^[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?$/

/**
 * What the `yaml` package's YAML 1.1 and 1.2 schemas read as something other than a string (their implicit tags'
 * patterns): they know forms go-yaml does not, e.g. `1:20` (base 60), `e0` and `.` (floats).
 */
const PACKAGE_PATTERNS: RegExp[] = ['yaml-1.1', 'core'].flatMap((schema) =>
  new Schema({schema}).tags.flatMap((tag) =>
    tag.default === true && tag.tag !== 'tag:yaml.org,2002:str' && tag.test !== undefined ? [tag.test] : [],
  ),
)

/**
 * Whether a reader might not read this plain text as a string: go-yaml v2's own resolution (resolve.go), made coarser
 * where that is simpler (every `YYYY-` may be a timestamp, every `.` + digit a float), and the `yaml` package's YAML
 * 1.1 and 1.2 schemas.
 */
export function isAmbiguousPlain(text: string): boolean {
  return isGoYamlNonString(text) || PACKAGE_PATTERNS.some((pattern) => pattern.test(text))
}

function isGoYamlNonString(text: string): boolean {
  if (WORDS.has(text.toLowerCase())) return true
  if (text.startsWith('.')) return /^\.\d/.test(text)
  if (!/^[-+\d]/.test(text)) return false
  if (/^\d{4}-/.test(text)) return true
  const digits = text.replaceAll('_', '')
  return GO_INT.test(digits) || GO_FLOAT.test(digits)
}

/** A RegExp whose `test` is isAmbiguousPlain: the package asks each tag's `test` whether plain text would be read as it. */
class AmbiguousText extends RegExp {
  override test(text: string): boolean {
    return isAmbiguousPlain(text)
  }
}

/** Never matches a value (no `identify`), only makes the package quote what go-yaml would not read as a string. */
const GO_YAML_1_1: ScalarTag = {
  tag: 'tag:vcluster.loft.sh,2025:go-yaml-1.1',
  default: true,
  test: new AmbiguousText('(?:)'),
  resolve: (text) => text,
}

/**
 * Options for any `stringify` of the `yaml` package whose output a YAML 1.1 reader may read (kubectl and client-go
 * read kubeconfigs and manifests with go-yaml v2 too): quoting checked against the YAML 1.2 core schema, the YAML 1.1
 * schema (`compat`) and isAmbiguousPlain (the extra tag).
 */
export const YAML_1_1_SAFE = {compat: 'yaml-1.1', customTags: (tags: Tags): Tags => [...tags, GO_YAML_1_1]}

/** The package's own options for toYamlText's text: no line folding, and both paths quote the same strings. */
export const PACKAGE_OPTIONS = {lineWidth: 0, ...YAML_1_1_SAFE}

/**
 * Strings the package always writes plain, unless ambiguous: a letter first, no comment or flow indicators, single
 * spaces only between other characters, and no `: ` (or `:` at the end), which would read as a key.
 */
const PLAIN = /^[A-Za-z](?:[\w./:@=+"'()$-]| (?=[^\s#]))*$/
/** Keys the package always writes plain, unless ambiguous. */
const PLAIN_KEY = /^[A-Za-z_][\w./-]*$/

class Fallback extends Error {}

/** `stringify(value, PACKAGE_OPTIONS)`, faster on plain data. */
export function toYamlText(value: unknown): string {
  if (!isPlainObject(value) || isEmptyMap(value)) return stringify(value, PACKAGE_OPTIONS)
  try {
    const out: string[] = []
    writeMap(value, 0, out)
    return out.join('')
  } catch (error) {
    if (error instanceof Fallback) return stringify(value, PACKAGE_OPTIONS)
    throw error
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** The package leaves out keys whose value is undefined: a map of only those is written `{}`. */
function isEmptyMap(map: Record<string, unknown>): boolean {
  for (const key in map) if (map[key] !== undefined) return false
  return true
}

/** Entries of a non-empty map, one `key: value` per line at `indent` (nested maps and lists below it). */
function writeMap(map: Record<string, unknown>, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent)
  for (const key of Object.keys(map)) {
    const value = map[key]
    if (value === undefined) continue // the package leaves such keys out
    if (!PLAIN_KEY.test(key) || isAmbiguousPlain(key)) throw new Fallback()
    const inline = inlineValue(value)
    if (inline !== undefined) {
      out.push(`${pad}${key}: ${inline}\n`)
    } else if (Array.isArray(value)) {
      out.push(`${pad}${key}:\n`)
      writeSeq(value, indent + 2, out)
    } else {
      out.push(`${pad}${key}:\n`)
      writeMap(value as Record<string, unknown>, indent + 2, out)
    }
  }
}

/** Items of a non-empty list at `indent`; a map item starts on the dash's line, its other keys align with its first. */
function writeSeq(seq: unknown[], indent: number, out: string[]): void {
  const pad = ' '.repeat(indent)
  for (const item of seq) {
    if (item === undefined || (Array.isArray(item) && item.length > 0)) throw new Fallback()
    const inline = inlineValue(item)
    if (inline !== undefined) {
      out.push(`${pad}- ${inline}\n`)
      continue
    }
    const start = out.length
    writeMap(item as Record<string, unknown>, indent + 2, out)
    out[start] = `${pad}- ${(out[start] as string).slice(indent + 2)}`
  }
}

/** The one-line form of a scalar or an empty collection; undefined for a non-empty map or list. */
function inlineValue(value: unknown): string | undefined {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : scalarByPackage(value)
  if (typeof value === 'string') return isPlain(value) ? value : scalarByPackage(value)
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined
  if (isPlainObject(value)) return isEmptyMap(value) ? '{}' : undefined
  throw new Fallback()
}

function isPlain(text: string): boolean {
  return PLAIN.test(text) && !isAmbiguousPlain(text) && !text.includes(': ') && !text.endsWith(':')
}

/** The package's own form of one scalar as a map value; a multi-line form depends on indentation, so it falls back. */
function scalarByPackage(value: string | number): string {
  if (typeof value === 'string' && value.includes('\n')) throw new Fallback()
  const text = stringify({k: value}, PACKAGE_OPTIONS)
  if (!text.startsWith('k: ') || text.indexOf('\n') !== text.length - 1) throw new Fallback()
  return text.slice(3, -1)
}
