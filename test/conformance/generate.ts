/**
 * Configs generated from our schema (src/lib/config/schema, which has the release's paths, types and enums) for the
 * conformance tests: every property path with an arbitrary for values its schema accepts, including the strings a
 * YAML 1.1 reader takes for something else. Seeded; FC_SEED replays a run.
 */
import fc from 'fast-check'
import {configSchema} from '../../src/lib/config/schema/index.js'

export interface SchemaNode {
  type?: string | string[]
  properties?: Record<string, SchemaNode>
  additionalProperties?: boolean | SchemaNode
  items?: SchemaNode
  anyOf?: SchemaNode[]
  oneOf?: SchemaNode[]
  allOf?: SchemaNode[]
  enum?: unknown[]
  const?: unknown
  not?: unknown
  pattern?: string
  required?: string[]
  minimum?: number
  maximum?: number
  minLength?: number
  $comment?: string
}

export const SCHEMA = configSchema as unknown as SchemaNode

/**
 * The seed of this run, logged by the tests. Fixed by default, so `npm test` checks the same cases every time (a
 * verdict must not change between runs of the same commit); `FC_SEED=<n>` replays a run, `FC_SEED=random` explores
 * new cases (run it before a release bump, and turn what it finds into fixes).
 */
export const SEED = seedFrom(process.env.FC_SEED)

function seedFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 20261207
  if (value === 'random') return Date.now() % 2 ** 31
  const seed = Number(value)
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", not ${value}`)
  return seed
}

/** Strings a YAML 1.1 reader (helm's and the syncer's go-yaml v2) takes for booleans, numbers, null or a merge key. */
export const YAML11_TRAPS = [
  'yes',
  'No',
  'ON',
  'off',
  'y',
  'N',
  'True',
  '~',
  'null',
  '1_000',
  '0b101',
  '0o17',
  '017',
  '0x1F',
  '1:20',
  '1e3',
  '.5',
  '.inf',
  '2001-12-14',
  '<<',
  '=',
]
const PLAIN = [
  'a',
  'vc-1',
  'team-a',
  'example.com',
  'nginx:1.27',
  '10.0.0.0/8',
  '5Gi',
  'hello world',
  '',
  '100m',
  'ns/name',
  'https://vc.example.com',
]
const ODD = [
  'a: b',
  '#x',
  '- x',
  '*',
  '&a',
  '!t',
  '@',
  '`',
  '{a}',
  '[a]',
  'line\nbreak',
  "it's",
  'say "hi"',
  'é',
  ' lead',
  'trail ',
  '-1',
  '0',
]
export const STRINGS = [...PLAIN, ...YAML11_TRAPS, ...ODD]
export const KEYS = [
  'a',
  'team',
  'example.com/role',
  'app.kubernetes.io/name',
  'yes',
  'on',
  'y',
  'null',
  '1',
  'true',
  'a.b',
]

/** A node with its `$comment` refinements (allOf parts) folded in: their enum, pattern, items, etc. win. */
export function effective(node: SchemaNode): SchemaNode {
  if (node.allOf === undefined) return node
  const merged: SchemaNode = {...node}
  delete merged.allOf
  for (const part of node.allOf) Object.assign(merged, effective(part))
  return merged
}

/** A key upstream removed: its schema refuses any value. */
export const isRemoved = (node: SchemaNode): boolean => effective(node).not !== undefined

export interface SchemaPath {
  path: string[]
  node: SchemaNode
}

/** Every property path of the schema (through nested objects, not into lists or maps), removed keys left out. */
export function schemaPaths(root: SchemaNode = SCHEMA): SchemaPath[] {
  const out: SchemaPath[] = []
  const walk = (node: SchemaNode, path: string[]) => {
    if (isRemoved(node)) return
    if (path.length > 0) out.push({path, node})
    for (const [key, child] of Object.entries(effective(node).properties ?? {})) walk(child, [...path, key])
  }
  walk(root, [])
  return out
}

/** Paths whose node is a leaf: no properties of its own. */
export const leafPaths = (root: SchemaNode = SCHEMA): SchemaPath[] =>
  schemaPaths(root).filter((p) => effective(p.node).properties === undefined)

const typesOf = (node: SchemaNode): string[] =>
  node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type]

function stringArb(node: SchemaNode): fc.Arbitrary<string> {
  const min = node.minLength ?? 0
  if (node.pattern !== undefined) {
    const re = new RegExp(node.pattern)
    const fits = [...STRINGS, 'vc', 'a1', '1h', '30m', '2h30m'].filter((s) => re.test(s) && s.length >= min)
    return fits.length > 0 ? fc.constantFrom(...fits) : fc.constant('a')
  }
  return fc.constantFrom(...STRINGS.filter((s) => s.length >= min))
}

