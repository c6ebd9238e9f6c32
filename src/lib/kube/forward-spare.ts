import type {ForwardStream, StreamHandlers} from './forward-stream.js'

type OpenStream = (handlers: StreamHandlers) => Promise<ForwardStream>

interface Spare {
  pod: string
  stream: Promise<ForwardStream>
  /** The handlers of the connection that took it; until then its events are its own. */
  handlers?: StreamHandlers
  dead: boolean
}

/**
 * Port-forward streams opened before a connection needs them, at most one at a time and `budget` in all: the next is
 * opened once the previous one was taken and has opened. A spare that fails or closes while it waits is dropped (its
 * connection then opens a fresh stream); one opened to a pod that is no longer the forward's target is closed.
 */
export class SpareStreams {
  private spare: Spare | undefined
  private stopped = false

  constructor(
    private readonly open: OpenStream,
    private readonly pod: () => string,
    private budget: number,
  ) {}

  refill(): void {
    if (this.stopped || this.budget <= 0 || this.spare !== undefined) return
    this.budget--
    // Until a connection takes it nothing should come (a TLS server waits for the client to speak first); a pod
    // that speaks first would lose what it said, so such a spare is dropped.
    let spare: Spare | undefined
    const handlers: StreamHandlers = {
      onData: (chunk) => {
        if (spare?.handlers !== undefined) return spare.handlers.onData(chunk)
        this.drop(spare)
        return true
      },
      onError: (text) => (spare?.handlers === undefined ? this.drop(spare) : spare.handlers.onError(text)),
      onClose: (reason) => (spare?.handlers === undefined ? this.drop(spare) : spare.handlers.onClose(reason)),
    }
    spare = {pod: this.pod(), stream: this.open(handlers), dead: false}
    const opened = spare
    opened.stream.catch(() => this.drop(opened))
    this.spare = spare
  }

  /** The spare stream, from now on reporting to handlers; undefined when there is none to use. */
  take(handlers: StreamHandlers): Promise<ForwardStream> | undefined {
    const spare = this.spare
    this.spare = undefined
    if (spare === undefined) return undefined
    if (spare.dead || spare.pod !== this.pod()) {
      this.drop(spare)
      return undefined
    }
    spare.handlers = handlers
    spare.stream.then(
      () => this.refill(),
      () => undefined,
    )
    return spare.stream
  }

  /** Closes the waiting spare and opens no more. */
  stop(): void {
    this.stopped = true
    this.drop(this.spare)
  }

  private drop(spare: Spare | undefined): void {
    if (spare === undefined || spare.handlers !== undefined) return
    spare.dead = true
    if (this.spare === spare) this.spare = undefined
    spare.stream.then(
      (s) => s.close(),
      () => undefined,
    )
  }
}
