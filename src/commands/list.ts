import {Flags} from '@oclif/core'
import type {ChalkInstance} from 'chalk'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, kubeTarget, outputFormat, timeoutFlag} from '../cli/flags.js'
import {upstreamFlags} from '../cli/upstream-flags.js'
import {formatAge, formatTable} from '../lib/ui/duration.js'
import {listVClustersAt, type ListResult, type VClusterListItem} from '../lib/vcluster/list.js'

export default class List extends BaseCommand {
  static override summary = 'List virtual clusters (all namespaces unless -n).'

  static override aliases = ['ls']

  static override description =
    'Finds vClusters by label (also those made by the upstream CLI or its Helm chart) with a fixed number of API ' +
    'requests, however many there are. JSON keys match the upstream CLI: Name, Namespace, Status, Version, ' +
    'Connected, Created, AgeSeconds; an empty list is [].'

  static override examples = ['<%= config.bin %> list', '<%= config.bin %> list -n team-a -o json']

  static override flags = {
    ...upstreamFlags('list'),
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
    const result = await listVClustersAt(kubeTarget(flags), {
      allNamespaces: flags['all-namespaces'],
      timeoutMs: flags.timeout,
    })
    const output = outputFormat(flags)
    return this.emit(result, output === 'table' ? undefined : output, {
      data: (r) => r.items,
      text: (r) => (r.items.length === 0 ? undefined : table(r.items)),
      jsonIndent: 4,
      notes: (r, color) => listNotes(r, color, output),
    })
  }
}

/** Listing all namespaces was refused; nothing found (as text). */
function listNotes(r: ListResult, color: ChalkInstance, output: string | undefined): string[] {
  const notes: string[] = []
  if (r.fellBackToNamespace !== undefined)
    notes.push(color.yellow(`! listing all namespaces is forbidden; showing namespace ${r.fellBackToNamespace} only`))
  if ((output === undefined || output === 'table') && r.items.length === 0)
    notes.push(
      `No vClusters found${r.namespace === undefined ? '' : ` in namespace ${r.namespace}`}. Create one: vcluster create NAME`,
    )
  return notes
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
