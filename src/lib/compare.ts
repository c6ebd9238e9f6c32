/**
 * Orders strings by their UTF-16 code units, as Go's sort and helm's templates order map keys. Not localeCompare:
 * the same on every machine whatever its locale, and it does not build ICU's collator, which costs a CLI run
 * ~20 ms the first time (measured with callgrind: 67M instructions).
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
