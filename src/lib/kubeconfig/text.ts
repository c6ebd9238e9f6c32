import {isMap, isScalar, isSeq, parseDocument, stringify, type Document, type Node, type Pair, type YAMLMap} from 'yaml'
import {UsageError} from '../errors.js'
import type {KubeconfigDoc, NamedEntry} from './resolve.js'
import {YAML_1_1_SAFE} from '../manifests/yaml-emit.js'

export type ListKey = 'clusters' | 'users' | 'contexts'

type Span = [start: number, end: number]

/** kubectl's style for what we write: keys sorted, lists not indented under their key, no line folding. */
const WRITE_STYLE = {sortMapEntries: true, lineWidth: 0, indentSeq: false} as const
/** New text: kubectl reads kubeconfigs with go-yaml v2, so a namespace `123` or a vCluster `yes` must be quoted. */
const NEW_TEXT_STYLE = {...WRITE_STYLE, ...YAML_1_1_SAFE}

/** What kubectl writes for an empty kubeconfig. */
const SKELETON =
  'apiVersion: v1\nclusters: []\ncontexts: []\ncurrent-context: ""\nkind: Config\npreferences: {}\nusers: []\n'

/**
 * One kubeconfig file's text. Reads go through the yaml Document; writes splice only the text of the entries the
 * CLI owns (found by the Document's node ranges), so every other byte — foreign entries, comments, quoting, odd
 * indentation — stays as it was. Only shapes splicing cannot handle (a JSON/flow-style file) fall back to editing
 * the Document and re-printing it.
 */
export class KubeconfigText {
  private doc!: Document
  private plain!: KubeconfigDoc

  constructor(
    private source: string,
    readonly file: string,
  ) {
    this.reparse()
  }

  get text(): string {
    return this.source
  }

  get data(): KubeconfigDoc {
    return this.plain
  }

  names(list: ListKey): string[] {
    return asEntries(this.plain[list]).map((e) => e.name)
  }

  entry(list: ListKey, name: string): NamedEntry | undefined {
    return asEntries(this.plain[list]).find((e) => e.name === name)
  }

  currentContext(): string {
    const value = this.plain['current-context']
    return typeof value === 'string' ? value : ''
  }

  /** Adds the entry, or replaces the whole entry of that name (the CLI owns it). */
  upsert(list: ListKey, entry: NamedEntry): void {
    this.ensureSkeleton()
    const top = this.topMap()
    const pair = top === undefined ? undefined : findPair(top, list)
    if (top === undefined || (pair !== undefined && !isBlockSeqOrEmpty(pair.value)))
      return this.fallback((d) => upsertInDocument(d, list, entry))
    if (pair === undefined) return this.insertKey(top, `${list}:\n${indentItem(render(entry), 0)}`)
    const seq = pair.value
    if (!isSeq(seq) || seq.items.length === 0)
      return this.fillEmptyValue(pair, indentItem(render(entry), keyColumn(this.source, pair)))
    const spans = seq.items.map((item) => this.itemSpan(item as Node))
    const dash = this.indicatorPos(seq.items[0] as Node)
    if (dash === undefined || spans.some((s) => s === undefined))
      return this.fallback((d) => upsertInDocument(d, list, entry))
    const text = indentItem(render(entry), dash - lineStart(this.source, dash))
    const index = seq.items.findIndex((item) => entryName(item) === entry.name)
    const last = (spans.at(-1) as Span)[1]
    if (index >= 0) this.splice(spans[index] as Span, text)
    else this.splice([last, last], this.atLineStart(last) ? text : `\n${text}`)
  }

  /** Removes every entry of that name from the list; true when one was there. */
  remove(list: ListKey, name: string): boolean {
    if (!this.names(list).includes(name)) return false
    const pair = this.topMap() === undefined ? undefined : findPair(this.topMap() as YAMLMap, list)
    const seq = pair?.value
    if (!isSeq(seq) || seq.flow === true) {
      this.fallback((d) => removeInDocument(d, list, name))
      return true
    }
    for (let i = seq.items.length - 1; i >= 0; i--) {
      if (entryName(seq.items[i]) !== name) continue
      const span = this.itemSpan(seq.items[i] as Node)
      if (span === undefined) {
        this.fallback((d) => removeInDocument(d, list, name))
        return true
      }
      this.source = this.source.slice(0, span[0]) + this.source.slice(span[1])
    }
    this.reparse()
    return true
  }

  setCurrentContext(name: string): void {
    if (this.currentContext() === name && this.doc.contents !== null) return
    this.ensureSkeleton()
    const top = this.topMap()
    if (top === undefined) return this.fallback((d) => d.set('current-context', name))
    const value = stringify(name, YAML_1_1_SAFE).trimEnd()
    const pair = findPair(top, 'current-context')
    if (pair === undefined) return this.insertKey(top, `current-context: ${value}\n`)
    const range = (pair.value as Node | null)?.range
    if (isScalar(pair.value) && range && range[1] > range[0]) return this.splice([range[0], range[1]], value)
    const colon = this.source.indexOf(':', (pair.key as Node).range?.[1] ?? 0)
    this.splice([colon + 1, colon + 1], ` ${value}`)
  }

  private reparse(): void {
    const doc = parseDocument(this.source, {uniqueKeys: false})
    if (doc.errors.length > 0) {
      throw new UsageError(
        `kubeconfig ${this.file} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`,
        'Fix or move the file; nothing was changed.',
      )
    }
    const plain: unknown = doc.toJS()
    if (plain !== null && plain !== undefined && (typeof plain !== 'object' || Array.isArray(plain))) {
      throw new UsageError(
        `kubeconfig ${this.file} is not a kubeconfig (not a mapping)`,
        'Fix or move the file; nothing was changed.',
      )
    }
    this.doc = doc
    this.plain = (plain ?? {}) as KubeconfigDoc
  }

