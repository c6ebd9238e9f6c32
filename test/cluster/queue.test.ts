import {afterEach, describe, expect, it, vi} from 'vitest'
import {namespaceMode, REAL_NAMESPACE_LABEL} from './mode.js'
import {WorkQueue} from './queue.js'

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('the watcher work queue', () => {
  afterEach(() => vi.useRealTimers())

  it('runs nothing until resumed, then each queued key once', async () => {
    const seen: string[] = []
    const q = new WorkQueue(
      async (k) => void seen.push(k),
      () => {},
    )
    for (const k of ['a', 'b', 'a', 'a']) q.add(k)
    await tick()
    expect(seen).toEqual([])
    q.resume()
    await tick()
    expect(seen.sort()).toEqual(['a', 'b'])
  })

  it('never runs a key twice at once; added while running, it runs once more afterwards', async () => {
    let running = 0
    let most = 0
    let runs = 0
    let release: () => void = () => {}
    const q = new WorkQueue(
      async () => {
        running++
        runs++
        most = Math.max(most, running)
        await new Promise<void>((r) => (release = r))
        running--
      },
      () => {},
    )
    q.resume()
    q.add('k')
    await tick()
    q.add('k')
    q.add('k')
    await tick()
    expect(runs).toBe(1)
    release()
    await tick()
    expect(runs).toBe(2)
    release()
    await tick()
    expect(runs).toBe(2)
    expect(most).toBe(1)
  })

  it('retries a failed key alone with back-off, and the others go on', async () => {
    vi.useFakeTimers({toFake: ['setTimeout']})
    const seen: string[] = []
    const logged: string[] = []
    let failures = 2
    const q = new WorkQueue(
      async (k) => {
        seen.push(k)
        if (k === 'bad' && failures-- > 0) throw new Error('boom')
      },
      (m) => logged.push(m),
    )
    q.resume()
    q.add('bad')
    q.add('good')
    await tick()
    expect(seen).toEqual(['bad', 'good'])
    expect(logged).toEqual(['bad: boom (retry 1 in 1 s)'])
    await vi.advanceTimersByTimeAsync(999)
    expect(seen).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(seen).toEqual(['bad', 'good', 'bad'])
    expect(logged[1]).toBe('bad: boom (retry 2 in 2 s)')
    await vi.advanceTimersByTimeAsync(2000)
    expect(seen).toEqual(['bad', 'good', 'bad', 'bad'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(seen).toHaveLength(4)
  })
})

describe('namespace mode', () => {
  it('is real unless the namespace says otherwise, or the daemon was started with another default', () => {
    expect(namespaceMode(undefined)).toBe('real')
    expect(namespaceMode({other: 'x'})).toBe('real')
    expect(namespaceMode({[REAL_NAMESPACE_LABEL]: 'true'}, 'standin')).toBe('real')
    expect(namespaceMode({[REAL_NAMESPACE_LABEL]: 'false'})).toBe('standin')
    expect(namespaceMode({[REAL_NAMESPACE_LABEL]: 'manual'})).toBe('manual')
    expect(namespaceMode({}, 'standin')).toBe('standin')
  })
})
