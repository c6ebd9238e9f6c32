/**
 * Structural comparison of two JSON Schemas of vcluster.yaml: which property paths each accepts, with which JSON
 * types and enum values. Used to hold our generated schema equal to the pinned release's `values.schema.json`, and
 * to report what a candidate release changes (`npm run upstream:diff`).
 *
 * Both schemas are first reduced to a "shape" tree: `$ref`/`$defs` resolved, `anyOf`/`oneOf` branches unioned,
 * `properties`, `additionalProperties`/`patternProperties` (a map's values, path `a.*`) and `items` (path `a[]`)
 * followed. Descriptions, defaults, `required`, `pattern`, `format`, `minLength`, `not` and the like are not
 * compared: this is about what keys exist and what kind of value each takes.
 *
 * Our own schema puts every constraint stricter than upstream's into an `allOf` entry whose `$comment` starts with
 * REFINEMENT_MARK. Those entries are left out of the shape (so they do not count as differences) and listed by
 * `refinements()`, so the documented "stricter than upstream" list can be checked against them.
 */

/** `$comment` prefix of an `allOf` entry that holds one of our refinements; the rest of the comment is its id. */
export const REFINEMENT_MARK = 'refines upstream: '

export type DiffKind = 'added' | 'removed' | 'type' | 'enum'

/** One difference: `added` is in `next` only, `removed` in `base` only; `base`/`next` describe each side. */
export interface SchemaDifference {
  path: string
  kind: DiffKind
  base?: string
  next?: string
}

type Json = unknown
type JsonObject = Record<string, Json>

/** What a schema node accepts, reduced to what is compared. */
export interface Shape {
  /** JSON type -> its allowed values (JSON-encoded, sorted) when restricted by an enum; `any` when unconstrained. */
  types: Map<string, string[] | undefined>
  props: Map<string, Shape>
  /** Values of keys not in `props`: a shape, or null when the object is closed. */
  extra: Shape | null
  items: Shape | undefined
}

const ANY_TYPE = 'any'

function anyShape(): Shape {
  return {types: new Map([[ANY_TYPE, undefined]]), props: new Map(), extra: null, items: undefined}
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isAny(shape: Shape): boolean {
  return shape.types.has(ANY_TYPE)
}

/** An object shape that says nothing about its keys (a free-form map). */
function isFreeObject(shape: Shape): boolean {
  return shape.props.size === 0 && shape.extra !== null && isAny(shape.extra)
}

function valueType(value: Json): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** The ref target of `#/$defs/Name` (or `#/definitions/Name`) in the document root. */
function resolveRef(root: JsonObject, ref: string): JsonObject {
  const parts = ref
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  let node: Json = root
  for (const part of parts) node = isObject(node) ? node[part] : undefined
  if (!ref.startsWith('#/') || !isObject(node)) throw new Error(`cannot resolve $ref ${ref}`)
  return node
}

function declaredTypes(schema: JsonObject): string[] | undefined {
  const type = schema.type
  if (typeof type === 'string') return [type]
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string')
  return undefined
}

/** Types and enums of one node, without its combinators. */
function ownTypes(schema: JsonObject): Map<string, string[] | undefined> | undefined {
  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : undefined
  let types = declaredTypes(schema)
  if (types === undefined && values !== undefined) types = [...new Set(values.map(valueType))]
  if (types === undefined) {
    if (isObject(schema.properties) || 'additionalProperties' in schema || isObject(schema.patternProperties))
      types = ['object']
    else if ('items' in schema) types = ['array']
    else return undefined
  }
  const out = new Map<string, string[] | undefined>()
  for (const type of types) {
    const own = values?.filter((v) => valueType(v) === type || (type === 'number' && valueType(v) === 'integer'))
    out.set(type, own === undefined ? undefined : own.map((v) => JSON.stringify(v)).sort())
  }
  return out
}

/** Reduces a schema node to its shape; `stack` holds the refs being expanded, so a recursive schema ends. */
export function shapeOf(schema: Json, root: JsonObject, stack: readonly string[] = []): Shape {
  if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) return anyShape()
  if (!isObject(schema)) return {types: new Map(), props: new Map(), extra: null, items: undefined}
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref
    const {$ref: _, ...siblings} = schema
    if (stack.includes(ref)) return {...anyShape(), types: ownTypes(resolveRef(root, ref)) ?? anyShape().types}
    return shapeOf({...resolveRef(root, ref), ...siblings}, root, [...stack, ref])
  }
  const branches = [...asList(schema.anyOf), ...asList(schema.oneOf)]
  let shape = ownShape(schema, root, stack)
  if (branches.length > 0) {
    const union = branches.map((b) => shapeOf(b, root, stack)).reduce(unionShapes)
    shape = hasOwnConstraints(schema) ? intersectShapes(union, shape) : union
  }
  for (const part of asList(schema.allOf)) {
    if (refinementId(part) === undefined) shape = intersectShapes(shape, shapeOf(part, root, stack))
  }
  return shape
}

