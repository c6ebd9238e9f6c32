import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, outputFlag, outputFormat, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {upstreamFlags} from '../cli/upstream-flags.js'
import {resumeVCluster, type PauseResult} from '../lib/vcluster/pause.js'

export default class Resume extends BaseCommand {
  static override summary = 'Scale a paused virtual cluster back up and wait until it is ready.'

  static override args = {name: Args.string({description: 'vCluster name', required: true})}

  static override flags = {
    ...upstreamFlags('resume'),
    ...kubeFlags('find'),
    wait: Flags.boolean({description: 'Wait until ready.', default: true, allowNo: true}),
    timeout: timeoutFlag('5m', 'How long to wait for the API server and (with --wait) until ready, e.g. 5m.'),
    ...outputFlag(['json'], 'Print the result as json.'),
  }

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Resume)
    const result = await resumeVCluster(kubeTarget(flags), args.name, {
      wait: flags.wait,
      timeoutMs: flags.timeout,
      onProgress: this.progress.sink,
    })
    return this.emit(result, outputFormat(flags), {
      notes: (r) => [
        r.action === 'unchanged'
          ? `vCluster ${r.name} is not paused.`
          : `vCluster ${r.name} resumed in namespace ${r.namespace}.`,
      ],
    })
  }
}
