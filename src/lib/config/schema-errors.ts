import type {ErrorObject} from 'ajv'
import type {ConfigProblem} from '../errors.js'
import {closestMatch} from './suggest.js'
import type {Position} from './yaml-source.js'

export type Locate = (path: string, part: 'key' | 'value') => Position | undefined

interface SchemaLike {
  type?: string | string[]
  const?: unknown
  enum?: unknown[]
  properties?: Record<string, unknown>
  anyOf?: SchemaLike[]
  oneOf?: SchemaLike[]
  deprecated?: boolean
}

/** `/controlPlane/proxy/extraSANs/0` → `controlPlane.proxy.extraSANs[0]`. */
export function pointerToPath(pointer: string): string {
  let path = ''
  for (const raw of pointer.split('/').slice(1)) {
    const step = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    path = /^\d+$/.test(step) ? `${path}[${step}]` : path === '' ? step : `${path}.${step}`
  }
  return path
}

/**
 * Turns ajv's errors into one problem per mistake: branch errors under an anyOf/oneOf are folded into one
 * "must be one of" message, unknown keys get a did-you-mean, enums list their allowed values.
 */
/** Follows a JSON pointer (`#/properties/a/anyOf` or `/a/0`) into a document. */
export function atPointer(doc: unknown, pointer: string): unknown {
  let node = doc
  for (const raw of pointer.replace(/^#/, '').split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[decodeURIComponent(raw.replaceAll('~1', '/').replaceAll('~0', '~'))]
  }
  return node
}

/** The schema node an error is about, and the value it found: what ajv's `verbose` would add, without its cost. */
function enrich(error: ErrorObject, schema: unknown, values: unknown): ErrorObject {
  const schemaNode = atPointer(schema, error.schemaPath)
  const parent = atPointer(schema, error.schemaPath.slice(0, error.schemaPath.lastIndexOf('/')))
  return {
    ...error,
    schema: schemaNode,
    parentSchema: parent as ErrorObject['parentSchema'],
    data: atPointer(values, error.instancePath),
  }
}

export function schemaProblems(
  rawErrors: readonly ErrorObject[],
  locate: Locate,
  schema: unknown,
  values: unknown,
): ConfigProblem[] {
  const errors = rawErrors.map((e) => enrich(e, schema, values))
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
  const inUnion = (e: ErrorObject) => unions.some((u) => u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`))
  // A refinement (an allOf entry, see schema/helpers.ts) repeats what the base schema already said about a value.
  const refinement = (e: ErrorObject) => /\/allOf\/\d+\//.test(e.schemaPath)
  const restates = (e: ErrorObject) =>
    refinement(e) && errors.some((o) => o !== e && !refinement(o) && o.instancePath === e.instancePath)
  const seen = new Set<string>()
  const problems: ConfigProblem[] = []
  for (const error of errors) {
    if (inUnion(error) || restates(error)) continue
    const problem = toProblem(error, locate)
    const id = `${problem.path}\u0000${problem.message}`
    if (seen.has(id)) continue
    seen.add(id)
    problems.push(problem)
  }
  return problems
}

function toProblem(error: ErrorObject, locate: Locate): ConfigProblem {
  const path = pointerToPath(error.instancePath)
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as {additionalProperty: string}).additionalProperty)
    const keyPath = path === '' ? key : `${path}.${key}`
    const allowed = Object.keys((error.parentSchema as SchemaLike | undefined)?.properties ?? {})
    return problemAt(locate, keyPath, 'key', unknownKeyMessage(key, allowed))
  }
  return problemAt(locate, path, 'value', describe(error))
}

function problemAt(locate: Locate, path: string, part: 'key' | 'value', message: string): ConfigProblem {
  const pos = locate(path, part)
  return {source: pos?.source ?? '<config>', line: pos?.line, col: pos?.col, path, message, severity: 'error'}
}

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closestMatch(key, allowed)
  if (suggestion !== undefined) return `unknown key "${key}"; did you mean \`${suggestion}\`?`
  if (allowed.length === 0) return `unknown key "${key}"; this section takes no keys`
  const list = allowed.length <= 12 ? allowed.join(', ') : `${allowed.slice(0, 12).join(', ')}, ...`
  return `unknown key "${key}"; allowed keys here: ${list}`
}

function describe(error: ErrorObject): string {
  const got = describeValue(error.data)
  switch (error.keyword) {
    case 'type':
      return `must be ${article(String((error.params as {type: string}).type))}, got ${got}`
    case 'enum':
      return `must be one of ${formatChoices((error.params as {allowedValues: unknown[]}).allowedValues)}, got ${got}`
    case 'const':
      return `must be ${JSON.stringify((error.params as {allowedValue: unknown}).allowedValue)}, got ${got}`
    case 'anyOf':
    case 'oneOf':
      return `must be ${unionChoices(error.schema as SchemaLike[])}, got ${got}`
    case 'pattern':
      return `must match ${(error.params as {pattern: string}).pattern}, got ${got}`
    default:
      return `${error.message ?? 'is invalid'}, got ${got}`
  }
}

function unionChoices(branches: readonly SchemaLike[]): string {
  const parts = branches.map((b) => {
    if (b.const !== undefined) return JSON.stringify(b.const)
    if (b.enum !== undefined) return b.enum.map((v) => JSON.stringify(v)).join(', ')
    const type = Array.isArray(b.type) ? b.type.join(' or ') : b.type
    return type === undefined ? 'a valid value' : article(type)
  })
  return parts.length <= 2 ? parts.join(' or ') : `one of ${parts.join(', ')}`
}

function formatChoices(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ')
}

function article(type: string): string {
  const names: Record<string, string> = {object: 'a mapping', array: 'a list', null: 'null'}
  if (names[type] !== undefined) return names[type]
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`
  return `${typeof value === 'number' && Number.isInteger(value) ? 'the number' : `the ${typeof value}`} ${String(value)}`
}
