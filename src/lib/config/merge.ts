import {isPlainObject} from './set-values.js'

/**
 * Merges `overlay` onto `base` as helm merges values files (`-f a -f b`): maps deep-merged, lists and scalars
 * replaced, and a `null` kept as a value, so that coalescing with the chart's defaults deletes the default it names
 * (src/lib/config/coalesce.ts). Neither input is modified.
 */
export function mergeValues(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {...base}
  for (const [key, value] of Object.entries(overlay)) {
    // Own properties only: a key written `__proto__` must stay a plain key, never reach or replace the prototype.
    const current = Object.hasOwn(out, key) ? out[key] : undefined
    if (isPlainObject(value) && isPlainObject(current)) {
      setOwn(out, key, mergeValues(current, value))
    } else {
      setOwn(out, key, structuredClone(value))
    }
  }
  return out
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {value, writable: true, enumerable: true, configurable: true})
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
