import type {ChalkInstance} from 'chalk'
import type {SignalHook} from '../lib/vcluster/run-command.js'

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

/** Resolves on the first Ctrl-C, SIGTERM or SIGHUP; from then on those no longer kill the process. */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      for (const s of STOP_SIGNALS) process.off(s, handler)
      // A second Ctrl-C while we clean up still ends the process.
      for (const s of STOP_SIGNALS) process.once(s, () => process.exit(130))
      resolve(signal)
    }
    for (const s of STOP_SIGNALS) process.on(s, handler)
  })
}

/** Passes our signals to a child command (which on a terminal got Ctrl-C itself; a second one is harmless). */
export const processSignals: SignalHook = (listener) => {
  for (const s of STOP_SIGNALS) process.on(s, listener)
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, listener)
  }
}

/** Whether a person can answer and press Ctrl-C: connect may then stay in the foreground. */
export function isInteractive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true && process.env.CI === undefined
}

/** Said before anything else when TLS verification is off. */
export function insecureWarning(color: ChalkInstance): string {
  return color.yellow(
    "! --insecure: the vCluster's certificate is not verified; anyone in between can read your traffic",
  )
}
