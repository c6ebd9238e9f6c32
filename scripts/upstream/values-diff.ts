/** Leaf-by-leaf comparison of two values documents (a chart's values.yaml, a rendered object). */

export interface LeafChange {
  path: string
  kind: 'added' | 'removed' | 'changed'
  base?: unknown
  next?: unknown
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/**
 * Every leaf of a document with its value. Maps are descended; a scalar or an empty map is a leaf, and so is a list
 * unless `intoLists` (for values: Helm replaces lists as a whole, so a changed default list is one change; for a
 * rendered object, `containers[0].image` says more).
 */
export function leaves(doc: unknown, path = '', intoLists = false): Map<string, unknown> {
  const out = new Map<string, unknown>()
  if (intoLists && Array.isArray(doc) && doc.length > 0) {
    doc.forEach((item, i) => {
      for (const [leaf, v] of leaves(item, `${path}[${i}]`, intoLists)) out.set(leaf, v)
    })
    return out
  }
  if (!isMap(doc) || (Object.keys(doc).length === 0 && path !== '')) {
    out.set(path, doc)
    return out
  }
  for (const [key, value] of Object.entries(doc)) {
    for (const [leaf, v] of leaves(value, join(path, key), intoLists)) out.set(leaf, v)
  }
  return out
}

/** Leaves added, removed and changed from `base` to `next`, in document order. */
export function diffLeaves(base: unknown, next: unknown, intoLists = false): LeafChange[] {
  const before = leaves(base, '', intoLists)
  const after = leaves(next, '', intoLists)
  const out: LeafChange[] = []
  for (const [path, value] of before) {
    if (!after.has(path)) out.push({path, kind: 'removed', base: value})
    else if (JSON.stringify(value) !== JSON.stringify(after.get(path)))
      out.push({path, kind: 'changed', base: value, next: after.get(path)})
  }
  for (const [path, value] of after) if (!before.has(path)) out.push({path, kind: 'added', next: value})
  return out
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined'
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

/** One line per change: `changed  a.b: 1 -> 2`. */
export function formatLeafChanges(changes: readonly LeafChange[]): string {
  return changes
    .map((c) => {
      if (c.kind === 'added') return `added    ${c.path} = ${show(c.next)}`
      if (c.kind === 'removed') return `removed  ${c.path} (was ${show(c.base)})`
      return `changed  ${c.path}: ${show(c.base)} -> ${show(c.next)}`
    })
    .join('\n')
}
