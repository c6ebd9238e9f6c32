import {UsageError} from '../errors.js'

/** Parses `90s`, `5m`, `1h30m`, or plain seconds into milliseconds. */
export function parseDuration(text: string, flag = '--timeout'): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)
  if (m === null || text === '')
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration`, 'Write it like 90s, 5m or 1h30m.')
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000
}

/** kubectl's age format: 45s, 5m, 2h15m, 3d4h, 400d. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 120) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 10) return `${m}m${s % 60 === 0 ? '' : `${s % 60}s`}`
  if (m < 180) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 8) return `${h}h${m % 60 === 0 ? '' : `${m % 60}m`}`
  if (h < 48) return `${h}h`
  const d = Math.floor(h / 24)
  if (d < 8) return `${d}d${h % 24 === 0 ? '' : `${h % 24}h`}`
  return `${d}d`
}

/** A plain table: columns padded to their widest cell, three spaces apart (kubectl style). */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}