function refinementId(schema: Json): string | undefined {
  const comment = isObject(schema) ? schema.$comment : undefined
  return typeof comment === 'string' && comment.startsWith(REFINEMENT_MARK)
    ? comment.slice(REFINEMENT_MARK.length)
    : undefined
}

function asList(value: Json): Json[] {
  return Array.isArray(value) ? value : []
}

function hasOwnConstraints(schema: JsonObject): boolean {
  return ['type', 'enum', 'const', 'properties', 'additionalProperties', 'patternProperties', 'items'].some(
    (k) => k in schema,
  )
}

function ownShape(schema: JsonObject, root: JsonObject, stack: readonly string[]): Shape {
  const types = ownTypes(schema)
  if (types === undefined) return anyShape()
  const shape: Shape = {types, props: new Map(), extra: null, items: undefined}
  if (types.has('object')) {
    for (const [key, child] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
      shape.props.set(key, shapeOf(child, root, stack))
    }
    shape.extra = extraOf(schema, root, stack)
  }
  if (types.has('array')) shape.items = 'items' in schema ? shapeOf(schema.items, root, stack) : anyShape()
  return shape
}

/** Values of other keys: from additionalProperties and patternProperties; open (any) when neither says. */
function extraOf(schema: JsonObject, root: JsonObject, stack: readonly string[]): Shape | null {
  const patterns = Object.values(isObject(schema.patternProperties) ? schema.patternProperties : {})
  const additional = schema.additionalProperties
  const shapes = patterns.map((p) => shapeOf(p, root, stack))
  if (additional === false) return shapes.length === 0 ? null : shapes.reduce(unionShapes)
  if (additional !== undefined) shapes.push(shapeOf(additional, root, stack))
  else if (shapes.length === 0) return anyShape()
  return shapes.reduce(unionShapes)
}

/** What either of two shapes accepts (anyOf/oneOf). */
export function unionShapes(a: Shape, b: Shape): Shape {
  if (isAny(a) || isAny(b)) return anyShape()
  const types = new Map(a.types)
  for (const [type, values] of b.types) {
    if (!types.has(type)) types.set(type, values)
    else {
      const mine = types.get(type)
      types.set(
        type,
        mine === undefined || values === undefined ? undefined : [...new Set([...mine, ...values])].sort(),
      )
    }
  }
  const props = new Map(a.props)
  for (const [key, shape] of b.props)
    props.set(key, props.has(key) ? unionShapes(props.get(key) as Shape, shape) : shape)
  const extra = a.extra === null ? b.extra : b.extra === null ? a.extra : unionShapes(a.extra, b.extra)
  const items = a.items === undefined ? b.items : b.items === undefined ? a.items : unionShapes(a.items, b.items)
  return {types, props, extra, items}
}

/**
 * A node's own keywords next to its anyOf (both apply). Only the case schemas use is handled exactly: one side
 * free-form, the other describing the structure (upstream's `plugins`); otherwise the node's own keywords win.
 */
function intersectShapes(union: Shape, own: Shape): Shape {
  if (isAny(union)) return own
  if (isAny(own)) return union
  const types = new Map([...union.types].filter(([t]) => own.types.has(t)))
  for (const [type, values] of own.types) if (types.has(type) && values !== undefined) types.set(type, values)
  const structure = isFreeObject(union) ? own : isFreeObject(own) ? union : own
  return {types, props: structure.props, extra: structure.extra, items: own.items ?? union.items}
}

