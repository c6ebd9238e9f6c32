/** Upstream's context name for a vCluster: `vcluster_<name>_<namespace>_<host context>`. */
export function contextNameFor(name: string, namespace: string, hostContext: string): string {
  return `vcluster_${name}_${namespace}_${hostContext}`
}

export interface ParsedContextName {
  name: string
  namespace: string
  hostContext: string
}

/** Parses `vcluster_<name>_<ns>_<host...>`; the host context may itself contain underscores. */
export function parseContextName(context: string): ParsedContextName | undefined {
  const parts = context.split('_')
  if (parts[0] !== 'vcluster' || parts.length < 4) return undefined
  return {name: parts[1] as string, namespace: parts[2] as string, hostContext: parts.slice(3).join('_')}
}
