import {spawn} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {constants, tmpdir} from 'node:os'
import {join} from 'node:path'

/** Subscribes to the signals our process receives; returns the unsubscribe. */
export type SignalHook = (listener: (signal: NodeJS.Signals) => void) => () => void

export interface CommandOutcome {
  exitCode: number
  /** Why the command could not be started (exit code 127: not found, 126: not runnable). */
  startError?: string
}

/**
 * Runs argv with KUBECONFIG pointing at a private temporary kubeconfig (mode 0600, removed afterwards) and returns
 * its exit code: 128+N when a signal ended it, 127 when it could not be started. Signals we receive are passed on
 * and we wait for the command, so Ctrl-C ends the command first and the forward stays up until it is gone.
 */
export async function runWithKubeconfig(
  argv: readonly string[],
  kubeconfig: Record<string, unknown>,
  signals: SignalHook,
): Promise<CommandOutcome> {
  const [file, ...args] = argv
  if (file === undefined) return {exitCode: 0}
  const dir = await mkdtemp(join(tmpdir(), 'vcluster-connect-'))
  const path = join(dir, 'kubeconfig')
  try {
    // JSON, which every kubeconfig reader takes (it is YAML too): ~9 ms less than emitting YAML before the command.
    await writeFile(path, JSON.stringify(kubeconfig), {mode: 0o600})
    return await new Promise<CommandOutcome>((resolve) => {
      const child = spawn(file, args, {stdio: 'inherit', env: {...process.env, KUBECONFIG: path}})
      const unsubscribe = signals((signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      })
      child.once('error', (error: NodeJS.ErrnoException) => {
        unsubscribe()
        resolve({
          exitCode: error.code === 'ENOENT' ? 127 : 126,
          startError: `${file}: ${error.code === 'ENOENT' ? 'command not found' : error.message}`,
        })
      })
      child.once('exit', (code, signal) => {
        unsubscribe()
        resolve({exitCode: code ?? 128 + (signal === null ? 1 : (constants.signals[signal] ?? 1))})
      })
    })
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
