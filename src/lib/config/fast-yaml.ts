import {Document, isScalar} from 'yaml'
import type {ParsedSource, Position} from './yaml-source.js'
import {goYamlTags, isNullKey} from './yaml-dialect.js'

/**
 * A fast path for the YAML almost every vcluster.yaml is written in: block mappings and sequences, one-line plain or
 * simply quoted scalars, comments, `[]` and `{}`. The `yaml` package builds a full document with a node per value
 * and runs cold on every start: ~100 ms for a 48 KB file, against a few ms here. Anything outside that subset
 * (anchors, tags, flow collections, block or multi-line scalars, escapes, tabs, odd indentation, duplicate or
 * `__proto__` keys, deep nesting) returns undefined, and the full parser, which reports problems with positions,
 * takes over. Values resolve with the `yaml` package's own YAML 1.1 tags, so both paths give the same result; a
 * differential test checks values and positions against the full parser.
 */
export function parseSimpleYaml(source: string, text: string): ParsedSource | undefined {
  if (UNSUPPORTED_TEXT.test(text)) return undefined
  try {
    return new SimpleParser(source, text).run()
  } catch (error) {
    if (error === OUTSIDE_SUBSET) return undefined
    throw error
  }
}

// Tabs, carriage returns, control and non-ASCII characters, a byte-order mark: left to the full parser.
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_TEXT = /[^\n\x20-\x7e]/
const OUTSIDE_SUBSET = Symbol('outside the simple YAML subset')
const MAX_DEPTH = 64
const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*/
// Starts a plain value may not have here: YAML indicators, and `?`/`:` which the full parser reads in context.
const INDICATOR = /^(?:[?:,[\]{}#&*!|>'"%@`]|-(?: |$))/
// An item of a one-line flow sequence: quoted without quotes or escapes inside, or plain without flow indicators.
const FLOW_ITEM = /^(?:"[^"\\]*"|'[^']*'|(?:[A-Za-z0-9_./=+]|-(?=.))[A-Za-z0-9_./=+-]*)$/
// yaml refuses an implicit key longer than 1024 characters.
const MAX_KEY = 1000

function outside(): never {
  throw OUTSIDE_SUBSET
}

interface MapFrame {
  kind: 'map'
  indent: number
  value: Record<string, unknown>
  path: string
  keys: Set<string>
}
interface SeqFrame {
  kind: 'seq'
  indent: number
  value: unknown[]
  path: string
}
type Frame = MapFrame | SeqFrame

/** A `key:` whose value comes on the next lines, or is null when none do. */
interface Pending {
  map: MapFrame
  key: string
  path: string
  indent: number
  /** Where yaml places an empty value: right after the colon. */
  emptyAt: Position
}

const yaml11 = new Document(null, {version: '1.1', merge: true, customTags: goYamlTags})
const plainTags = yaml11.schema.tags.filter((tag) => tag.default === true && tag.test !== undefined)

/** A plain scalar resolved exactly as the full parser's composer does (findScalarTagByTest, then resolve). */
function resolvePlain(text: string): unknown {
  const tag = plainTags.find((t) => t.test?.test(text))
  if (tag?.resolve === undefined) return text
  let failed = false
  const resolve = tag.resolve as (value: string, onError: (message: string) => void, options: unknown) => unknown
  const res = resolve(text, () => (failed = true), yaml11.options)
  const value = isScalar(res) ? res.value : res
  if (
    failed ||
    (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
  )
    outside()
  if (typeof value === 'number' && !Number.isFinite(value)) outside() // the full parser reports it
  return value
}

class SimpleParser {
  private readonly values: Record<string, unknown> = {}
  private readonly stack: Frame[] = []
  private pending: Pending | undefined
  private readonly result: ParsedSource
  private line = 0
  private raw = ''

  constructor(
    private readonly source: string,
    private readonly text: string,
  ) {
    this.result = {source, values: this.values, keyPositions: new Map(), valuePositions: new Map(), problems: []}
  }

  run(): ParsedSource {
    const lines = this.text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      this.line = i + 1
      const raw = lines[i] as string
      this.raw = raw
      const indent = raw.length - raw.trimStart().length
      const content = raw.slice(indent).trimEnd()
      if (content === '' || content.startsWith('#')) continue
      if (indent === 0 && (content.startsWith('---') || content.startsWith('...') || content.startsWith('%'))) outside()
      this.take(indent, content)
    }
    this.settlePending(-1, false)
    if (this.stack.length === 0) outside() // empty: the full parser explains
    return this.result
  }

  private at(col: number, line = this.line): Position {
    return {source: this.source, line, col}
  }

  private take(indent: number, content: string): void {
    const dash = content === '-' || content.startsWith('- ')
    if (this.stack.length === 0) {
      if (indent !== 0 || dash) outside() // the top level is a mapping at column 1
      this.push({kind: 'map', indent: 0, value: this.values, path: '', keys: new Set()})
    } else if (this.settlePending(indent, dash)) {
      // a new collection was opened for the pending key at this line's indent
    } else {
      this.popTo(indent, dash)
    }
    const top = this.stack[this.stack.length - 1] as Frame
    if (top.kind === 'map') this.mapEntry(top, indent, content)
    else this.seqItem(top, indent, content)
  }

  /** Gives a pending `key:` its value: a collection opened by this line, or null. True when one was opened. */
  private settlePending(indent: number, dash: boolean): boolean {
    const p = this.pending
    if (p === undefined) return false
    this.pending = undefined
    const nested = indent > p.indent || (indent === p.indent && dash)
    if (!nested) {
      p.map.value[p.key] = null
      this.result.valuePositions.set(p.path, p.emptyAt)
      return false
    }
    const frame: Frame = dash
      ? {kind: 'seq', indent, value: [], path: p.path}
      : {kind: 'map', indent, value: {}, path: p.path, keys: new Set()}
    p.map.value[p.key] = frame.value
    this.result.valuePositions.set(p.path, this.at(indent + 1))
    this.push(frame)
    return true
  }

  private push(frame: Frame): void {
    if (this.stack.length >= MAX_DEPTH) outside()
    this.stack.push(frame)
  }

  /** Closes the collections this line is outside of; it must then continue the innermost one still open. */
  private popTo(indent: number, dash: boolean): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1] as Frame
      // A sequence may sit at its parent key's indent; a key line there ends it.
      if (top.indent > indent || (top.kind === 'seq' && top.indent === indent && !dash && this.stack.length > 1))
        this.stack.pop()
      else break
      if (this.stack.length === 0) outside()
    }
    const top = this.stack[this.stack.length - 1] as Frame
    if (top.indent !== indent || (top.kind === 'seq') !== dash) outside()
  }

  private mapEntry(map: MapFrame, indent: number, content: string): void {
    const {key, rest} = splitKey(content) ?? outside()
    if (map.keys.has(key) || key === '__proto__' || key.length > MAX_KEY) outside()
    map.keys.add(key)
    const path = map.path === '' ? key : `${map.path}.${key}`
    this.result.keyPositions.set(path, this.at(indent + 1))
    const valueCol = indent + content.length - rest.trimStart().length + 1
    const afterColon = indent + content.length - rest.length + 1
    this.setValue(map, key, path, indent, rest.trimStart(), valueCol, afterColon)
  }

  private setValue(
    map: MapFrame,
    key: string,
    path: string,
    indent: number,
    text: string,
    col: number,
    afterColon: number,
  ): void {
    if (text === '' || text.startsWith('#')) {
      // yaml places an empty value after the blanks that follow the colon, trailing ones included.
      const blanks = this.raw.slice(afterColon - 1).length - this.raw.slice(afterColon - 1).trimStart().length
      this.pending = {map, key, path, indent, emptyAt: this.at(afterColon + blanks)}
      return
    }
    this.result.valuePositions.set(path, this.at(col))
    map.value[key] = text.startsWith('[') && text !== '[]' ? this.flowSeq(text, path, col) : scalarValue(text)
  }

  /** `[a, "b", 'c']` on one line: scalars only. Each item is positioned, as the full parser's items are. */
  private flowSeq(text: string, path: string, col: number): unknown[] {
    const inner = /^\[([^\][{}#]*)\](?: +#.*)?$/.exec(text)?.[1] ?? outside()
    const out: unknown[] = []
    let offset = 1
    for (const part of inner.split(',')) {
      const item = part.trim()
      if (!FLOW_ITEM.test(item)) outside()
      const itemCol = col + offset + part.length - part.trimStart().length
      const itemPath = `${path}[${out.length}]`
      this.result.keyPositions.set(itemPath, this.at(itemCol))
      this.result.valuePositions.set(itemPath, this.at(itemCol))
      out.push(item[0] === '"' || item[0] === "'" ? item.slice(1, -1) : resolvePlain(item))
      offset += part.length + 1
    }
    return out
  }

  private seqItem(seq: SeqFrame, indent: number, content: string): void {
    const rest = content.slice(1).trimStart()
    if (rest === '' || rest.startsWith('#') || rest === '-' || rest.startsWith('- ')) outside()
    const col = indent + content.length - rest.length + 1
    const path = `${seq.path}[${seq.value.length}]`
    this.result.keyPositions.set(path, this.at(col))
    this.result.valuePositions.set(path, this.at(col))
    if (splitKey(rest) === undefined) {
      seq.value.push(scalarValue(rest))
      return
    }
    // `- key: value`: a mapping that starts on the dash's line, at the key's column.
    const map: MapFrame = {kind: 'map', indent: col - 1, value: {}, path, keys: new Set()}
    seq.value.push(map.value)
    this.push(map)
    this.mapEntry(map, col - 1, rest)
  }
}

/** `key: rest` with a plain or simply quoted key; undefined when the line is not a key line. */
function splitKey(content: string): {key: string; rest: string} | undefined {
  let key: string
  let end: number
  const quote = content[0]
  if (quote === '"' || quote === "'") {
    end = content.indexOf(quote, 1)
    if (end < 0) return undefined
    key = content.slice(1, end)
    end += 1
    if (key.includes('\\') || key.includes("'") || key.includes('"')) outside()
  } else {
    key = PLAIN_KEY.exec(content)?.[0] ?? ''
    end = key.length
    if (end === 0) return undefined
    if (isNullKey(key)) outside() // the full parser reports it
  }
  if (content[end] !== ':' || (end + 1 < content.length && content[end + 1] !== ' ')) {
    if (content.includes(': ') || content.endsWith(':')) outside() // a key the subset does not read
    return undefined
  }
  return {key, rest: content.slice(end + 1)}
}

/** A one-line value: plain, single- or double-quoted without escapes, or an empty flow collection. */
function scalarValue(text: string): unknown {
  const first = text[0]
  if (first === "'" || first === '"') return quotedValue(text, first)
  const value = stripComment(text)
  if (value === '[]') return []
  if (value === '{}') return {}
  if (INDICATOR.test(value) || value.includes(': ') || value.endsWith(':')) outside()
  return resolvePlain(value)
}

function quotedValue(text: string, quote: string): string {
  let end = 1
  let out = ''
  for (;;) {
    const next = text.indexOf(quote, end)
    if (next < 0) outside() // continues on the next line
    out += text.slice(end, next)
    if (quote === "'" && text[next + 1] === "'") {
      out += "'"
      end = next + 2
      continue
    }
    end = next + 1
    break
  }
  if (quote === '"' && out.includes('\\')) outside()
  const tail = text.slice(end)
  if (tail !== '' && !/^ +#/.test(tail)) outside()
  return out
}

/** A plain scalar ends where ` #` starts a comment. */
function stripComment(text: string): string {
  const hash = text.indexOf(' #')
  return hash < 0 ? text : text.slice(0, hash).trimEnd()
}
