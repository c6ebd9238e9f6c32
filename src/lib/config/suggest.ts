/** Damerau-free Levenshtein distance, case-insensitive: enough to catch typos like `extraSAN` or `contolPlane`. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let prev = Array.from({length: y.length + 1}, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const row = [i]
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost))
    }
    prev = row
  }
  return prev[y.length] as number
}

/** The closest candidate within a typo's reach (a third of the word, at least 2 edits), if any. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  const reach = Math.max(2, Math.floor(word.length / 3))
  for (const candidate of candidates) {
    const d = editDistance(word, candidate)
    const isPrefix =
      candidate.toLowerCase().startsWith(word.toLowerCase()) || word.toLowerCase().startsWith(candidate.toLowerCase())
    if ((d <= reach || (isPrefix && Math.min(word.length, candidate.length) >= 4)) && d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}
