/**
 * Start-up rules of the release about namespace sync (pkg/util/namespaces ValidateNamespaceSyncConfig): mappings
 * are required, unique on both sides, exact names map to exact names and `prefix*` patterns to patterns, with at
 * most one `${name}` placeholder. Whether a host namespace is the control plane's own needs that namespace; the
 * start-up parse does not know it (it passes none), so neither does `validate`.
 */
import {isNamespaceName} from './rules-k8s.js'
import {bool, count, entries, type RuleContext} from './rules-util.js'

const BY_NAME = 'sync.toHost.namespaces.mappings.byName'
const PLACEHOLDER = '${name}'

export function checkNamespaceSync(ctx: RuleContext): void {
  const {values, report, name} = ctx
  if (!bool(values, 'sync.toHost.namespaces.enabled')) return
  const mappings = entries(values, BY_NAME)
  if (mappings.length === 0) {
    report(
      'sync.toHost.namespaces.enabled',
      `namespace sync needs ${BY_NAME}, e.g. {"team-*": "vc-team-*"} or {"default": "\${name}-default"}`,
      'error',
      'value',
    )
    return
  }
  const hosts = new Set<string>()
  for (const {key, value, path} of mappings) {
    const host = typeof value === 'string' ? value : ''
    const problem = hosts.has(host) ? `the host namespace "${host}" is mapped twice` : mappingProblem(key, host, name)
    hosts.add(host)
    if (problem !== undefined)
      report(path, `${problem}; map exact names to exact names and prefix* patterns to prefix* patterns`)
  }
}

export function mappingProblem(virtual: string, host: string, name: string): string | undefined {
  const virtualPattern = virtual.includes('*')
  if (virtualPattern !== host.includes('*')) return `"${virtual}": "${host}" maps a pattern to an exact name`
  const check = virtualPattern ? patternProblem : exactProblem
  const problem = check(virtual, name, 'virtual namespace') ?? check(host, name, 'host namespace')
  if (problem !== undefined) return problem
  if (virtualPattern && host === '*') return 'the host pattern needs a prefix before the *'
  return undefined
}

function exactProblem(ns: string, name: string, what: string): string | undefined {
  if (ns === '') return `the ${what} is empty`
  const placeholder = placeholderProblem(ns, name, what)
  if (placeholder !== undefined) return placeholder
  return isNamespaceName(ns.replaceAll(PLACEHOLDER, name)) ? undefined : `the ${what} "${ns}" is not a namespace name`
}

function patternProblem(pattern: string, name: string, what: string): string | undefined {
  if (count(pattern, '*') !== 1) return `the ${what} pattern "${pattern}" must hold exactly one *`
  if (!pattern.endsWith('*')) return `the ${what} pattern "${pattern}" must end with *`
  const prefix = pattern.slice(0, -1)
  const placeholder = placeholderProblem(prefix, name, `${what} pattern prefix`)
  if (placeholder !== undefined) return placeholder
  const literal = prefix.replaceAll(PLACEHOLDER, name)
  if (literal === '') return undefined
  if (Buffer.byteLength(literal) > 32) return `the ${what} pattern prefix "${prefix}" is longer than 32 characters`
  return isNamespaceName(literal, true)
    ? undefined
    : `the ${what} pattern "${pattern}" does not start like a namespace name`
}

function placeholderProblem(part: string, name: string, what: string): string | undefined {
  if (!part.includes(PLACEHOLDER)) {
    return part.includes('${') && part.includes('}')
      ? `the ${what} "${part}" holds a placeholder other than ${PLACEHOLDER}`
      : undefined
  }
  if (count(part, PLACEHOLDER) > 1) return `the ${what} "${part}" holds ${PLACEHOLDER} more than once`
  const replaced = part.replaceAll(PLACEHOLDER, name)
  return replaced.includes('${') && replaced.includes('}')
    ? `the ${what} "${part}" holds a placeholder other than ${PLACEHOLDER}`
    : undefined
}
