import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, outputFlag, outputFormat, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {withDeadline} from '../lib/kube/deadline.js'
import {pauseVCluster, type PauseResult} from '../lib/vcluster/pause.js'

export default class Pause extends BaseCommand {
  static override summary = 'Scale a virtual cluster to zero; its data is kept. `resume` brings it back.'

  static override description =
    'Scales the control plane (and a deployed etcd) to zero, remembering the replica count in an annotation, and ' +
    'deletes the workloads the vCluster synced into the host namespace (the vCluster recreates them on resume). ' +
    '`list` shows it as Paused.'

  static override args = {name: Args.string({description: 'vCluster name', required: true})}

  static override flags = {
    ...kubeFlags('find'),
    timeout: timeoutFlag(
      '1m',
      'Give up (exit 6) when the API server has not answered everything within this, e.g. 30s, 2m.',
    ),
    ...outputFlag(['json'], 'Print the result as json.'),
  }

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Pause)
    const result = await withDeadline(flags.timeout, {what: `pause of vCluster ${args.name}`}, () =>
      pauseVCluster(kubeTarget(flags), args.name),
    )
    this.emit(result, outputFormat(flags))
    if (result.switchedTo !== undefined) this.note(`Switched the current context to ${result.switchedTo}.`)
    this.note(
      result.action === 'unchanged'
        ? `vCluster ${args.name} is already paused.`
        : `vCluster ${args.name} paused in namespace ${result.namespace}. Resume: vcluster resume ${args.name} -n ${result.namespace}`,
    )
    return result
  }
}