  /** The top-level block mapping, or undefined when the file is empty or flow-style (JSON). */
  private topMap(): YAMLMap | undefined {
    const top = this.doc.contents
    return isMap(top) && top.flow !== true && top.range !== undefined ? top : undefined
  }

  /** An empty (or comments-only) file gets kubectl's skeleton first, so edits are splices from then on. */
  private ensureSkeleton(): void {
    if (this.doc.contents !== null) return
    const kept = this.source.trim() === '' ? '' : this.source.endsWith('\n') ? this.source : `${this.source}\n`
    this.source = `${kept}${SKELETON}`
    this.reparse()
  }

  /** The whole lines of one list item, from its `-` to the end of its last line. */
  private itemSpan(item: Node): Span | undefined {
    const dash = this.indicatorPos(item)
    if (dash === undefined || !item.range || !isMap(item) || item.flow === true) return undefined
    return [lineStart(this.source, dash), this.lineEnd(item.range[2])]
  }

  private indicatorPos(item: Node): number | undefined {
    let i = (item.range?.[0] ?? 0) - 1
    while (i >= 0 && (this.source[i] === ' ' || this.source[i] === '\n' || this.source[i] === '\r')) i--
    return i >= 0 && this.source[i] === '-' ? i : undefined
  }

  private lineEnd(pos: number): number {
    if (this.atLineStart(pos)) return pos
    const nl = this.source.indexOf('\n', pos)
    return nl < 0 ? this.source.length : nl + 1
  }

  private atLineStart(pos: number): boolean {
    return pos === 0 || this.source[pos - 1] === '\n'
  }

  /** Appends `key: ...` lines after the last entry of the top-level mapping. */
  private insertKey(top: YAMLMap, lines: string): void {
    const at = this.lineEnd(top.range?.[1] ?? this.source.length)
    const indent = ' '.repeat(keyColumn(this.source, top.items[0] as Pair | undefined))
    const text = lines
      .split('\n')
      .map((l) => (l === '' ? l : indent + l))
      .join('\n')
    this.splice([at, at], this.atLineStart(at) ? text : `\n${text}`)
  }

  /** `users: null  # none` → `users:  # none` followed by the new item; comments on the line stay. */
  private fillEmptyValue(pair: Pair, items: string): void {
    const range = (pair.value as Node | null)?.range
    const colon = this.source.indexOf(':', (pair.key as Node).range?.[1] ?? 0)
    const valueEnd = range && range[1] > range[0] ? range[1] : colon + 1
    const lineEnd = this.lineEnd(valueEnd)
    const rest = this.source.slice(valueEnd, lineEnd)
    const line = rest.endsWith('\n') ? rest : `${rest}\n`
    this.splice([colon + 1, lineEnd], `${line.trim() === '' ? '' : line.slice(0, -1)}\n${items}`)
  }

  private splice([start, end]: Span, text: string): void {
    this.source = this.source.slice(0, start) + text + this.source.slice(end)
    this.reparse()
  }

  /** Edits the Document and re-prints it: only for files whose shape text splicing cannot handle. */
  private fallback(change: (doc: Document) => void): void {
    change(this.doc)
    this.source = this.doc.toString(WRITE_STYLE)
    this.reparse()
  }
}

function asEntries(value: unknown): NamedEntry[] {
  return Array.isArray(value)
    ? value.filter(
        (e): e is NamedEntry => typeof e === 'object' && e !== null && typeof (e as NamedEntry).name === 'string',
      )
    : []
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined
}

function entryName(item: unknown): unknown {
  return isMap(item) ? item.get('name') : undefined
}

function keyColumn(source: string, pair: Pair | undefined): number {
  const start = (pair?.key as Node | undefined)?.range?.[0]
  return start === undefined ? 0 : start - lineStart(source, start)
}

function lineStart(source: string, pos: number): number {
  return source.lastIndexOf('\n', pos - 1) + 1
}

function isBlockSeqOrEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true
  if (isSeq(value)) return value.flow !== true || value.items.length === 0
  return isScalar(value) && (value.value === null || value.value === '')
}

function render(entry: NamedEntry): string {
  return stringify(entry, NEW_TEXT_STYLE)
}

/** A rendered mapping as a list item whose `-` sits at `column`. */
function indentItem(rendered: string, column: number): string {
  const pad = ' '.repeat(column)
  return rendered
    .trimEnd()
    .split('\n')
    .map((line, i) => (i === 0 ? `${pad}- ${line}` : `${pad}  ${line}`))
    .join('\n')
    .concat('\n')
}

function upsertInDocument(doc: Document, list: ListKey, entry: NamedEntry): void {
  const seq = doc.get(list)
  const items = isSeq(seq) ? seq.items : []
  const index = items.findIndex((item) => entryName(item) === entry.name)
  if (!isSeq(seq)) doc.set(list, doc.createNode([entry]))
  else if (index >= 0) seq.set(index, doc.createNode(entry))
  else seq.add(doc.createNode(entry))
}

function removeInDocument(doc: Document, list: ListKey, name: string): void {
  const seq = doc.get(list)
  if (!isSeq(seq)) return
  for (let i = seq.items.length - 1; i >= 0; i--) if (entryName(seq.items[i]) === name) seq.delete(i)
}
