import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, outputFlag, outputFormat, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {Progress} from '../cli/progress.js'
import {withDeadline} from '../lib/kube/deadline.js'
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
    const progress = new Progress(this.color)
    const timeoutMs = flags.timeout
    // The wait until everything is gone times out at --timeout with the list of what is left; this bounds the
    // requests before it too (a delete that stops half-way is finished by running it again).
    const result = await withDeadline(
      timeoutMs,
      {
        what: `delete of vCluster ${args.name}`,
        graceMs: 5000,
        hint: 'Run the delete again: it picks up where it stopped.',
      },
      () =>
        deleteVCluster({
          name: args.name,
          kube: kubeTarget(flags),
          keepPvc: flags['keep-pvc'],
          deleteNamespace: flags['delete-namespace'],
          ignoreNotFound: flags['ignore-not-found'],
          wait: flags.wait,
          timeoutMs,
          onProgress: (message) => progress.done(message),
        }),
    ).finally(() => progress.stop())
    this.emit(result, outputFormat(flags))
    for (const left of result.leftBehind) {
      this.note(
        this.color.yellow(
          `warning: vCluster ${result.name} may have left ${left.what}, which you may not remove (cluster-wide rights). A cluster admin can run:\n  ${left.command}`,
        ),
      )
    }
    if (!result.deleted) this.note(`vCluster ${args.name} not found; nothing to delete.`)
    else
      this.note(
        `vCluster ${result.name} deleted from namespace ${result.namespace}${result.keptClaims.length > 0 ? `; kept claims: ${result.keptClaims.join(', ')}` : ''}.`,
      )
    return result
  }
}
