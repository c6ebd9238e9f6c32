/**
 * A line diff (longest common subsequence) with a few lines of context, in unified style: `-` removed, `+` added.
 * Inputs are small (one object's YAML), so the quadratic table is fine.
 */
export function lineDiff(before: string, after: string, context = 2): string[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n')
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n')
  const ops = diffOps(a, b)
  const keep = new Set<number>()
  ops.forEach((op, i) => {
    if (op.kind !== ' ') for (let j = i - context; j <= i + context; j++) keep.add(j)
  })
  const out: string[] = []
  let gap = false
  ops.forEach((op, i) => {
    if (!keep.has(i)) {
      gap = true
      return
    }
    if (gap && out.length > 0) out.push('  ...')
    gap = false
    out.push(`${op.kind} ${op.line}`)
  })
  return out
}

function diffOps(a: string[], b: string[]): {kind: ' ' | '-' | '+'; line: string}[] {
  const n = a.length
  const m = b.length
  const lcs: number[][] = Array.from({length: n + 1}, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    }
  }
  const ops: {kind: ' ' | '-' | '+'; line: string}[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({kind: ' ', line: a[i++]!})
      j++
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      ops.push({kind: '-', line: a[i++]!})
    } else {
      ops.push({kind: '+', line: b[j++]!})
    }
  }
  while (i < n) ops.push({kind: '-', line: a[i++]!})
  while (j < m) ops.push({kind: '+', line: b[j++]!})
  return ops
}
