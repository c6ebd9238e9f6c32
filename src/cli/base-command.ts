import {Command, Errors} from '@oclif/core'
import {EXIT_CODES, InvalidConfigError, VClusterError, formatProblem, type ConfigProblem} from '../lib/errors.js'
import type {ChalkInstance} from 'chalk'
import {normalizeBooleanFlags, wantsJson, wantsMachineOutput, type BooleanFlagDefs} from './argv.js'
import {toYamlText} from '../lib/manifests/yaml-emit.js'
import {stderrColor} from './output.js'
import {Progress} from './progress.js'

/**
 * The one place errors become messages and exit codes (documented in the README): lib throws typed errors,
 * this prints them on stderr without a stack trace.
 */
export abstract class BaseCommand extends Command {
  protected readonly color = stderrColor()
  private progressView: Progress | undefined

  /**
   * The command's progress renderer, the one place progress is shown (cli/progress.ts): pass `this.progress.sink`
   * as a lib operation's onProgress. Under --json/-o json|yaml it shows only warnings.
   */
  protected get progress(): Progress {
    this.progressView ??= new Progress({color: this.color, quiet: wantsMachineOutput(this.argv)})
    return this.progressView
  }

  /** Writes data to stdout: the only thing a script reads. */
  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /**
   * The one place a command's result becomes data on stdout: `json` (from `--json` or `-o json`) and `yaml` print
   * the data (default: the result itself); otherwise the command's own text (a table, a description), or nothing
   * when it has none (its notes on stderr say what happened). Returns the result, which run() returns, typed.
   */
  protected emit<T>(result: T, format: string | undefined, options: EmitOptions<T> = {}): T {
    this.progressView?.stop()
    this.warnProblems(options.problems?.(result) ?? [])
    const data = options.data === undefined ? result : options.data(result)
    if (format === 'json') this.out(JSON.stringify(data, null, options.jsonIndent ?? 2))
    else if (format === 'yaml') this.out(toYamlText(data))
    else {
      const text = options.text?.(result)
      if (text !== undefined) this.out(text)
    }
    for (const line of options.notes?.(result, this.color) ?? []) this.note(line)
    return result
  }

  /** Notes and warnings go to stderr so stdout stays clean data; a spinner is cleared first. */
  protected note(text: string): void {
    this.progressView?.stop()
    process.stderr.write(`${text}\n`)
  }

  protected warnProblems(problems: readonly ConfigProblem[]): void {
    for (const p of problems.filter((x) => x.severity === 'warning')) this.note(this.color.yellow(formatProblem(p)))
  }

  /** `--wait=false` means what it says (argv.ts); what follows `--` is left alone. */
  public override async init(): Promise<void> {
    this.argv = normalizeBooleanFlags(this.argv, (this.ctor as {flags?: BooleanFlagDefs}).flags ?? {})
    await super.init()
    const hint = INTERRUPT_HINTS[this.id ?? '']
    if (hint !== undefined) this.releaseInterrupt = exitOnInterrupt(this.id ?? '', hint(this.argv))
  }

  /**
   * Ends the default interrupt handling: from then on the command handles signals itself (connect's forward
   * switches the context back on Ctrl-C; a command run by connect gets the signals).
   */
  protected releaseInterrupt: () => void = () => {}

  protected override async finally(error: Error | undefined): Promise<unknown> {
    this.progressView?.stop()
    return super.finally(error)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    this.progressView?.stop()
    if (error instanceof Errors.ExitError) throw error
    const described = this.describeError(error)
    // Under --json a script reads the outcome from stdout too: one object, never text to parse.
    if (wantsJson(this.argv)) this.out(JSON.stringify({error: described}))
    this.exit(described.exitCode)
  }

