import {UnavailableError} from '../errors.js'
import type {KubeClient} from './client.js'

export interface KeepWatchingOptions {
  /** Called before each re-watch, with why the previous one ended (for --debug and progress). */
  onRewatch?: (reason: string) => void
}

/**
 * Watches until signal aborts, starting again whenever the stream ends: the API server closes watches after a
 * few minutes, and a restarting API server drops them. A watch without a resourceVersion begins with the current
 * objects, so handlers see the whole state again and nothing is missed. Only errors a retry cannot cure
 * (forbidden, not found, bad request) end it early.
 */
export async function keepWatching(client: KubeClient, path: string, query: Record<string, string>,
  onEvent: (type: string, object: unknown) => void, signal: AbortSignal, options: KeepWatchingOptions = {}): Promise<void> {
  for (let delay = 250; !signal.aborted; delay = Math.min(delay * 2, 4000)) {
    const started = Date.now()
    let reason = 'the API server closed the watch'
    try {
      await client.watch(path, query, onEvent, signal)
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error
      reason = error.message
    }
    if (signal.aborted) return
    // A watch that ran for a while was healthy: start the backoff again from the bottom.
    if (Date.now() - started > 30_000) delay = 250
    options.onRewatch?.(reason)
    await abortableSleep(delay, signal)
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
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
