/**
 * The side-by-side table (bench/versus.ts): our CLI against upstream's per measure, with issue 15's targets: at most
 * 0.5x upstream's time (where the row has a time target), never more requests, peak RSS at most upstream's.
 */
import {say} from './lib.js'
import {median} from './report.js'
import type {Side} from './versus.js'

export const versusRows: string[][] = []
export const VERSUS_HEADER = [
  'measure',
  'ours',
  'upstream',
  'ratio',
  'requests (ours / upstream)',
  'peak RSS (ours / upstream)',
  'runs',
  'targets',
]

const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`)
const mib = (kib: number[]) => Math.max(...kib) / 1024

/** One row; a missed target is named (time, requests, RSS), never hidden. */
export function versusRow(what: string, sides: {ours: Side; upstream: Side}, opts: {timeTarget: boolean}): void {
  const {ours, upstream} = sides
  const a = median(ours.ms)
  const b = median(upstream.ms)
  const missed: string[] = []
  if (opts.timeTarget && a > 0.5 * b) missed.push('time')
  let requests = ''
  if (ours.requests && upstream.requests) {
    requests = `${ours.requests.length} / ${upstream.requests.length}`
    if (ours.requests.length > upstream.requests.length) missed.push('requests')
  }
  let rss = ''
  if (ours.rssKiB.length > 0 && upstream.rssKiB.length > 0) {
    rss = `${mib(ours.rssKiB).toFixed(0)} / ${mib(upstream.rssKiB).toFixed(0)} MiB`
    if (mib(ours.rssKiB) > mib(upstream.rssKiB)) missed.push('RSS')
  }
  const targets = [opts.timeTarget ? 'time <= 0.5x' : '', requests ? 'requests <=' : '', rss ? 'RSS <=' : ''].filter(
    Boolean,
  )
  if (ours.rssKiB.length > 0) peak.ours = Math.max(peak.ours, mib(ours.rssKiB))
  if (upstream.rssKiB.length > 0) peak.upstream = Math.max(peak.upstream, mib(upstream.rssKiB))
  const cells = [
    what,
    fmtMs(a),
    fmtMs(b),
    `${(a / b).toFixed(2)}x`,
    requests,
    rss,
    `${ours.ms.length} / ${upstream.ms.length}`,
    targets.length === 0
      ? ''
      : `${targets.join(', ')}: ${missed.length === 0 ? 'ok' : `MISSED (${missed.join(', ')})`}`,
  ]
  versusRows.push(cells)
  say(`  ${cells.join(' | ')}`)
}

const peak = {ours: 0, upstream: 0}

/** The largest peak RSS of each CLI over every row so far. */
export function versusPeakRow(): void {
  const ok = peak.ours <= peak.upstream
  versusRows.push([
    'peak RSS, largest over every command above',
    `${peak.ours.toFixed(0)} MiB`,
    `${peak.upstream.toFixed(0)} MiB`,
    `${(peak.ours / peak.upstream).toFixed(2)}x`,
    '',
    '',
    '',
    `RSS <=: ${ok ? 'ok' : 'MISSED (RSS)'}`,
  ])
}

export function versusTable(): string {
  return [VERSUS_HEADER, VERSUS_HEADER.map(() => '---'), ...versusRows].map((r) => `| ${r.join(' | ')} |`).join('\n')
}
