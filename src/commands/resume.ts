import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, outputFlag, outputFormat, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {Progress} from '../cli/progress.js'
import {withDeadline} from '../lib/kube/deadline.js'
import {DIAGNOSE_LIMIT_MS} from '../lib/kube/diagnose.js'
import {resumeVCluster, type PauseResult} from '../lib/vcluster/pause.js'

export default class Resume extends BaseCommand {
  static override summary = 'Scale a paused virtual cluster back up and wait until it is ready.'

  static override args = {name: Args.string({description: 'vCluster name', required: true})}

  static override flags = {
    ...kubeFlags('find'),
    wait: Flags.boolean({description: 'Wait until ready.', default: true, allowNo: true}),
    timeout: timeoutFlag('5m', 'How long to wait for the API server and (with --wait) until ready, e.g. 5m.'),
    ...outputFlag(['json'], 'Print the result as json.'),
  }

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Resume)
    const progress = new Progress(this.color)
    const timeoutMs = flags.timeout
    // The readiness wait inside times out at --timeout with a diagnosis; this bounds the requests around it too.
    const result = await withDeadline(
      timeoutMs,
      {what: `resume of vCluster ${args.name}`, graceMs: DIAGNOSE_LIMIT_MS + 5000},
      () =>
        resumeVCluster(kubeTarget(flags), args.name, {
          wait: flags.wait,
          timeoutMs,
          onProgress: (e) =>
            e.type === 'ready'
              ? progress.done(`ready after ${(e.afterMs / 1000).toFixed(1)}s`)
              : progress.step(`waiting for vCluster ${args.name}`),
        }),
    ).finally(() => progress.stop())
    this.emit(result, outputFormat(flags))
    this.note(
      result.action === 'unchanged'
        ? `vCluster ${args.name} is not paused.`
        : `vCluster ${args.name} resumed in namespace ${result.namespace}.`,
    )
    return result
  }
}
