import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Scalar,
} from 'yaml'
import type {ConfigProblem} from '../errors.js'
import {parseSimpleYaml} from './fast-yaml.js'
import {firstNonFinite, goYamlTags, isNullKey} from './yaml-dialect.js'

/** Where a key (and its value) stand in a YAML source: 1-based line and column. */
export interface Position {
  source: string
  line: number
  col: number
}

export interface ParsedSource {
  source: string
  values: Record<string, unknown>
  /** Dotted path (`a.b[0].c`) to the position of its key, or of the item for list entries. */
  keyPositions: Map<string, Position>
  /** Dotted path to the position of its value. */
  valuePositions: Map<string, Position>
  problems: ConfigProblem[]
}

export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return parent === '' ? key : `${parent}.${key}`
}

/**
 * Parses one YAML source into plain values plus a map of key positions, so that every later problem (schema,
 * rules) can be reported as file:line:col. YAML 1.1 booleans (yes/no/on/off) are accepted because Helm and the
 * vCluster binary parse values with a YAML 1.1 parser.
 */
export function parseYamlSource(source: string, text: string): ParsedSource {
  return parseSimpleYaml(source, text) ?? parseYamlDocument(source, text)
}

/** The full parser: any YAML, every problem positioned. parseYamlSource takes it whenever the fast path declines. */
export function parseYamlDocument(source: string, text: string): ParsedSource {
  const lineCounter = new LineCounter()
  const result: ParsedSource = {source, values: {}, keyPositions: new Map(), valuePositions: new Map(), problems: []}
  const at = (offset: number | undefined): Position => {
    const {line, col} = lineCounter.linePos(offset ?? 0)
    return {source, line, col}
  }
  const problem = (offset: number | undefined, message: string, path = ''): void => {
    result.problems.push({...at(offset), path, message, severity: 'error'})
  }

  const docs = parseAllDocs(text, lineCounter)
  if (docs.length > 1) {
    problem(docs[1]?.range?.[0], `the file holds ${docs.length} YAML documents; a vcluster.yaml is one document`)
    return result
  }
  const doc = docs[0]
  if (doc === undefined || doc.contents === null || isEmptyScalar(doc.contents)) {
    problem(0, 'the file is empty; a vcluster.yaml is a mapping of keys such as `controlPlane:` and `sync:`')
    return result
  }
  for (const err of [...doc.errors]) problem(err.pos[0], describeYamlError(err.code, err.message))
  if (result.problems.length > 0) return result
  if (!isMap(doc.contents)) {
    problem(doc.contents.range?.[0], `expected a mapping of keys at the top level, found ${describeNode(doc.contents)}`)
    return result
  }
  for (const [offset, message] of structureProblems(doc)) problem(offset, message)
  if (result.problems.length > 0) return result
  keepKeysAsWritten(doc)
  collectPositions(doc.contents, '', result, at)
  try {
    result.values = doc.toJS({maxAliasCount: 100}) as Record<string, unknown>
    const nonFinite = firstNonFinite(result.values)
    if (nonFinite !== undefined) {
      const pos = result.valuePositions.get(nonFinite)
      result.problems.push({
        source,
        line: pos?.line,
        col: pos?.col,
        path: nonFinite,
        severity: 'error',
        message:
          'is .inf or .nan, which helm and vCluster refuse (values are read as JSON, which has neither); quote it for a string',
      })
    }
  } catch (error) {
    // yaml throws (not reports) on alias bombs, unresolved aliases and bad merge keys: position them at the alias.
    const message = (error as Error).message
    const alias = firstNode(doc, (n) => isAlias(n))
    const mergeKey = firstNode(doc, (n) => isScalar(n) && (n.source === '<<' || n.value === '<<'))
    if (/alias count/i.test(message))
      problem(alias, 'YAML aliases expand too far (more than 100 alias uses): refusing a possible alias bomb')
    else
      problem(
        /merge/i.test(message) ? mergeKey : /alias/i.test(message) ? alias : undefined,
        `YAML error: ${message.split('\n')[0] ?? message}`,
      )
  }
  return result
}

/** Deeper than any real vcluster.yaml; bounds the recursion in positions, merging and validation. */
const MAX_DEPTH = 64

