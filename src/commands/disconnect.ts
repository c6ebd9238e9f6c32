import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, outputFlag, outputFormat, timeoutFlag} from '../cli/flags.js'
import {upstreamFlags} from '../cli/upstream-flags.js'
import {disconnect, type Disconnected} from '../lib/kubeconfig/contexts.js'

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
    ...outputFlag(['json', 'yaml'], 'Print the switch ({from, to}) as json or yaml.'),
  }

  async run(): Promise<Disconnected> {
    const {flags} = await this.parse(Disconnect)
    const result = await disconnect({
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      lockTimeoutMs: flags.timeout,
    })
    return this.emit(result, outputFormat(flags), {
      notes: (r) => [`Switched back to context ${r.to} (from ${r.from}).`],
    })
  }
}
