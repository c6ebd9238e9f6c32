/** Splits a newline-delimited stream (a watch) into its non-empty lines, whatever the chunk boundaries. */
export class LineBuffer {
  private buffer = ''

  constructor(private readonly onLine: (line: string) => void) {}

  /** Adds a chunk and hands over each complete line; throws what onLine throws (the caller ends the stream). */
  push(chunk: string): void {
    this.buffer += chunk
    let nl: number
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim()
      this.buffer = this.buffer.slice(nl + 1)
      if (line !== '') this.onLine(line)
    }
  }
}
