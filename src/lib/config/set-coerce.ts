import {configSchema} from './schema/index.js'
import type {SetAssignment} from './set-values.js'

interface SchemaNode {
  type?: string | string[]
  properties?: Record<string, SchemaNode>
  additionalProperties?: boolean | SchemaNode
  items?: SchemaNode
  allOf?: SchemaNode[]
}

/** The schema node at a --set path, following properties, map values and list items. */
export function schemaAt(
  path: readonly (string | number)[],
  root: SchemaNode = configSchema as SchemaNode,
): SchemaNode | undefined {
  let node: SchemaNode | undefined = root
  for (const step of path) {
    if (node === undefined) return undefined
    node = childOf(node, step)
  }
  return node
}

// Our refinements (allOf entries) may narrow map values or items beyond upstream's shape, e.g. node selectors.
function childOf(node: SchemaNode, step: string | number): SchemaNode | undefined {
  if (typeof step === 'number') return node.allOf?.find((part) => part.items !== undefined)?.items ?? node.items
  const additional =
    node.allOf?.find((part) => typeof part.additionalProperties === 'object')?.additionalProperties ??
    node.additionalProperties
  return node.properties?.[step] ?? (typeof additional === 'object' ? additional : undefined)
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
