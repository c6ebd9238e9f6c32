import type {ChalkInstance} from 'chalk'
import type {ForwardEvent} from '../lib/kube/port-forward.js'
import type {ConnectEvent} from '../lib/vcluster/connect.js'
import type {SignalHook} from '../lib/vcluster/run-command.js'
import {showReadiness, type Progress} from './progress.js'

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

/** Renders connect's events on stderr (progress lines, then plain notes once it runs in the foreground). */
export class ConnectView {
  constructor(
    private readonly progress: Progress,
    private readonly color: ChalkInstance,
    private readonly hint: {name: string; namespace?: string},
  ) {}

  show(event: ConnectEvent): void {
    const p = this.progress
    switch (event.type) {
      case 'wait':
        return this.showWait(event.event)
      case 'endpoint':
        return p.done(`using ${event.source === 'loadbalancer' ? 'the LoadBalancer address' : '--server'} ${event.url}`)
      case 'forwarding':
        return p.done(
          `forwarding ${event.address}:${event.port} to pod ${event.pod} port 8443 through the host API server`,
        )
      case 'answering':
        return p.done(`vCluster answers at ${event.server} after ${(event.afterMs / 1000).toFixed(1)}s`)
      case 'contexts-written':
        p.done(
          event.switched
            ? `switched to context ${event.context} (was ${event.previous || 'none'})`
            : `wrote context ${event.context} (current context unchanged)`,
        )
        if (event.sanContexts.length > 0)
          p.done(`wrote contexts for the extraSANs (not switched to): ${event.sanContexts.join(', ')}`)
        return p.stop()
      case 'restored':
        return p.done(`stopped forwarding; switched back to context ${event.context}`)
      case 'left-alone':
        return p.done(
          `stopped forwarding; the current context is no longer ${event.context}, so it stays as you set it`,
        )
      case 'print-needs-forward':
        return p.warn(
          `the kubeconfig points at https://127.0.0.1:${event.port}, which answers only while a forward runs there:\n` +
            `  vcluster connect ${this.hint.name}${this.hint.namespace === undefined ? '' : ` -n ${this.hint.namespace}`} --local-port ${event.port} --no-update-current\n` +
            '  (or pass --server with an address the vCluster is reachable at)',
        )
      case 'forward':
        return this.showForward(event.event)
    }
  }

  private showWait(event: Extract<ConnectEvent, {type: 'wait'}>['event']): void {
    const p = this.progress
    if (event.type === 'waiting') return p.step(`waiting for ${event.what}`)
    showReadiness(p, event)
  }

  private showForward(event: ForwardEvent): void {
    const line = (text: string): void => void process.stderr.write(`${text}\n`)
    switch (event.type) {
      case 'retrying':
        return line(
          `${this.color.yellow('!')} lost the stream to vCluster pod ${event.pod ?? ''} (${event.reason.split('\n')[0]}); reconnecting`,
        )
      case 'pod-gone':
        return line(
          `${this.color.yellow('!')} vCluster pod ${event.pod} is gone or not ready; new connections wait for its replacement`,
        )
      case 'pod-changed':
        return line(
          `${this.color.green('✓')} vCluster pod ${event.replaced} was replaced; forwarding to pod ${event.pod}`,
        )
      case 'recovered':
        return line(`${this.color.green('✓')} forwarding to pod ${event.pod} again`)
      case 'connection-failed':
        return line(`${this.color.yellow('!')} dropped a connection: ${event.reason}`)
    }
  }
}