/** Problems toJS would hide or crash on: duplicate or non-scalar keys, `__proto__` keys and excessive nesting. */
function structureProblems(doc: Document): [number | undefined, string][] {
  const out: [number | undefined, string][] = []
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>()
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue
        const text = keyText(pair.key)
        if (text === '<<') continue
        if (seen.has(text)) out.push([pair.key.range?.[0], `duplicate key: ${JSON.stringify(text)}`])
        seen.add(text)
      }
      return undefined
    },
    Pair(_, pair, path) {
      const key = pair.key as Node | null
      if (key !== null && !isScalar(key))
        out.push([key.range?.[0], `a key must be plain text, found ${describeNode(key)}`])
      else if (isScalar(key) && key.value === '__proto__')
        out.push([key.range?.[0], 'the key "__proto__" is not allowed'])
      else if (isScalar(key) && key.value === null && key.source !== undefined && isNullKey(key.source)) {
        out.push([
          key.range?.[0],
          `the key ${key.source} reads as null, which helm and vCluster refuse as a key; quote it ("${key.source}")`,
        ])
      }
      if (out.length > 0) return visit.BREAK
      // path holds the document plus, per level, a collection and (for maps) a pair.
      if (path.length > MAX_DEPTH * 2) {
        out.push([key?.range?.[0], `the document is nested more than ${MAX_DEPTH} levels deep`])
        return visit.BREAK
      }
      return undefined
    },
    Seq(_, seq, path) {
      if (path.length <= MAX_DEPTH * 2) return undefined
      out.push([seq.range?.[0], `the document is nested more than ${MAX_DEPTH} levels deep`])
      return visit.BREAK
    },
  })
  return out
}

function firstNode(doc: Document, test: (node: Node) => boolean): number | undefined {
  let offset: number | undefined
  visit(doc, (_, node) => {
    if (!test(node as Node)) return undefined
    offset = (node as Node).range?.[0]
    return visit.BREAK
  })
  return offset
}

function parseAllDocs(text: string, lineCounter: LineCounter) {
  // parseDocument reports a second document as an error; detect it ourselves to give a clearer message.
  // Duplicate keys are found by structureProblems: yaml's own check with a custom comparison is quadratic per map.
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: false,
    prettyErrors: false,
    version: '1.1',
    merge: true,
    customTags: goYamlTags,
  })
  const multi = doc.errors.find((e) => e.code === 'MULTIPLE_DOCS')
  if (multi === undefined) return [doc]
  return [doc, {range: [multi.pos[0]], contents: null, errors: []}] as unknown as (typeof doc)[]
}

/** Duplicate keys compare as written, matching keepKeysAsWritten. */
function keyText(key: Scalar): string {
  return key.source ?? String(key.value)
}

/** YAML 1.1 would turn keys such as `y` or `on` into booleans; a key in a vcluster.yaml is always its own text. */
function keepKeysAsWritten(doc: Document): void {
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value !== 'string')
        pair.key.value = pair.key.source ?? String(pair.key.value)
    },
  })
}

function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && (node.value === null || node.value === '')
}

function describeNode(node: Node): string {
  if (isSeq(node)) return 'a list'
  if (isScalar(node)) return node.value === null ? 'null' : `the ${typeof node.value} ${JSON.stringify(node.value)}`
  if (isMap(node)) return 'a mapping'
  return 'something else'
}

function describeYamlError(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message
  if (code === 'DUPLICATE_KEY')
    return `duplicate key: ${first.replace(/^Map keys must be unique;?\s*/i, '') || 'map keys must be unique'}`
  if (/call stack/i.test(first)) return 'YAML syntax error: the document is nested too deeply'
  return `YAML syntax error: ${first.replace(/ at line \d+, column \d+:?$/, '')}`
}

/** Walks the YAML tree recording where each key and value stands. Aliases resolve to their anchor's values. */
function collectPositions(
  node: unknown,
  path: string,
  out: ParsedSource,
  at: (offset: number | undefined) => Position,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const keyNode = pair.key as Node | null
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode)
      const childPath = joinPath(path, key)
      const valueNode = pair.value as Node | null
      out.keyPositions.set(childPath, at(keyNode?.range?.[0]))
      out.valuePositions.set(childPath, at(valueNode?.range?.[0] ?? keyNode?.range?.[0]))
      collectPositions(valueNode, childPath, out, at)
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const childPath = joinPath(path, i)
      const itemNode = item as Node | null
      out.keyPositions.set(childPath, at(itemNode?.range?.[0]))
      out.valuePositions.set(childPath, at(itemNode?.range?.[0]))
      collectPositions(itemNode, childPath, out, at)
    })
  }
}
