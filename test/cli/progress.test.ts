// The one progress renderer (src/cli/progress.ts): a spinner on a terminal, plain lines in CI or a pipe, only
// warnings under --json/-o, never a byte on stdout.
import {Chalk} from 'chalk'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {Progress} from '../../src/cli/progress.js'
import type {ProgressEvent} from '../../src/lib/ui/progress.js'

const color = new Chalk({level: 0})

/** A stream that records what is written to it, as a terminal (isTTY) or not. */
function stream(isTTY: boolean): NodeJS.WriteStream & {text: () => string} {
  const chunks: string[] = []
  return Object.assign(
    {isTTY, write: (chunk: string) => chunks.push(chunk) > 0},
    {
      text: () => chunks.join(''),
    },
  ) as unknown as NodeJS.WriteStream & {text: () => string}
}

/** What create reports, in order: a step, milestones inside a wait, a warning, the end. */
const CREATE: ProgressEvent[] = [
  {kind: 'step', message: 'applying objects (1/3)'},
  {kind: 'step', message: 'applying objects (2/3)'},
  {kind: 'done', message: 'applied 3 objects'},
  {kind: 'wait', message: 'waiting for vCluster demo to be ready'},
  {kind: 'done', message: 'pod demo-0 scheduled on node-1'},
  {kind: 'wait', message: 'waiting for vCluster demo to be ready'},
  {kind: 'warn', message: 'pod demo-0: ImagePullBackOff'},
  {kind: 'wait', message: 'waiting for vCluster demo to be ready'},
  {kind: 'done', message: 'vCluster demo ready after 3.2s'},
]

const ESC = '\u001B'

afterEach(() => {
  vi.useRealTimers()
})

describe('Progress off a terminal (CI, a pipe, a log file)', () => {
  it('prints plain lines: each step once, each done and warning, no control characters', () => {
    const out = stream(false)
    const progress = new Progress({color, stream: out, env: {}})
    for (const event of CREATE) progress.sink(event)
    progress.stop()
    expect(out.text()).toBe(
      [
        'applying objects (1/3)',
        'applying objects (2/3)',
        '✓ applied 3 objects',
        'waiting for vCluster demo to be ready',
        '✓ pod demo-0 scheduled on node-1',
        '! pod demo-0: ImagePullBackOff',
        '✓ vCluster demo ready after 3.2s',
        '',
      ].join('\n'),
    )
    expect(out.text()).not.toContain(ESC)
  })

  it('is plain on a terminal too when CI is set or TERM is dumb', () => {
    for (const env of [{CI: 'true'}, {TERM: 'dumb'}]) {
      const out = stream(true)
      const progress = new Progress({color, stream: out, env})
      progress.sink({kind: 'wait', message: 'waiting for the rollout'})
      progress.sink({kind: 'done', message: 'rolled out after 1.0s'})
      progress.stop()
      expect(out.text()).toBe('waiting for the rollout\n✓ rolled out after 1.0s\n')
    }
  })
})

describe('Progress on a terminal', () => {
  it('spins the current step on one line, keeps done lines, and clears the line when it stops', () => {
    vi.useFakeTimers()
    const out = stream(true)
    const progress = new Progress({color, stream: out, env: {}})
    progress.sink({kind: 'step', message: 'applying objects (1/3)'})
    vi.advanceTimersByTime(200)
    const spinning = out.text()
    expect(spinning).toContain(`\r${ESC}[2K⠙ applying objects (1/3)`)
    // Redrawn in place: no newline while the step runs.
    expect(spinning).not.toContain('\n')
    progress.sink({kind: 'done', message: 'applied 3 objects'})
    expect(out.text().slice(spinning.length)).toBe(`\r${ESC}[2K✓ applied 3 objects\n`)
    const afterDone = out.text().length
    vi.advanceTimersByTime(400)
    // A done ends the step: nothing spins until the next one.
    expect(out.text().length).toBe(afterDone)
    progress.sink({kind: 'step', message: 'checking'})
    progress.stop()
    expect(out.text().endsWith(`\r${ESC}[2K`)).toBe(true)
  })

  it('shows how long a wait has run, counting on across the milestones inside it', () => {
    vi.useFakeTimers()
    const out = stream(true)
    const progress = new Progress({color, stream: out, env: {}})
    progress.sink({kind: 'wait', message: 'waiting for vCluster demo to be ready'})
    vi.advanceTimersByTime(2000)
    progress.sink({kind: 'done', message: 'pod demo-0 scheduled on node-1'})
    progress.sink({kind: 'wait', message: 'waiting for vCluster demo to be ready'})
    vi.advanceTimersByTime(1100)
    // The spinner is redrawn every 80 ms: the last frame drawn is 3.04 s after the wait began.
    expect(out.text().split('\r').at(-1)).toMatch(/^\u001B\[2K. waiting for vCluster demo to be ready \(3s\)$/)
    progress.stop()
  })
})

describe('Progress under --json or -o json|yaml (quiet)', () => {
  it('shows nothing but warnings, as plain lines, even on a terminal', () => {
    vi.useFakeTimers()
    const out = stream(true)
    const progress = new Progress({color, stream: out, env: {}, quiet: true})
    for (const event of CREATE) progress.sink(event)
    vi.advanceTimersByTime(1000)
    progress.stop()
    expect(out.text()).toBe('! pod demo-0: ImagePullBackOff\n')
  })
})

describe('Progress writes to its stream only', () => {
  it('never writes to stdout', () => {
    const write = vi.spyOn(process.stdout, 'write')
    const progress = new Progress({color, stream: stream(false), env: {}})
    for (const event of CREATE) progress.sink(event)
    progress.stop()
    expect(write).not.toHaveBeenCalled()
    write.mockRestore()
  })
})
