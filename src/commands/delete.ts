import {Args, Flags} from '@oclif/core'
import type {ChalkInstance} from 'chalk'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, outputFlag, outputFormat, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {upstreamFlags} from '../cli/upstream-flags.js'
import {deleteVCluster, type DeleteResult} from '../lib/vcluster/delete.js'

export default class Delete extends BaseCommand {
  static override summary = 'Delete a virtual cluster and everything it made in its namespace.'

  static override aliases = ['rm']

  static override description =
    'Removes the objects create made, every volume claim of the vCluster (unless --keep-pvc), the objects it synced ' +
    'into the namespace, its Secrets, and the namespace when the CLI created it (or with --delete-namespace); with ' +
    'cluster-wide rights also what its syncer made outside the namespace (PriorityClasses, namespaces) and its ' +
    'ClusterRole, else a warning names them for a cluster admin. ' +
    'It confirms nothing labelled as the vCluster remains. Running it again is safe.'

  static override examples = [
    '<%= config.bin %> delete demo',
    '<%= config.bin %> delete demo -n team-a --keep-pvc --ignore-not-found',
  ]

  static override args = {name: Args.string({description: 'vCluster name', required: true})}

  static override flags = {
    ...upstreamFlags('delete'),
    ...kubeFlags('find'),
    'keep-pvc': Flags.boolean({description: 'Keep the volume claims (the data) for a later create.'}),
    'delete-namespace': Flags.boolean({description: 'Also delete the namespace, even if the CLI did not create it.'}),
    'ignore-not-found': Flags.boolean({description: 'Succeed when the vCluster does not exist.'}),
    wait: Flags.boolean({description: 'Wait until everything is gone.', default: true, allowNo: true}),
    timeout: timeoutFlag(
      '2m',
      'How long to wait for the API server and (with --wait) until everything is gone, e.g. 90s, 2m.',
    ),
    ...outputFlag(['json'], 'Print the result as json.'),
  }

  async run(): Promise<DeleteResult> {
    const {args, flags} = await this.parse(Delete)
    const result = await deleteVCluster({
      name: args.name,
      kube: kubeTarget(flags),
      keepPvc: flags['keep-pvc'],
      deleteNamespace: flags['delete-namespace'],
      ignoreNotFound: flags['ignore-not-found'],
      wait: flags.wait,
      timeoutMs: flags.timeout,
      onProgress: this.progress.sink,
    })
    return this.emit(result, outputFormat(flags), {notes: deletedNotes})
  }
}

/** What was left for a cluster admin, and what happened. */
function deletedNotes(r: DeleteResult, color: ChalkInstance): string[] {
  const left = r.leftBehind.map((l) =>
    color.yellow(
      `warning: vCluster ${r.name} may have left ${l.what}, which you may not remove (cluster-wide rights). A cluster admin can run:\n  ${l.command}`,
    ),
  )
  if (!r.deleted) return [...left, `vCluster ${r.name} not found; nothing to delete.`]
  const kept = r.keptClaims.length > 0 ? `; kept claims: ${r.keptClaims.join(', ')}` : ''
  return [...left, `vCluster ${r.name} deleted from namespace ${r.namespace}${kept}.`]
}
