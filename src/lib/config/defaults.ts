import {isPlainObject} from './set-values.js'

interface SchemaNode {
  default?: unknown
  type?: string | string[]
  properties?: Record<string, SchemaNode>
}

/**
 * Builds the default values document from the schema's `default` keywords, so the schema stays the one place
 * defaults are written. Objects without any defaulted leaf are left out.
 */
export function defaultsFromSchema(schema: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (child.default !== undefined) {
      out[key] = structuredClone(child.default)
    } else if (child.properties !== undefined) {
      const nested = defaultsFromSchema(child)
      if (Object.keys(nested).length > 0) out[key] = nested
    }
  }
  return out
}

/** Lists every leaf path of a values tree (maps descended, lists and scalars are leaves). */
export function leafPaths(values: Record<string, unknown>, prefix = ''): string[] {
  const paths: string[] = []
  for (const [key, value] of Object.entries(values)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (isPlainObject(value) && Object.keys(value).length > 0) paths.push(...leafPaths(value, path))
    else paths.push(path)
  }
  return paths
}