/** A short description of a shape for reports: its types with their enum values. */
export function describeShape(shape: Shape): string {
  return [...shape.types]
    .map(([type, values]) => (values === undefined ? type : `${type}(${values.join('|')})`))
    .sort()
    .join('|')
}

function typeNames(shape: Shape): string {
  return [...shape.types.keys()].sort().join('|')
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/** Compares two shapes; an added or removed subtree is reported once, at its top. */
export function diffShapes(base: Shape, next: Shape, path = ''): SchemaDifference[] {
  if (typeNames(base) !== typeNames(next))
    return [{path, kind: 'type', base: describeShape(base), next: describeShape(next)}]
  const out: SchemaDifference[] = []
  if (describeShape(base) !== describeShape(next))
    out.push({path, kind: 'enum', base: describeShape(base), next: describeShape(next)})
  for (const [key, shape] of base.props) {
    const other = next.props.get(key)
    if (other === undefined) out.push({path: join(path, key), kind: 'removed', base: describeShape(shape)})
    else out.push(...diffShapes(shape, other, join(path, key)))
  }
  for (const [key, shape] of next.props) {
    if (!base.props.has(key)) out.push({path: join(path, key), kind: 'added', next: describeShape(shape)})
  }
  const star = join(path, '*')
  if (base.extra !== null && next.extra !== null) out.push(...diffShapes(base.extra, next.extra, star))
  else if (base.extra !== null) out.push({path: star, kind: 'removed', base: describeShape(base.extra)})
  else if (next.extra !== null) out.push({path: star, kind: 'added', next: describeShape(next.extra)})
  if (base.items !== undefined && next.items !== undefined) out.push(...diffShapes(base.items, next.items, `${path}[]`))
  return out
}

/** Every difference in property paths, types and enums between two schema documents. */
export function schemaDifferences(base: Json, next: Json): SchemaDifference[] {
  if (!isObject(base) || !isObject(next)) throw new Error('a schema document must be a JSON object')
  return diffShapes(shapeOf(base, base), shapeOf(next, next))
}

export interface Refinement {
  path: string
  id: string
}

/** Every marked refinement (see REFINEMENT_MARK) of a schema document, with the path it applies to. */
export function refinements(schema: Json, path = ''): Refinement[] {
  if (!isObject(schema)) return []
  const out: Refinement[] = []
  for (const part of asList(schema.allOf)) {
    const id = refinementId(part)
    if (id !== undefined) out.push({path, id})
    else out.push(...refinements(part, path))
  }
  for (const branch of [...asList(schema.anyOf), ...asList(schema.oneOf)]) out.push(...refinements(branch, path))
  for (const [key, child] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
    out.push(...refinements(child, join(path, key)))
  }
  if (isObject(schema.additionalProperties)) out.push(...refinements(schema.additionalProperties, join(path, '*')))
  if ('items' in schema) out.push(...refinements(schema.items, `${path}[]`))
  return out
}

/** How many differences of each kind. */
export function countByKind(diffs: readonly SchemaDifference[]): Record<DiffKind, number> {
  const counts: Record<DiffKind, number> = {added: 0, removed: 0, type: 0, enum: 0}
  for (const diff of diffs) counts[diff.kind]++
  return counts
}

/** One line per difference, e.g. `removed  privateNodes.daemon  (release: object)`. */
export function formatDifferences(diffs: readonly SchemaDifference[], labels = {base: 'base', next: 'next'}): string {
  const width = Math.max(0, ...diffs.map((d) => d.path.length))
  return diffs
    .map((d) => {
      const sides = [
        d.base === undefined ? '' : `${labels.base}: ${d.base}`,
        d.next === undefined ? '' : `${labels.next}: ${d.next}`,
      ]
      return `${d.kind.padEnd(7)}  ${(d.path === '' ? '(root)' : d.path).padEnd(width)}  (${sides.filter((s) => s !== '').join('; ')})`
    })
    .join('\n')
}
