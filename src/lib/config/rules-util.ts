/**
 * What every rule module shares: the values being checked, a way to report a problem at a key, and readers that
 * see a value as the release's Go code sees it after its strict decode (a missing or mistyped value is the Go zero
 * value: the schema reports the mistype on its own).
 */
import {getPath} from './merge.js'
import {isPlainObject} from './set-values.js'
import {joinPath} from './yaml-source.js'

export type Values = Record<string, unknown>

/** Reports a problem at a dotted path; `part` chooses whether the key or its value is pointed at. */
export type Report = (path: string, message: string, severity?: 'error' | 'warning', part?: 'key' | 'value') => void

export interface RuleContext {
  values: Values
  report: Report
  /** The vCluster's name where known (its `${name}` placeholders); a stand-in otherwise. */
  name: string
}

export {joinPath}

/** The value at `path`, or undefined; `null` (a deleted default) reads as missing. */
export function at(values: unknown, path: string): unknown {
  const value = path === '' ? values : getPath(values, path)
  return value === null ? undefined : value
}

export function str(values: unknown, path: string): string {
  const value = at(values, path)
  return typeof value === 'string' ? value : ''
}

export function bool(values: unknown, path: string): boolean {
  return at(values, path) === true
}

export function num(values: unknown, path: string): number {
  const value = at(values, path)
  return typeof value === 'number' ? value : 0
}

export function list(values: unknown, path: string): unknown[] {
  const value = at(values, path)
  return Array.isArray(value) ? value : []
}

export function map(values: unknown, path: string): Record<string, unknown> {
  const value = at(values, path)
  return isPlainObject(value) ? value : {}
}

/** A list of strings as Go decodes it: the strings of a list (non-strings are the schema's to report). */
export function strings(values: unknown, path: string): string[] {
  return list(values, path).filter((v): v is string => typeof v === 'string')
}

/** A "StrBool" field (string or boolean in the schema) as the Go code compares it: `true` reads as "true". */
export function strBool(values: unknown, path: string): string {
  const value = at(values, path)
  if (typeof value === 'boolean') return String(value)
  return typeof value === 'string' ? value : ''
}

/** Whether a value is set at all (Go pointers and maps: present and not null). */
export function isSet(values: unknown, path: string): boolean {
  return at(values, path) !== undefined
}

/** Each item of a list, with its path. */
export function items(values: unknown, path: string): {item: unknown; path: string}[] {
  return list(values, path).map((item, i) => ({item, path: joinPath(path, i)}))
}

/** Each entry of a map, with its path. */
export function entries(values: unknown, path: string): {key: string; value: unknown; path: string}[] {
  return Object.entries(map(values, path)).map(([key, value]) => ({key, value, path: joinPath(path, key)}))
}

/** Go's strings.Count. */
export function count(text: string, part: string): number {
  return text.split(part).length - 1
}
