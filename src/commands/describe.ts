import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, kubeTarget, outputFormat, timeoutFlag} from '../cli/flags.js'
import {upstreamFlags} from '../cli/upstream-flags.js'
import {toYamlText} from '../lib/manifests/yaml-emit.js'
import {describeVCluster, type Description} from '../lib/vcluster/describe.js'

export default class Describe extends BaseCommand {
  static override summary = 'Show a virtual cluster: status, versions, backing store, exposure, images and config.'

  static override examples = [
    '<%= config.bin %> describe demo',
    '<%= config.bin %> describe demo -o json',
    '<%= config.bin %> describe demo --config-only > vcluster.yaml',
  ]

  static override args = {name: Args.string({description: 'vCluster name', required: true})}

  static override flags = {
    ...upstreamFlags('describe'),
    ...kubeFlags('find'),
    output: Flags.string({
      char: 'o',
      description: 'Output format.',
      options: ['text', 'json', 'yaml'],
      default: 'text',
    }),
    json: Flags.boolean({description: 'Same as -o json.'}),
    'config-only': Flags.boolean({description: 'Print only the values you set, as YAML (or JSON with -o json).'}),
    'show-secrets': Flags.boolean({
      description: 'Print secret values (passwords, tokens, data sources, keys) instead of ***.',
    }),
    timeout: timeoutFlag(
      '1m',
      'Give up (exit 6) when the API server has not answered everything within this, e.g. 30s, 2m.',
    ),
  }

  async run(): Promise<Description> {
    const {args, flags} = await this.parse(Describe)
    const d = await describeVCluster(kubeTarget(flags), args.name, {
      timeoutMs: flags.timeout,
      showSecrets: flags['show-secrets'],
    })
    const configOnly = flags['config-only']
    // --config-only prints the values as YAML unless -o json asks otherwise; -o text is the description.
    const format = outputFormat(flags)
    const output = format === 'json' ? 'json' : format === 'yaml' || configOnly ? 'yaml' : undefined
    return this.emit(d, output, {data: (r) => (configOnly ? r.config : r), text, notes: maskedNote})
  }
}

/** On stderr: a config with *** in it cannot be reused with -f as it is, so say what was masked and how to see it. */
function maskedNote(d: Description): string[] {
  const masked = d.secretsMasked ?? []
  if (masked.length === 0) return []
  return [
    `note: ${masked.length} secret value${masked.length === 1 ? '' : 's'} shown as *** (${masked.join(', ')}); --show-secrets prints them`,
  ]
}

function text(d: Description): string {
  const lines = [
    `Name:          ${d.name}`,
    `Namespace:     ${d.namespace}`,
    `Status:        ${d.status}`,
    ...(d.reason ?? []).map((r) => `               ${r}`),
    `vCluster:      ${d.vclusterVersion}`,
    `Kubernetes:    ${d.kubernetesVersion}`,
    `Backing store: ${d.backingStore}`,
    `Workload:      ${d.kind}, ${d.replicas} replica${d.replicas === 1 ? '' : 's'}`,
    `Service:       ${d.exposure.serviceType}${d.exposure.addresses.length > 0 ? ` (${d.exposure.addresses.join(', ')})` : ''}`,
    `Extra SANs:    ${d.exposure.extraSANs.join(', ') || '-'}`,
    `Created:       ${d.created}`,
    'Images:',
    ...d.images.map((i) => `  ${i.container}: ${i.image}`),
    'Config (values you set):',
    ...(Object.keys(d.config).length === 0
      ? ['  {} (all defaults)']
      : toYamlText(d.config)
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`)),
  ]
  return lines.join('\n')
}
