import {configSchema} from './schema/index.js'
import type {SetAssignment} from './set-values.js'

interface SchemaNode {
  type?: string | string[]
  properties?: Record<string, SchemaNode>
  additionalProperties?: boolean | SchemaNode
  items?: SchemaNode
}

/** The schema node at a --set path, following properties, map values and list items. */
export function schemaAt(path: readonly (string | number)[], root: SchemaNode = configSchema as SchemaNode): SchemaNode | undefined {
  let node: SchemaNode | undefined = root
  for (const step of path) {
    if (node === undefined) return undefined
    if (typeof step === 'number') node = node.items
    else node = node.properties?.[step] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined)
  }
  return node
}

/**
 * `--set labels.team=3` would make a number where only strings are allowed (a label value); Helm users reach for
 * --set-string then. We keep the text as a string wherever the schema accepts only strings, list items included.
 */
export function coerceToSchema(assignment: SetAssignment): SetAssignment {
  const node = schemaAt(assignment.path)
  const value = assignment.value
  if (Array.isArray(value)) {
    const item = node?.items
    return item !== undefined && onlyString(item) ? {...assignment, value: value.map(asText)} : assignment
  }
  if (node !== undefined && onlyString(node) && (typeof value === 'number' || typeof value === 'boolean')) {
    return {...assignment, value: String(value)}
  }
  return assignment
}

const onlyString = (node: SchemaNode) => node.type === 'string'
const asText = (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v)
