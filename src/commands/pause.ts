import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, outputFlag, outputFormat, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {upstreamFlags} from '../cli/upstream-flags.js'
import {pauseVCluster, type PauseResult} from '../lib/vcluster/pause.js'

export default class Pause extends BaseCommand {
  static override summary = 'Scale a virtual cluster to zero; its data is kept. `resume` brings it back.'

  static override description =
    'Scales the control plane (and a deployed etcd) to zero, remembering the replica count in an annotation, and ' +
    'deletes the workloads the vCluster synced into the host namespace (the vCluster recreates them on resume). ' +
    '`list` shows it as Paused.'

  static override args = {name: Args.string({description: 'vCluster name', required: true})}

  static override flags = {
    ...upstreamFlags('pause'),
    ...kubeFlags('find'),
    timeout: timeoutFlag(
      '1m',
      'Give up (exit 6) when the API server has not answered everything within this, e.g. 30s, 2m.',
    ),
    ...outputFlag(['json'], 'Print the result as json.'),
  }

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Pause)
    const result = await pauseVCluster(kubeTarget(flags), args.name, {
      timeoutMs: flags.timeout,
      onProgress: this.progress.sink,
    })
    return this.emit(result, outputFormat(flags), {notes: pausedNotes})
  }
}

function pausedNotes(r: PauseResult): string[] {
  const switched = r.switchedTo === undefined ? [] : [`Switched the current context to ${r.switchedTo}.`]
  if (r.action === 'unchanged') return [...switched, `vCluster ${r.name} is already paused.`]
  return [
    ...switched,
    `vCluster ${r.name} paused in namespace ${r.namespace}. Resume: vcluster resume ${r.name} -n ${r.namespace}`,
  ]
}
