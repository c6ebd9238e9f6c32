/**
 * Typed errors raised by lib code. Commands never print stack traces for these: the command base maps each kind
 * to one message format and one exit code (see EXIT_CODES and README "Exit codes").
 */
export type ErrorKind = 'usage' | 'invalid-config' | 'not-found' | 'conflict' | 'forbidden' | 'timeout' | 'unavailable'

export const EXIT_CODES: Record<ErrorKind | 'error' | 'interrupted', number> = {
  error: 1,
  usage: 2,
  'invalid-config': 2,
  'not-found': 3,
  conflict: 4,
  forbidden: 5,
  timeout: 6,
  unavailable: 7,
  interrupted: 130,
}

export class VClusterError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** What the user can do next; printed after the message. */
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'VClusterError'
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind]
  }
}

export class UsageError extends VClusterError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint)
  }
}

export class NotFoundError extends VClusterError {
  constructor(message: string, hint?: string) {
    super('not-found', message, hint)
  }
}

export class ConflictError extends VClusterError {
  constructor(message: string, hint?: string) {
    super('conflict', message, hint)
  }
}

export class ForbiddenError extends VClusterError {
  constructor(message: string, hint?: string) {
    super('forbidden', message, hint)
  }
}

export class TimeoutError extends VClusterError {
  constructor(message: string, hint?: string) {
    super('timeout', message, hint)
  }
}

export class UnavailableError extends VClusterError {
  constructor(message: string, hint?: string) {
    super('unavailable', message, hint)
  }
}

/** One problem found in a config source, positioned at the key it is about. */
export interface ConfigProblem {
  /** File name as the user gave it, `<stdin>`, or `--set`. */
  source: string
  line?: number
  col?: number
  /** Dotted key path, e.g. `controlPlane.proxy.extraSANs[0]`; empty for the document itself. */
  path: string
  message: string
  severity: 'error' | 'warning'
}

export class InvalidConfigError extends VClusterError {
  constructor(readonly problems: ConfigProblem[]) {
    const errors = problems.filter((p) => p.severity === 'error')
    super(
      'invalid-config',
      `${errors.length} problem${errors.length === 1 ? '' : 's'} in the vCluster config:\n${problems.map(formatProblem).join('\n')}`,
      'Fix the keys above and run `vcluster validate -f <file>` to check again.',
    )
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = [p.source, p.line, p.col].filter((x) => x !== undefined).join(':')
  const key = p.path === '' ? '' : `${p.path}: `
  const tag = p.severity === 'warning' ? 'warning: ' : ''
  return `${where}: ${tag}${key}${p.message}`
}
