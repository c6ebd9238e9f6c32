import {isPlainObject} from './set-values.js'

/**
 * Merges `overlay` onto `base` as Helm merges values files: maps deep-merged, lists and scalars replaced, and a
 * `null` in the overlay removes the key. Neither input is modified.
 */
export function mergeValues(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {...base}
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) {
      delete out[key]
    } else if (isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = mergeValues(out[key] as Record<string, unknown>, value)
    } else {
      out[key] = structuredClone(value)
    }
  }
  return out
}

/** Reads a value by a dotted path (`a.b[0].c`); undefined when any step is missing. */
export function getPath(values: unknown, path: string): unknown {
  let node: unknown = values
  for (const step of splitPath(path)) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string | number, unknown>)[step]
  }
  return node
}

export function splitPath(path: string): (string | number)[] {
  if (path === '') return []
  const steps: (string | number)[] = []
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part)
    if (m === null) {
      steps.push(part)
      continue
    }
    if (m[1] !== '') steps.push(m[1] as string)
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) steps.push(Number(idx[1]))
  }
  return steps
}