function numberArb(node: SchemaNode, integer: boolean): fc.Arbitrary<number> {
  const min = node.minimum ?? 0
  const max = node.maximum ?? Math.max(min + 3, 3)
  const small = fc.integer({min, max: Math.min(max, min + 3)})
  const wide = fc.integer({min, max: Math.min(max, min + 100_000)})
  const arb = fc.oneof({weight: 4, arbitrary: small}, {weight: 1, arbitrary: wide})
  return integer
    ? arb
    : fc.oneof(
        arb,
        arb.map((n) => Math.min(max, n + 0.5)),
      )
}

/** An arbitrary for values a schema node accepts; `depth` bounds nested objects and lists. */
export function valueArb(raw: SchemaNode, depth = 0): fc.Arbitrary<unknown> {
  const node = effective(raw)
  if (node.const !== undefined) return fc.constant(node.const)
  if (node.enum !== undefined) return fc.constantFrom(...node.enum)
  const branches = node.anyOf ?? node.oneOf
  if (branches !== undefined)
    return fc.oneof(...branches.map((b) => valueArb({...node, anyOf: undefined, oneOf: undefined, ...b}, depth)))
  const types = typesOf(node)
  if (types.length === 0) return anything(depth)
  return fc.oneof(...types.map((type) => typedArb(node, type, depth)))
}

function typedArb(node: SchemaNode, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'boolean':
      return fc.boolean()
    case 'integer':
      return numberArb(node, true)
    case 'number':
      return numberArb(node, false)
    case 'string':
      return stringArb(node)
    case 'null':
      return fc.constant(null)
    case 'array':
      return depth > 2 || node.items === undefined
        ? fc.constant([])
        : fc.array(valueArb(node.items, depth + 1), {maxLength: 2})
    default:
      return objectArb(node, depth)
  }
}

function objectArb(node: SchemaNode, depth: number): fc.Arbitrary<unknown> {
  const properties = Object.entries(node.properties ?? {}).filter(([, child]) => !isRemoved(child))
  if (properties.length > 0) {
    const required = new Set(node.required ?? [])
    const optional = properties.filter(([key]) => !required.has(key))
    const chosen = depth > 2 ? fc.constant([]) : fc.subarray(optional, {maxLength: Math.min(2, optional.length)})
    return chosen.chain((picked) => {
      const keys = [...properties.filter(([key]) => required.has(key)), ...picked]
      return fc.record(Object.fromEntries(keys.map(([key, child]) => [key, valueArb(child, depth + 1)])))
    })
  }
  const extra = node.additionalProperties
  if (typeof extra === 'object')
    return depth > 2
      ? fc.constant({})
      : fc.dictionary(fc.constantFrom(...KEYS), valueArb(extra, depth + 1), {maxKeys: 2})
  return depth > 2
    ? fc.constant({})
    : fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...STRINGS), {maxKeys: 2})
}

function anything(depth: number): fc.Arbitrary<unknown> {
  const scalar = fc.oneof(fc.constantFrom(...STRINGS), fc.boolean(), fc.integer({min: 0, max: 9}))
  return depth > 2 ? scalar : fc.oneof(scalar, fc.dictionary(fc.constantFrom(...KEYS), scalar, {maxKeys: 2}))
}

/** Sets a value at a path, creating maps on the way (a later path inside an earlier scalar replaces it). */
export function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target
  path.slice(0, -1).forEach((key) => {
    const next = node[key]
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {}
    node = node[key] as Record<string, unknown>
  })
  node[path.at(-1) as string] = value
}

/** A config of 1 to `max` schema paths, each with a value its schema accepts. */
export function configArb(paths: SchemaPath[] = schemaPaths(), max = 6): fc.Arbitrary<Record<string, unknown>> {
  const entry = fc.constantFrom(...paths).chain((p) => valueArb(p.node).map((value) => [p.path, value] as const))
  return fc.array(entry, {minLength: 1, maxLength: max}).map((entries) => {
    const config: Record<string, unknown> = {}
    for (const [path, value] of entries) setIn(config, path, structuredClone(value))
    return config
  })
}

/** Draws `count` values of an arbitrary, reproducibly from `seed`. */
export const draw = <T>(arb: fc.Arbitrary<T>, count: number, seed: number): T[] =>
  fc.sample(arb, {numRuns: count, seed})
