/**
 * A fast path for `stringify(value, {lineWidth: 0})` of the `yaml` package on plain config data: the config Secret
 * holds the whole resolved config (and the user's values) as YAML, and the package's document model made that the
 * largest part of rendering (~90 ms of CPU for a large config). It writes exactly what the package writes: anything
 * it is not sure about (multi-line strings, unusual keys, nested lists, non-plain objects) goes to the package
 * instead, the whole document or just the one scalar. test/lib/manifests/yaml-emit.test.ts checks both agree.
 */
import {stringify} from 'yaml'

const OPTIONS = {lineWidth: 0}

/**
 * Strings the package always writes plain: a letter first, no comment or flow indicators, single spaces only between
 * other characters, and no `: ` (or `:` at the end), which would read as a key.
 */
const PLAIN = /^[A-Za-z](?:[\w./:@=+"'()$-]| (?=[^\s#]))*$/
/** Keys the package always writes plain. */
const PLAIN_KEY = /^[A-Za-z_][\w./-]*$/
/** Plain-looking words the core schema reads as booleans or null: the package quotes them. */
const RESERVED = /^(?:true|false|null)$/i

class Fallback extends Error {}

/** `stringify(value, {lineWidth: 0})`, faster on plain data. */
export function toYamlText(value: unknown): string {
  if (!isPlainObject(value) || isEmptyMap(value)) return stringify(value, OPTIONS)
  try {
    const out: string[] = []
    writeMap(value, 0, out)
    return out.join('')
  } catch (error) {
    if (error instanceof Fallback) return stringify(value, OPTIONS)
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
    if (!PLAIN_KEY.test(key) || RESERVED.test(key)) throw new Fallback()
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
    if (item === undefined || Array.isArray(item) && item.length > 0) throw new Fallback()
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
  if (typeof value === 'number') return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : scalarByPackage(value)
  if (typeof value === 'string') return isPlain(value) ? value : scalarByPackage(value)
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined
  if (isPlainObject(value)) return isEmptyMap(value) ? '{}' : undefined
  throw new Fallback()
}

function isPlain(text: string): boolean {
  return PLAIN.test(text) && !RESERVED.test(text) && !text.includes(': ') && !text.endsWith(':')
}

/** The package's own form of one scalar as a map value; a multi-line form depends on indentation, so it falls back. */
function scalarByPackage(value: string | number): string {
  if (typeof value === 'string' && value.includes('\n')) throw new Fallback()
  const text = stringify({k: value}, OPTIONS)
  if (!text.startsWith('k: ') || text.indexOf('\n') !== text.length - 1) throw new Fallback()
  return text.slice(3, -1)
}
