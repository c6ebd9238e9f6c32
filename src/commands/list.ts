import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, kubeTarget, outputFormat, timeoutFlag} from '../cli/flags.js'
import {connectKube} from '../lib/kube/client.js'
import {withDeadline} from '../lib/kube/deadline.js'
import {formatAge, formatTable} from '../lib/ui/duration.js'
import {listVClusters, type ListResult, type VClusterListItem} from '../lib/vcluster/list.js'

export default class List extends BaseCommand {
  static override summary = 'List virtual clusters (all namespaces unless -n).'

  static override aliases = ['ls']

  static override description =
    'Finds vClusters by label (also those made by the upstream CLI or its Helm chart) with a fixed number of API ' +
    'requests, however many there are. JSON keys match the upstream CLI: Name, Namespace, Status, Version, ' +
    'Connected, Created, AgeSeconds; an empty list is [].'

  static override examples = ['<%= config.bin %> list', '<%= config.bin %> list -n team-a -o json']

  static override flags = {
    ...kubeFlags('list'),
    'all-namespaces': Flags.boolean({
      char: 'A',
      description: 'List in all namespaces (the default unless -n is given).',
    }),
    output: Flags.string({
      char: 'o',
      description: 'Output format.',
      options: ['table', 'json', 'yaml'],
      default: 'table',
    }),
    json: Flags.boolean({description: 'Same as -o json.'}),
    timeout: timeoutFlag(
      '1m',
      'Give up (exit 6) when the API server has not answered everything within this, e.g. 30s, 2m.',
    ),
  }

  async run(): Promise<ListResult> {
    const {flags} = await this.parse(List)
    const namespace = flags['all-namespaces'] ? undefined : flags.namespace
    const result = await withDeadline(flags.timeout, {what: 'listing vClusters'}, async () => {
      const client = await connectKube(kubeTarget(flags))
      return listVClusters(client, {namespace}).finally(() => client.close())
    })
    if (result.fellBackToNamespace !== undefined) {
      this.note(
        this.color.yellow(
          `! listing all namespaces is forbidden; showing namespace ${result.fellBackToNamespace} only`,
        ),
      )
    }
    const output = outputFormat(flags)
    if ((output === undefined || output === 'table') && result.items.length === 0) {
      this.note(
        `No vClusters found${namespace === undefined ? '' : ` in namespace ${namespace}`}. Create one: vcluster create NAME`,
      )
    }
    return this.emit(result, output === 'table' ? undefined : output, {
      data: (r) => r.items,
      text: (r) => (r.items.length === 0 ? undefined : table(r.items)),
      jsonIndent: 4,
    })
  }
}

function table(items: VClusterListItem[]): string {
  const rows = items.map((i) => [
    i.Name,
    i.Namespace,
    i.Status,
    i.Version,
    i.Connected ? 'True' : '',
    formatAge(i.AgeSeconds),
  ])
  return formatTable(['NAME', 'NAMESPACE', 'STATUS', 'VERSION', 'CONNECTED', 'AGE'], rows)
}
