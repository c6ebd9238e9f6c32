/** Field-by-field comparison of two JSON-like values, for the conformance tests against helm's output. */

/** The host versions every comparison runs for: none (helm's default capabilities), a 1.32 and a 1.33 host. */
export const HOSTS: (string | undefined)[] = [undefined, 'v1.32.4', 'v1.33.13']

export interface Difference {
  /** Dotted path with [i] for list items; `` for the root. */
  path: string
  ours: unknown
  theirs: unknown
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`)

/**
 * Every leaf where `ours` and `theirs` differ. Map key order does not matter (helm sorts keys); list order does.
 * A key present on one side only is a difference (undefined on the other), so missing fields are found too.
 */
export function deepDiff(ours: unknown, theirs: unknown, path = ''): Difference[] {
  if (isMap(ours) && isMap(theirs)) {
    const keys = [...new Set([...Object.keys(theirs), ...Object.keys(ours)])]
    return keys.flatMap((key) => deepDiff(ours[key], theirs[key], join(path, key)))
  }
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    const length = Math.max(ours.length, theirs.length)
    return Array.from({length}, (_, i) => deepDiff(ours[i], theirs[i], `${path}[${i}]`)).flat()
  }
  return Object.is(ours, theirs) ? [] : [{path, ours, theirs}]
}

export function showDifferences(label: string, differences: Difference[]): string {
  const lines = differences.map((d) => `  ${d.path}: ours ${JSON.stringify(d.ours)}, helm ${JSON.stringify(d.theirs)}`)
  return `${label}\n${lines.join('\n')}`
}
