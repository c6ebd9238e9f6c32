// The port-forward's streams opened ahead (forward-spare.ts), against a fake opener: who gets a spare's events, when
// the next one is opened, and which spares are dropped instead of used.
import {describe, expect, it} from 'vitest'
import {SpareStreams} from '../../../src/lib/kube/forward-spare.js'
import type {ForwardStream, StreamHandlers} from '../../../src/lib/kube/forward-stream.js'

interface Opened {
  handlers: StreamHandlers
  closed: boolean
  stream: ForwardStream
}

/** An opener that records each stream it opens; `fail` makes the next one reject. */
function opener() {
  const opened: Opened[] = []
  let fail = false
  const open = async (handlers: StreamHandlers): Promise<ForwardStream> => {
    if (fail) {
      fail = false
      throw new Error('the API server answered 404')
    }
    const entry: Opened = {handlers, closed: false, stream: undefined as never}
    entry.stream = {send: () => true, resume: () => {}, end: () => {}, close: () => (entry.closed = true)}
    opened.push(entry)
    return entry.stream
  }
  return {opened, open, failNext: () => (fail = true)}
}

function recorder(): StreamHandlers & {events: string[]} {
  const events: string[] = []
  return {
    events,
    onData: (chunk) => (events.push(`data ${chunk.toString()}`), true),
    onError: (text) => events.push(`error ${text}`),
    onClose: () => events.push('close'),
  }
}

const settle = () => new Promise((r) => setImmediate(r))

describe('SpareStreams', () => {
  it('hands the spare to the connection that takes it, then opens the next, up to its budget', async () => {
    const o = opener()
    const spares = new SpareStreams(o.open, () => 'vc-0', 2)
    spares.refill()
    await settle()
    expect(o.opened).toHaveLength(1)
    const first = recorder()
    const stream = await spares.take(first)
    expect(stream).toBe(o.opened[0]?.stream)
    o.opened[0]?.handlers.onData(Buffer.from('hello'))
    o.opened[0]?.handlers.onClose()
    expect(first.events).toEqual(['data hello', 'close'])
    await settle()
    expect(o.opened).toHaveLength(2)
    expect(await spares.take(recorder())).toBe(o.opened[1]?.stream)
    await settle()
    expect(o.opened).toHaveLength(2) // budget spent
    expect(spares.take(recorder())).toBeUndefined()
  })

  it('drops a spare that closes, fails or is spoken to before it is taken', async () => {
    for (const end of ['close', 'error', 'data'] as const) {
      const o = opener()
      const spares = new SpareStreams(o.open, () => 'vc-0', 1)
      spares.refill()
      await settle()
      const h = o.opened[0]?.handlers as StreamHandlers
      if (end === 'close') h.onClose('gone')
      else if (end === 'error') h.onError('connection refused')
      else h.onData(Buffer.from('banner'))
      await settle()
      expect(o.opened[0]?.closed, end).toBe(true)
      expect(spares.take(recorder()), end).toBeUndefined()
    }
    const o = opener()
    o.failNext()
    const spares = new SpareStreams(o.open, () => 'vc-0', 1)
    spares.refill()
    await settle()
    expect(spares.take(recorder())).toBeUndefined()
  })

  it('closes a spare opened to a pod that is no longer the target, and the waiting one on stop', async () => {
    const o = opener()
    let pod = 'vc-0'
    const spares = new SpareStreams(o.open, () => pod, 2)
    spares.refill()
    await settle()
    pod = 'vc-1'
    expect(spares.take(recorder())).toBeUndefined()
    await settle()
    expect(o.opened[0]?.closed).toBe(true)
    spares.refill()
    await settle()
    spares.stop()
    await settle()
    expect(o.opened[1]?.closed).toBe(true)
    spares.refill()
    await settle()
    expect(o.opened).toHaveLength(2)
  })
})
