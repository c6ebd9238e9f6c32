import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, timeoutFlag} from '../cli/flags.js'
import {upstreamFlags} from '../cli/upstream-flags.js'
import {disconnectContext} from '../lib/kubeconfig/contexts.js'
import {existingKubeconfigFiles} from '../lib/kubeconfig/resolve.js'

export default class Disconnect extends BaseCommand {
  static override summary = 'Switch back from a vCluster context to the context that was current before connect.'

  static override description =
    'Reads the context connect remembered in the vCluster context (a kubeconfig extension); falls back to the host ' +
    'context named in vcluster_<name>_<namespace>_<host context>. The vCluster entries stay in the kubeconfig ' +
    '(delete removes them). Needs no cluster access.'

  static override examples = ['<%= config.bin %> disconnect']

  static override flags = {
    ...upstreamFlags('disconnect'),
    kubeconfig: kubeFlags('find').kubeconfig,
    context: Flags.string({
      description: 'The vCluster context to switch away from (default: the current context).',
      helpGroup: 'KUBE',
    }),
    timeout: timeoutFlag(
      '15s',
      'How long to wait while another kubectl or vcluster holds the kubeconfig lock, e.g. 15s.',
    ),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Disconnect)
    const files = existingKubeconfigFiles(flags.kubeconfig, {
      required: true,
      hint: 'Point --kubeconfig or KUBECONFIG at the kubeconfig connect wrote to.',
    })
    const {from, to} = await disconnectContext(files, flags.context, flags.timeout)
    this.note(`Switched back to context ${to} (from ${from}).`)
  }
}
