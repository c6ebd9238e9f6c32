import {TimeoutError} from '../errors.js'

export interface DeadlineOptions {
  /** What did not finish, for the message: `listing vClusters`, `delete of vCluster demo`. */
  what: string
  /** What to do next; the default suggests a longer --timeout. */
  hint?: string
  /**
   * Extra time after timeoutMs before the deadline fires. Commands whose inner wait already times out at
   * timeoutMs (with a diagnosis, which itself takes up to DIAGNOSE_LIMIT_MS) give it this room to say why.
   */
  graceMs?: number
}

/**
 * A bound on a whole command. The work races a timer; when the timer wins, the command fails with a TimeoutError
 * (exit 6) and the CLI exits, which ends whatever was still in flight: a request retrying against an API server
 * that accepts connections but never answers, a credential plugin that never returns, one slow request after
 * another. Time spent waiting for a person (a confirmation prompt) is not counted: run it through untimed().
 */
export class Deadline {
  private remainingMs: number
  private timer: NodeJS.Timeout | undefined
  private fire: (() => void) | undefined
  private started = 0

  constructor(
    readonly timeoutMs: number,
    private readonly options: DeadlineOptions,
  ) {
    this.remainingMs = timeoutMs + (options.graceMs ?? 0)
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const expired = new Promise<never>((_resolve, reject) => {
      this.fire = () =>
        reject(
          new TimeoutError(
            `${this.options.what} did not finish within ${formatMs(this.timeoutMs)}`,
            this.options.hint ??
              'The host API server may be slow or unreachable; check it (kubectl get --raw /readyz), or allow more time with --timeout.',
          ),
        )
    })
    this.start()
    try {
      return await Promise.race([work(), expired])
    } finally {
      this.stop()
    }
  }

  /** Runs fn with the clock stopped (a question to a person must not time out the command). */
  async untimed<T>(fn: () => Promise<T>): Promise<T> {
    this.stop()
    try {
      return await fn()
    } finally {
      this.start()
    }
  }

  private start(): void {
    if (this.fire === undefined || this.timer !== undefined) return
    this.started = Date.now()
    this.timer = setTimeout(this.fire, Math.max(0, this.remainingMs))
  }

  private stop(): void {
    if (this.timer === undefined) return
    clearTimeout(this.timer)
    this.timer = undefined
    this.remainingMs -= Date.now() - this.started
  }
}

/** withDeadline(ms, {what}, work): a Deadline for one piece of work that needs no untimed part. */
export function withDeadline<T>(timeoutMs: number, options: DeadlineOptions, work: () => Promise<T>): Promise<T> {
  return new Deadline(timeoutMs, options).run(work)
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000}m` : ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${ms}ms`
}
