import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {outputFlag, outputFormat, valuesFlags} from '../cli/flags.js'
import {UsageError} from '../lib/errors.js'
import {loadConfig, type LoadedConfig} from '../lib/config/load.js'

export default class Validate extends BaseCommand {
  static override summary = 'Check a vcluster.yaml without touching a cluster.'

  static override description =
    'Merges the values files in order (maps deep-merged, lists replaced), applies --set on top, and checks the result ' +
    'against the vCluster config schema and its rules. Every problem is reported at once as ' +
    '`file:line:col: key.path: message`. Exit code 0 when valid, 2 when not.'

  static override examples = [
    '<%= config.bin %> validate -f vcluster.yaml',
    '<%= config.bin %> validate -f base.yaml -f prod.yaml --set controlPlane.statefulSet.highAvailability.replicas=3',
    'cat vcluster.yaml | <%= config.bin %> validate -f -',
    '<%= config.bin %> validate -f vcluster.yaml -o yaml   # print the fully resolved config',
  ]

  static override flags = {
    ...valuesFlags,
    ...outputFlag(['yaml', 'json'], 'Print the fully resolved config (defaults applied) as yaml or json.'),
    'user-values': Flags.boolean({description: 'With -o: print only the values you set (merged), not the defaults.'}),
    quiet: Flags.boolean({char: 'q', description: 'Print nothing on success; only the exit code tells.'}),
  }

  async run(): Promise<LoadedConfig> {
    const {flags} = await this.parse(Validate)
    if ((flags.values ?? []).length === 0 && (flags.set ?? []).length === 0) {
      throw new UsageError(
        'nothing to validate',
        'Give a file with -f vcluster.yaml (or - for stdin), or values with --set.',
      )
    }
    const quiet = flags.quiet
    const userValues = flags['user-values']
    return this.emit(await loadConfig({files: flags.values, sets: flags.set}), outputFormat(flags), {
      problems: (r) => r.warnings,
      data: (r) => (userValues ? r.values : r.config),
      notes: (r, color) => (quiet ? [] : [color.green(`✓ ${r.sources.join(', ')}: valid vCluster config`)]),
    })
  }
}