  /** Prints the error on stderr as a person reads it, and returns it as the --json error object. */
  private describeError(error: Error & {oclif?: {exit?: number}}): ErrorObject {
    const red = this.color.red
    if (error instanceof InvalidConfigError) {
      const errors = error.problems.filter((p) => p.severity === 'error')
      for (const p of error.problems)
        this.note(p.severity === 'error' ? red(formatProblem(p)) : this.color.yellow(formatProblem(p)))
      const message = `${errors.length} problem${errors.length === 1 ? '' : 's'} in the vCluster config`
      this.note(`${red('error:')} ${message}`)
      if (error.hint !== undefined) this.note(error.hint)
      return {
        code: error.kind,
        exitCode: error.exitCode,
        message,
        hint: error.hint,
        problems: errors.map(formatProblem),
      }
    }
    if (error instanceof VClusterError) {
      // A typed flag's parse (timeoutFlag) throws our error; oclif wraps its message in its own words.
      const message = error.message.replace(/^Parsing --[\w-]+ \n\t/, '').replace(/\nSee more help with --help$/, '')
      this.note(`${red('error:')} ${message}`)
      if (error.hint !== undefined) this.note(error.hint)
      return {code: error.kind, exitCode: error.exitCode, message, hint: error.hint}
    }
    if (isParseError(error)) {
      const message = error.message.split('\n')[0] ?? ''
      const hint = `See: vcluster ${this.id ?? ''} --help`.replace(/\s+--help/, ' --help')
      this.note(`${red('error:')} ${message}`)
      this.note(hint)
      return {code: 'usage', exitCode: EXIT_CODES.usage, message, hint}
    }
    const hint = 'This is unexpected. Run again with VCLUSTER_DEBUG=1 for details, and report it.'
    this.note(`${red('error:')} ${error.message}`)
    if (process.env.VCLUSTER_DEBUG === '1') this.note(error.stack ?? '')
    else this.note(hint)
    return {code: 'error', exitCode: EXIT_CODES.error, message: error.message, hint}
  }
}

export interface EmitOptions<T> {
  /** What json and yaml print, when not the whole result. */
  data?: (result: T) => unknown
  /** The text printed without -o (a table, a description); undefined prints nothing. */
  text?: (result: T) => string | undefined
  /** `list -o json` keeps upstream's 4 spaces. */
  jsonIndent?: number
  /** Config warnings in the result, printed on stderr first. */
  problems?: (result: T) => readonly ConfigProblem[]
  /** What a person reads on stderr after the data: what happened, what to run next (printed in every format). */
  notes?: (result: T, color: ChalkInstance) => string[]
}

/** The error as `--json` prints it on stdout: `{"error": {...}}`. */
export interface ErrorObject {
  /** The error kind (README "Exit codes"): usage, invalid-config, not-found, ..., or error when unexpected. */
  code: string
  exitCode: number
  message: string
  hint?: string
  /** invalid-config: every problem as file:line:col: key: message. */
  problems?: string[]
}

function isParseError(error: Error & {oclif?: {exit?: number}}): boolean {
  return (
    error instanceof Errors.CLIError && (error.oclif?.exit === 2 || /flag|argument|Unexpected/i.test(error.message))
  )
}

const INTERRUPT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

/** What to tell someone who interrupted a command that changes the cluster: how to finish it, or undo it. */
const INTERRUPT_HINTS: Record<string, (argv: string[]) => string[]> = {
  create: (argv) => [
    `To finish, run the same command again (it converges):  ${commandLine('create', argv)}`,
    `To remove what it made:  vcluster delete ${argv.find((a) => !a.startsWith('-')) ?? 'NAME'} (with the same --namespace/--context)`,
  ],
  upgrade: (argv) => [
    `The change may be partly applied. To finish it, run the same command again (it converges):  ${commandLine('upgrade', argv)}`,
  ],
  delete: (argv) => [
    `Some objects may be left. To finish, run the same command again:  ${commandLine('delete', argv)}`,
  ],
  pause: (argv) => [`To finish, run the same command again:  ${commandLine('pause', argv)}`],
  resume: (argv) => [`To finish, run the same command again:  ${commandLine('resume', argv)}`],
  connect: () => ['Your kubeconfig was not changed.'],
  disconnect: () => [
    'The kubeconfig is replaced in one step: it is either unchanged or switched. Check with: kubectl config current-context',
  ],
}

function commandLine(id: string, argv: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)
  return ['vcluster', id, ...argv].map(quote).join(' ')
}

/**
 * Ctrl-C, SIGTERM (CI cancelling a job) or SIGHUP: say what state is left and how to finish or undo it, then
 * exit 130. Every change the CLI makes is a single API call or an atomic kubeconfig rename, so stopping between
 * two of them leaves nothing half-written; a re-run converges. A second signal ends the process at once.
 */
function exitOnInterrupt(id: string, hint: string[]): () => void {
  const handler = (signal: NodeJS.Signals) => {
    for (const s of INTERRUPT_SIGNALS) process.off(s, handler)
    for (const s of INTERRUPT_SIGNALS) process.once(s, () => process.exit(130))
    process.stderr.write(
      `\n${stderrColor().red('interrupted:')} vcluster ${id} stopped by ${signal} before it finished.\n${hint.join('\n')}\n`,
    )
    process.exit(130)
  }
  for (const s of INTERRUPT_SIGNALS) process.on(s, handler)
  return () => {
    for (const s of INTERRUPT_SIGNALS) process.off(s, handler)
  }
}
