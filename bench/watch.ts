/**
 * When things happen on the bench cluster, seen from outside the CLIs: `kubectl get -w` as the admin (its requests
 * are not the bench user's, so they are not counted), each output line stamped with the time it arrived.
 */
import {spawn} from 'node:child_process'

export interface Watch {
  /** Resolves with the arrival time (Date.now()) of the first line matching `test`. */
  until(test: (line: string) => boolean, timeoutMs?: number): Promise<number>
  stop(): void
}

/**
 * Starts `kubectl get ARGS -w` and resolves once its watch request is open (`-v=6` logs it), so nothing that
 * happens afterwards is missed; an empty list prints nothing to tell by.
 */
export async function watchLines(kubeconfig: string, args: string[]): Promise<Watch> {
  const child = spawn('kubectl', ['get', ...args, '-w', '-v=6'], {
    env: {...process.env, KUBECONFIG: kubeconfig},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: {at: number; line: string}[] = []
  const waiters = new Set<() => void>()
  let buffered = ''
  let listed: () => void = () => {}
  const started = new Promise<void>((resolve) => (listed = resolve))
  child.stdout.on('data', (d: Buffer) => {
    const at = Date.now()
    buffered += d.toString()
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    for (const line of parts) lines.push({at, line})
    for (const w of waiters) w()
  })
  let log = ''
  child.stderr.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000)
    if (log.includes('watch=true')) listed()
  })
  let exited = false
  child.on('exit', () => {
    exited = true
    listed()
  })
  await started
  if (exited) throw new Error(`kubectl get ${args.join(' ')} -w ended before it watched:\n${log}`)
  return {
    until(test, timeoutMs = 300_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find((l) => test(l.line))
          if (!hit) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(hit.at)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`kubectl get ${args.join(' ')} -w: nothing matched within ${timeoutMs / 1000} s`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    stop: () => void child.kill(),
  }
}
