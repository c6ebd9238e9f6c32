import {UnavailableError} from '../errors.js'
import type {KubeClient} from './client.js'

/** How long one watch request runs before the server ends it and we open the next. */
const WATCH_SECONDS = 60

export interface KeepWatchingOptions {
  /** Called before a re-watch after a fault, with what went wrong (for progress). */
  onRewatch?: (reason: string) => void
  /** Length of one watch request (default WATCH_SECONDS). */
  watchSeconds?: number
}

/**
 * Watches until signal aborts, starting again whenever the stream ends: the API server closes watches after a
 * few minutes, and a restarting API server drops them. A watch without a resourceVersion begins with the current
 * objects, so handlers see the whole state again and nothing is missed. Only errors a retry cannot cure
 * (forbidden, not found, bad request) end it early.
 */
export async function keepWatching(
  client: KubeClient,
  path: string,
  query: Record<string, string>,
  onEvent: (type: string, object: unknown) => void,
  signal: AbortSignal,
  options: KeepWatchingOptions = {},
): Promise<void> {
  const seconds = options.watchSeconds ?? WATCH_SECONDS
  for (let delay = 250; !signal.aborted; delay = Math.min(delay * 2, 4000)) {
    const started = Date.now()
    // Undefined when the server ended the watch as asked: that is routine, not worth a word.
    let reason: string | undefined
    // The server ends each watch after WATCH_SECONDS; if it goes silent instead (a half-open connection after a
    // network fault), we end it ourselves a little later, so a lost connection costs at most that long.
    const attempt = new AbortController()
    const abortAttempt = () => attempt.abort()
    signal.addEventListener('abort', abortAttempt, {once: true})
    const stall = setTimeout(
      () => {
        reason = 'the watch went silent'
        // The code tells the transport its connection may be dead (half-open), not just this watch: start afresh.
        attempt.abort(Object.assign(new Error(reason), {code: 'ESTALLED'}))
      },
      (seconds + Math.min(15, seconds)) * 1000,
    )
    try {
      await client.watch(path, {...query, timeoutSeconds: String(seconds)}, onEvent, attempt.signal)
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error
      reason = error.message
    } finally {
      clearTimeout(stall)
      signal.removeEventListener('abort', abortAttempt)
    }
    if (signal.aborted) return
    // A watch that ran for a while was healthy: start the backoff again from the bottom.
    if (Date.now() - started > 30_000) delay = 250
    if (reason !== undefined) options.onRewatch?.(reason)
    await abortableSleep(delay, signal)
  }
}

/** Waits ms, or less when the signal aborts (never rejects). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
