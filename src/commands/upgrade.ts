import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {confirm, isInteractive} from '../cli/confirm.js'
import {kubeFlags, outputFlag, outputFormat, valuesFlags, kubeTarget, timeoutFlag} from '../cli/flags.js'
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
    // The question is asked only of a person (never in CI or a pipe) and not timed (lib/kube/deadline.ts).
    const ask = !flags.yes && isInteractive() && output === undefined
    const result = await upgradeVCluster({
      name: args.name,
      kube: kubeTarget(flags),
      files: flags.values,
      sets: flags.set,
      vclusterVersion: flags['vcluster-version'],
      resetValues: flags['reset-values'],
      force: flags.force,
      dryRun: flags['dry-run'],
      wait: flags.wait,
      timeoutMs: flags.timeout,
      onPlan: (plan) => output === undefined && this.showPlan(plan),
      confirm: ask ? () => confirm(`Apply these changes to vCluster ${args.name}?`) : undefined,
      onProgress: this.progress.sink,
    })
    return this.emit(result, output, {notes: (r) => (output === undefined ? [upgradedNote(r)] : [])})
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
}

/** What happened, on stderr (the data, with -o, is on stdout). */
function upgradedNote(result: UpgradeResult): string {
  if (result.cancelled) return 'Cancelled; nothing was changed.'
  if (!result.applied)
    return result.summary === 'no changes' ? `vCluster ${result.name} is up to date.` : 'Dry run: nothing was changed.'
  return `vCluster ${result.name} upgraded in namespace ${result.namespace} (${result.summary}).`
}
