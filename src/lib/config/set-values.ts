import {UsageError} from '../errors.js'

/** One `--set` assignment: the key path (names and list indexes) and its typed value. */
export interface SetAssignment {
  expression: string
  path: (string | number)[]
  value: unknown
}

/**
 * Parses Helm-style `--set` expressions: `a.b.c=v`, several separated by commas, list indexes `a.b[0]=v`, list
 * literals `a={x,y}`, and `\` escaping of `.`, `,`, `=`, `[`. Values are typed as Helm types them: true/false,
 * null, whole numbers without a leading zero become numbers; everything else (floats too) stays a string.
 */
export function parseSetExpression(expression: string): SetAssignment[] {
  return splitTopLevel(expression, ',').map((part) => parseAssignment(part, expression))
}

function parseAssignment(part: string, whole: string): SetAssignment {
  const eq = indexOfUnescaped(part, '=')
  if (eq <= 0) {
    throw new UsageError(
      `--set ${JSON.stringify(whole)}: expected key=value, got ${JSON.stringify(part)}`,
      'Write it as --set controlPlane.proxy.extraSANs[0]=my.host (several separated by commas).',
    )
  }
  const path = parseKeyPath(part.slice(0, eq), whole)
  const rawValue = part.slice(eq + 1)
  const value =
    rawValue.startsWith('{') && rawValue.endsWith('}') ? parseList(rawValue) : typedValue(unescapeValue(rawValue))
  return {expression: part, path, value}
}

function parseKeyPath(key: string, whole: string): (string | number)[] {
  const path: (string | number)[] = []
  let name = ''
  for (let i = 0; i < key.length; i++) {
    const ch = key[i] as string
    if (ch === '\\' && i + 1 < key.length) {
      name += key[++i]
    } else if (ch === '.') {
      pushName(path, name, key, whole)
      name = ''
    } else if (ch === '[') {
      if (name !== '') path.push(name)
      name = ''
      const close = key.indexOf(']', i)
      const index = Number(key.slice(i + 1, close))
      if (close < 0 || !Number.isInteger(index) || index < 0 || index > 65_535) {
        throw new UsageError(
          `--set ${JSON.stringify(whole)}: bad list index in ${JSON.stringify(key)}`,
          'Indexes are whole numbers, e.g. a.b[0]=v.',
        )
      }
      path.push(index)
      i = close
      if (key[i + 1] === '.') i++
    } else {
      name += ch
    }
  }
  if (name !== '') path.push(name)
  if (path.length === 0 || key.endsWith('.')) pushName(path, '', key, whole)
  return path
}

function pushName(path: (string | number)[], name: string, key: string, whole: string): void {
  if (name === '') {
    throw new UsageError(
      `--set ${JSON.stringify(whole)}: empty key name in ${JSON.stringify(key)}`,
      'Key paths look like controlPlane.proxy.port=8443.',
    )
  }
  path.push(name)
}

function parseList(raw: string): unknown[] {
  const inner = raw.slice(1, -1)
  if (inner.trim() === '') return []
  return splitTopLevel(inner, ',').map((item) => typedValue(unescapeValue(item)))
}

export function typedValue(raw: string): unknown {
  if (raw === 'true') return true
  if (raw === 'false') return false
  if (raw === 'null') return null
  if (raw === '0') return 0
  if (/^-?[1-9]\d*$/.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw)
  return raw
}

function unescapeValue(raw: string): string {
  return raw.replace(/\\(.)/g, '$1')
}

function indexOfUnescaped(s: string, ch: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++
    else if (s[i] === ch) return i
  }
  return -1
}

/** Splits on `sep` outside `{...}` list literals, keeping escapes for the later steps. */
function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string
    if (ch === '\\' && i + 1 < s.length) {
      current += ch + s[++i]
      continue
    }
    if (ch === '{') depth++
    if (ch === '}') depth = Math.max(0, depth - 1)
    if (ch === sep && depth === 0) {
      parts.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  parts.push(current)
  return parts
}

/**
 * Applies one assignment to a values tree, creating maps and lists on the way. `null` is kept as a value, as helm's
 * --set keeps it: coalescing with the chart's defaults later deletes the default it names.
 */
export function applyAssignment(target: Record<string, unknown>, assignment: SetAssignment): void {
  let node: Record<string | number, unknown> | unknown[] = target
  const {path, value} = assignment
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string | number
    const nextIsIndex = typeof path[i + 1] === 'number'
    const existing = (node as Record<string | number, unknown>)[key]
    const fits = nextIsIndex ? Array.isArray(existing) : isPlainObject(existing)
    const child = fits ? existing : nextIsIndex ? [] : {}
    setKey(node, key, child)
    node = child as Record<string | number, unknown> | unknown[]
  }
  setKey(node, path[path.length - 1] as string | number, value)
}

function setKey(node: Record<string | number, unknown> | unknown[], key: string | number, value: unknown): void {
  if (Array.isArray(node) && typeof key === 'number') {
    while (node.length < key) node.push(null)
    node[key] = value
  } else {
    ;(node as Record<string | number, unknown>)[key] = value
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
