/** The flag definitions argv preprocessing needs: which flags are boolean, and which have a --no- form. */
export type BooleanFlagDefs = Record<string, {type?: string; allowNo?: boolean}>

/**
 * oclif reads `--wait=false` as `--wait` plus a stray argument; scripts write it, so it means what it says:
 * `--x=true` becomes `--x`, `--x=false` becomes `--no-x` (or nothing, for a flag without a --no- form). Only our
 * own flags are touched: everything from `--` on is another program's command line (`connect -- COMMAND`) and is
 * passed on byte for byte.
 */
export function normalizeBooleanFlags(argv: readonly string[], flags: BooleanFlagDefs): string[] {
  const end = argv.indexOf('--')
  const ours = end < 0 ? argv : argv.slice(0, end)
  const rest = end < 0 ? [] : argv.slice(end)
  const normalized = ours.flatMap((arg) => {
    const m = /^--([\w-]+)=(true|false)$/i.exec(arg)
    const flag = m === null ? undefined : flags[m[1] as string]
    if (m === null || flag?.type !== 'boolean') return [arg]
    if ((m[2] as string).toLowerCase() === 'true') return [`--${m[1]}`]
    return flag.allowNo === true ? [`--no-${m[1]}`] : []
  })
  return [...normalized, ...rest]
}

/**
 * The output format the command line asks for (`--json` is json; `-o X`, `-oX`, `-o=X`, `--output X`,
 * `--output=X`), read from argv itself so that it is known before the flags are parsed (a parse error under --json is
 * JSON too) and by the base command, which renders progress. Only our own flags count.
 */
export function outputFromArgv(argv: readonly string[]): string | undefined {
  const end = argv.indexOf('--')
  const ours = end < 0 ? argv : argv.slice(0, end)
  let format: string | undefined
  ours.forEach((arg, i) => {
    if (arg === '--json') format = 'json'
    else if (arg === '-o' || arg === '--output') format = ours[i + 1] ?? format
    else {
      const m = /^(?:-o=?|--output=)(.+)$/.exec(arg)
      if (m !== null) format = m[1]
    }
  })
  return ours.includes('--json') ? 'json' : format
}

/** Output for a program (json or yaml on stdout): progress is then kept to warnings. */
export function wantsMachineOutput(argv: readonly string[]): boolean {
  const format = outputFromArgv(argv)
  return format === 'json' || format === 'yaml'
}

/**
 * Whether the command line asks for JSON output (`--json`, `-o json`, `-ojson`, `--output json`, `--output=json`),
 * read from argv itself so that even a flag-parsing error is reported as JSON. Only our own flags count.
 */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  const ours = end < 0 ? argv : argv.slice(0, end)
  return ours.some((arg, i) => {
    if (arg === '--json' || arg === '-ojson' || arg === '-o=json' || arg === '--output=json') return true
    return (arg === '-o' || arg === '--output') && ours[i + 1] === 'json'
  })
}
