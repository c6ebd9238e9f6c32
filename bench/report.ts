/** The results table of bench/run.ts: rows, notes, and the ratio check every measure goes through. */
import type {Timing} from './lib.js'

export const rows: string[][] = []
export const notes: string[] = []
export const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`

/** One table row; `ok` undefined means no target. A miss is printed as MISSED, never hidden. */
export function row(what: string, value: string, ratio: string, target: string, ok?: boolean): void {
  rows.push([what, value, ratio, target, ok === undefined ? '' : ok ? 'ok' : 'MISSED'])
}

/** `a` against baseline `b`: the ratio of medians, checked against a target ratio. */
export function compare(what: string, a: Timing, b: Timing, targetRatio?: number): void {
  const ratio = a.median / b.median
  row(
    what,
    `${ms(a.median)} vs ${ms(b.median)}`,
    `${ratio.toFixed(2)}x`,
    targetRatio ? `<= ${targetRatio}x` : '',
    targetRatio ? ratio <= targetRatio : undefined,
  )
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
