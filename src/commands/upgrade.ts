import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {confirm, isInteractive} from '../cli/confirm.js'
import {kubeFlags, outputFlag, outputFormat, valuesFlags, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {Progress} from '../cli/progress.js'
import {Deadline} from '../lib/kube/deadline.js'
import {DIAGNOSE_LIMIT_MS} from '../lib/kube/diagnose.js'
import {summarize, upgradeVCluster, type UpgradePlan, type UpgradeResult} from '../lib/vcluster/upgrade.js'

export default class Upgrade extends BaseCommand {
  static override summary = 'Change a virtual cluster: new values on top of its stored config, shown as a diff first.'

  static override description =
    'Starts from the config stored in vc-config-NAME (nothing you set before is lost), applies -f/--set on top, ' +
    'validates, refuses unsafe changes (backing-store switches upstream cannot migrate, namespace-sync changes, ' +
    'version downgrades, skipping a Kubernetes minor, claim template changes), shows a diff of every object from a ' +
    'server-side dry-run, asks on a terminal (never when not interactive), applies, removes objects the new config ' +
    'no longer renders, and waits for the rollout. The CLI itself is updated with npm, not with this command.'

  static override examples = [
    '<%= config.bin %> upgrade demo --set controlPlane.distro.k8s.image.tag=v1.35.0',
    '<%= config.bin %> upgrade demo -f vcluster.yaml --dry-run',
    '<%= config.bin %> upgrade demo --reset-values -f vcluster.yaml --yes',
  ]

  static override args = {name: Args.string({description: 'vCluster name', required: true})}

  static override flags = {
    ...kubeFlags('find'),
    ...valuesFlags,
    'vcluster-version': Flags.string({description: 'vCluster (syncer image) version to run, e.g. 0.36.1.'}),
    'reset-values': Flags.boolean({description: 'Start from the defaults instead of the stored config.'}),
    'dry-run': Flags.boolean({description: 'Show the diff; change nothing.'}),
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation.'}),
    force: Flags.boolean({description: 'Allow version downgrades and minor-version skips.'}),
    wait: Flags.boolean({description: 'Wait for the rollout.', default: true, allowNo: true}),
    timeout: timeoutFlag(
      '5m',
      'How long to wait for the API server and (with --wait) the rollout, e.g. 5m; the question is not timed.',
    ),
    ...outputFlag(['json', 'yaml'], 'Print the result (with the diff) as json or yaml.'),
  }

  async run(): Promise<UpgradeResult> {
    const {args, flags} = await this.parse(Upgrade)
    const output = outputFormat(flags)
    const progress = new Progress(this.color)
    const ask = !flags.yes && isInteractive() && output === undefined
    const timeoutMs = flags.timeout
    // Bounds the requests around the rollout wait too; the time a person takes to answer the question is not counted.
    const deadline = new Deadline(timeoutMs, {
      what: `upgrade of vCluster ${args.name}`,
      graceMs: DIAGNOSE_LIMIT_MS + 5000,
    })
    const result = await deadline
      .run(() =>
        upgradeVCluster({
          name: args.name,
          kube: kubeTarget(flags),
          files: flags.values,
          sets: flags.set,
          vclusterVersion: flags['vcluster-version'],
          resetValues: flags['reset-values'],
          force: flags.force,
          dryRun: flags['dry-run'],
          wait: flags.wait,
          timeoutMs,
          onPlan: (plan) => output === undefined && this.showPlan(plan),
          confirm: ask
            ? () => deadline.untimed(() => confirm(`Apply these changes to vCluster ${args.name}?`))
            : undefined,
          onProgress: (e) =>
            e.type === 'ready'
              ? progress.done(`rolled out after ${(e.afterMs / 1000).toFixed(1)}s`)
              : progress.step('waiting for the rollout'),
        }),
      )
      .finally(() => progress.stop())
    if (output === undefined) this.summarize(result)
    return this.emit(result, output)
  }

  private showPlan(plan: UpgradePlan): void {
    for (const change of plan.changes.filter((c) => c.action !== 'unchanged')) {
      this.note(this.color.bold(`${change.action} ${change.kind}/${change.name}`))
      for (const line of change.diff)
        this.note(
          line.startsWith('+')
            ? this.color.green(line)
            : line.startsWith('-')
              ? this.color.red(line)
              : this.color.dim(line),
        )
    }
    this.note(`Plan: ${summarize(plan)}.`)
  }

  /** What happened, on stderr (the data, with -o, is on stdout). */
  private summarize(result: UpgradeResult): void {
    if (result.cancelled) return this.note('Cancelled; nothing was changed.')
    if (!result.applied)
      return this.note(
        result.summary === 'no changes' ? `vCluster ${result.name} is up to date.` : 'Dry run: nothing was changed.',
      )
    this.note(`vCluster ${result.name} upgraded in namespace ${result.namespace} (${result.summary}).`)
  }
}
