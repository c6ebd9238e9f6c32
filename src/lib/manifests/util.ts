/** Small value helpers shared by the renderers. */
import {NEWEST_KUBERNETES, minorOf} from '../versions.js'

/** An upstream "auto" boolean counts as on only when it is `true` or the string "true". */
export function isOn(value: unknown): boolean {
  return value === true || value === 'true'
}

/** Like Go template truthiness for the values we test: empty strings, lists and maps count as unset. */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}

/** A deep copy, so rendered objects never share structure with the config (callers may mutate them). */
export function copy<T>(value: T): T {
  return structuredClone(value)
}

/** Drops keys that are undefined, null, "" or an empty list or map, so optional fields appear only when set. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(object)) if (!isBlank(value)) out[key] = value
  return out as T
}

function isBlank(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true
  if (Array.isArray(value)) return value.length === 0
  return typeof value === 'object' && Object.keys(value).length === 0
}

/** Keeps only the set entries of a list of optional items. */
export function present<T>(items: readonly (T | undefined | false)[]): T[] {
  return items.filter((item): item is T => item !== undefined && item !== false)
}

/** Quantities as the chart renders them with `quote`: every value a string. */
export function quantities(values: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(values ?? {})) out[key] = String(value)
  return out
}

/**
 * The host's Kubernetes minor (35 for v1.35.2), for the chart's Capabilities checks. Without a host version, that of
 * the newest Kubernetes we support, as helm renders for its default capabilities; undefined for a version we cannot
 * read.
 */
export function hostMinor(hostVersion: string | undefined): number | undefined {
  const minor = minorOf(hostVersion ?? NEWEST_KUBERNETES)
  return minor === undefined ? undefined : Number(minor.split('.')[1])
}
