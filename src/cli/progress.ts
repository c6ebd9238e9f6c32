import type {ChalkInstance} from 'chalk'
import type {ProgressEvent} from '../lib/ui/progress.js'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export interface ProgressOptions {
  color: ChalkInstance
  stream?: NodeJS.WriteStream
  /** Machine-readable output was asked for (`--json`, `-o json|yaml`): only warnings are shown. */
  quiet?: boolean
  env?: NodeJS.ProcessEnv
}

/**
 * The one place progress is rendered (src/lib/ui/progress.ts has the events), always on stderr: on a terminal a
 * spinner line for the current step (with the seconds spent for a wait) and a line kept for each done or warning;
 * in CI or a pipe plain lines, a step only when its text changes, no control characters; under --json/-o
 * json|yaml only warnings, as plain lines, so a script that merges stderr into stdout reads little but data.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined
  private frame = 0
  /** The current step ('' when none), and when its wait began. */
  private text = ''
  private waitingSince: number | undefined
  private waitText = ''
  /** The last step a log got, so a wait reported again after a milestone costs no line. */
  private logged = ''
  private readonly tty: boolean
  private readonly stream: NodeJS.WriteStream
  private readonly color: ChalkInstance

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr
    this.color = options.color
    const env = options.env ?? process.env
    this.tty = this.stream.isTTY === true && env.CI === undefined && env.TERM !== 'dumb' && options.quiet !== true
  }

  /** The sink lib operations get: `onProgress: progress.sink`. */
  readonly sink = (event: ProgressEvent): void => this.show(event)

  show(event: ProgressEvent): void {
    switch (event.kind) {
      case 'step':
      case 'wait':
        return this.begin(event.message, event.kind === 'wait')
      case 'done':
        return this.line(`${this.color.green('✓')} ${event.message}`, false)
      case 'warn':
        return this.line(`${this.color.yellow('!')} ${event.message}`, true)
    }
  }

  step(text: string): void {
    this.show({kind: 'step', message: text})
  }

  done(text: string): void {
    this.show({kind: 'done', message: text})
  }

  warn(text: string): void {
    this.show({kind: 'warn', message: text})
  }

  /** Ends the spinner; the command's own notes and errors follow on a clean line. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.clear()
    this.text = ''
  }

  private begin(text: string, wait: boolean): void {
    if (this.options.quiet === true) return
    if (!this.tty) {
      if (text !== this.logged) this.stream.write(`${text}\n`)
      this.logged = text
      return
    }
    // A wait reported again after a milestone keeps counting from when it began.
    if (!wait || text !== this.waitText) this.waitingSince = wait ? Date.now() : undefined
    this.waitText = wait ? text : ''
    this.text = text
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.render(), 80)
      // The spinner never keeps the process alive; the command's work does.
      this.timer.unref()
    }
    this.render()
  }

  /** A line kept on screen; it ends the current step. */
  private line(text: string, warning: boolean): void {
    if (this.options.quiet === true && !warning) return
    this.stop()
    this.stream.write(`${text}\n`)
  }

  private render(): void {
    if (!this.tty || this.text === '') return
    this.frame = (this.frame + 1) % FRAMES.length
    const since = this.waitingSince === undefined ? '' : ` (${Math.floor((Date.now() - this.waitingSince) / 1000)}s)`
    this.stream.write(`\r\u001B[2K${this.color.cyan(FRAMES[this.frame] ?? '')} ${this.text}${this.color.dim(since)}`)
  }

  private clear(): void {
    if (this.tty && this.text !== '') this.stream.write('\r\u001B[2K')
  }
}
