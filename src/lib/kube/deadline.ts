import {TimeoutError} from '../errors.js'
import {DIAGNOSE_LIMIT_MS} from './diagnose.js'

/**
 * The deadline policy of every command that talks to a cluster, decided here and nowhere else (README "Waits and
 * their bounds"):
 * 1. `--timeout` bounds the operation from its first request to its result: lib operations run inside
 *    withDeadline(options.timeoutMs, ...), commands never compute a deadline.
 * 2. A wait inside (readiness, rollout, "everything gone", a Terminating namespace) gets what is left of it,
 *    deadline.remainingMs(), so the wait runs out first and says what it was waiting for.
 * 3. After `--timeout` the hard stop leaves room only for what follows a wait that ran out or ended late
 *    (`endsWith`): the diagnosis it prints (diagnosisMs, the limit diagnose() keeps to, plus cleanupMs to print it
 *    and close), or local cleanup (cleanupMs: delete's kubeconfig contexts). Anything else stops at `--timeout`.
 * 4. A question to a person is not timed (untimed()); what runs after the operation's result (connect's forward
 *    until Ctrl-C, a command run by connect) is the job, not the operation, and is not bounded.
 */
export const DEADLINE_POLICY = {
  /** Used by lib callers that give no timeout (the flags give each command its own default). */
  defaultTimeoutMs: 300_000,
  diagnosisMs: DIAGNOSE_LIMIT_MS,
  cleanupMs: 5000,
} as const

export interface DeadlineOptions {
  /** What did not finish, for the message: `listing vClusters`, `delete of vCluster demo`. */
  what: string
  /** What to do next; the default suggests a longer --timeout. */
  hint?: string
  /**
   * What follows the operation's last wait, for which the hard stop leaves room: `diagnosis` (a readiness wait that
   * says why it ran out), `cleanup` (local work after the wait). None: the hard stop is `--timeout` itself.
   */
  endsWith?: 'diagnosis' | 'cleanup'
}

/**
 * A bound on a whole operation. The work races a timer; when the timer wins, the operation fails with a
 * TimeoutError (exit 6) and the CLI exits, which ends whatever was still in flight: a request retrying against an
 * API server that accepts connections but never answers, a credential plugin that never returns, one slow request
 * after another. Time spent waiting for a person (a confirmation prompt) is not counted: run it through untimed().
 */
export class Deadline {
  /** Time of the budget spent while the clock ran, up to the last stop. */
  private spentMs = 0
  private readonly graceMs: number
  private timer: NodeJS.Timeout | undefined
  private fire: (() => void) | undefined
  private started = 0

  constructor(
    readonly timeoutMs: number,
    private readonly options: DeadlineOptions,
  ) {
    this.graceMs = graceFor(options.endsWith)
  }

  /** What is left of --timeout now (never negative): what a wait inside the operation may take. */
  remainingMs(): number {
    const running = this.timer === undefined ? 0 : Date.now() - this.started
    return Math.max(0, this.timeoutMs - this.spentMs - running)
  }

  async run<T>(work: (deadline: Deadline) => Promise<T>): Promise<T> {
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
      return await Promise.race([work(this), expired])
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
    this.timer = setTimeout(this.fire, Math.max(0, this.timeoutMs + this.graceMs - this.spentMs))
  }

  private stop(): void {
    if (this.timer === undefined) return
    clearTimeout(this.timer)
    this.timer = undefined
    this.spentMs += Date.now() - this.started
  }
}

/**
 * withDeadline(ms, {what}, (deadline) => work): runs one operation under the policy above; an undefined timeout
 * is the policy's default. The work gets the Deadline to hand its waits deadline.remainingMs().
 */
export function withDeadline<T>(
  timeoutMs: number | undefined,
  options: DeadlineOptions,
  work: (deadline: Deadline) => Promise<T>,
): Promise<T> {
  return new Deadline(timeoutMs ?? DEADLINE_POLICY.defaultTimeoutMs, options).run(work)
}

/** The room after --timeout (rule 3 above). */
export function graceFor(endsWith: DeadlineOptions['endsWith']): number {
  if (endsWith === 'diagnosis') return DEADLINE_POLICY.diagnosisMs + DEADLINE_POLICY.cleanupMs
  return endsWith === 'cleanup' ? DEADLINE_POLICY.cleanupMs : 0
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000}m` : ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${ms}ms`
}
