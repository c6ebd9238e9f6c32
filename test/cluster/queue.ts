// A per-key work queue, as a controller's: a key added while queued is queued once; a key is never handled twice at
// once (added again while running, it runs once more afterwards); a failed key is retried with back-off (1 s
// doubling to 30 s) without holding up the others. Nothing runs while nothing is added.

const RETRY_BASE_MS = 1000
const RETRY_MAX_MS = 30_000

export class WorkQueue {
  private readonly queued = new Set<string>()
  private readonly running = new Set<string>()
  private readonly again = new Set<string>()
  private readonly failures = new Map<string, number>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly idle = new Set<() => void>()
  private active = 0
  private stopped = false
  private paused = true

  constructor(
    private readonly handle: (key: string) => Promise<void>,
    private readonly log: (m: string) => void,
    private readonly workers = 4,
  ) {}

  add(key: string): void {
    if (this.stopped) return
    if (this.running.has(key)) {
      this.again.add(key)
      return
    }
    this.queued.add(key)
    this.pump()
  }

  /** Starts handling keys (added before: queued until then, e.g. while the caches fill). */
  resume(): void {
    this.paused = false
    this.pump()
  }

  /** Adds key after ms (a retry, or a wait the handler asked for); an earlier pending add of it is kept. */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return
    const t = setTimeout(() => {
      this.timers.delete(key)
      this.add(key)
    }, ms)
    this.timers.set(key, t)
  }

  /** Stops taking work; resolves when the running handlers have finished. */
  async stop(): Promise<void> {
    this.stopped = true
    this.queued.clear()
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    if (this.active > 0) await new Promise<void>((resolve) => this.idle.add(resolve))
  }

  private pump(): void {
    while (this.active < this.workers && this.queued.size > 0 && !this.stopped && !this.paused) {
      const key = this.queued.values().next().value as string
      this.queued.delete(key)
      this.running.add(key)
      this.active++
      void this.run(key)
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.handle(key)
      this.failures.delete(key)
    } catch (error) {
      const n = (this.failures.get(key) ?? 0) + 1
      this.failures.set(key, n)
      const delay = Math.min(RETRY_BASE_MS * 2 ** (n - 1), RETRY_MAX_MS)
      const why = (error as {body?: string}).body ?? (error as Error).message
      this.log(`${key}: ${String(why).slice(0, 300)} (retry ${n} in ${delay / 1000} s)`)
      this.addAfter(key, delay)
    }
    this.running.delete(key)
    this.active--
    if (this.again.delete(key)) this.queued.add(key)
    if (this.active === 0 && (this.stopped || this.queued.size === 0)) {
      for (const resolve of this.idle) resolve()
      this.idle.clear()
    }
    this.pump()
  }
}
