import type {ChalkInstance} from 'chalk'
import type {ProgressEvent} from '../lib/kube/wait.js'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * Progress on stderr: a spinner line on a terminal, plain lines otherwise (CI logs stay readable and greppable).
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined
  private frame = 0
  private text = ''
  private readonly tty: boolean

  constructor(
    private readonly color: ChalkInstance,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true && process.env.CI === undefined
  }

  /** Shows what is happening now; on a terminal it spins until the next call. */
  step(text: string): void {
    if (!this.tty) {
      if (text !== this.text) this.stream.write(`${text}\n`)
      this.text = text
      return
    }
    this.text = text
    this.timer ??= setInterval(() => this.render(), 80)
    this.render()
  }

  /** A finished step: a tick and the text, kept on screen. */
  done(text: string): void {
    this.clear()
    this.stream.write(`${this.color.green('✓')} ${text}\n`)
    if (this.tty && this.text !== '') this.render()
  }

  warn(text: string): void {
    this.clear()
    this.stream.write(`${this.color.yellow('!')} ${text}\n`)
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.clear()
    this.text = ''
  }

  private render(): void {
    if (!this.tty) return
    this.frame = (this.frame + 1) % FRAMES.length
    this.stream.write(`\r\u001B[2K${this.color.cyan(FRAMES[this.frame] ?? '')} ${this.text}`)
  }

  private clear(): void {
    if (this.tty) this.stream.write('\r\u001B[2K')
  }
}

/**
 * The readiness wait's events as progress lines, shared by create and connect. `name` goes into the
 * ready line when the command has not named the vCluster already.
 */
export function showReadiness(progress: Progress, event: ProgressEvent, name?: string): void {
  switch (event.type) {
    case 'pod-scheduled':
      return progress.done(`pod ${event.pod} scheduled on ${event.node}`)
    case 'volume-bound':
      return progress.done(`volume ${event.claim} bound`)
    case 'container-waiting':
      return progress.warn(`pod ${event.pod}: ${event.reason}`)
    case 'rewatch':
      return progress.warn(`lost the host cluster's API (${event.reason.split('\n')[0]}); still waiting`)
    case 'ready':
      return progress.done(
        `vCluster ${name === undefined ? '' : `${name} `}ready after ${(event.afterMs / 1000).toFixed(1)}s`,
      )
  }
}
