import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {completionScript} from '../lib/ui/completion.js'

export default class Completion extends BaseCommand {
  static override summary = 'Print a shell completion script (bash, zsh or fish).'

  static override description =
    'Completes commands, flags, vCluster names (for connect, delete, upgrade, pause, resume, describe) and ' +
    'namespaces, asking the current context with a short timeout and staying silent when it cannot.'

  static override examples = [
    'source <(<%= config.bin %> completion bash)        # add to ~/.bashrc',
    '<%= config.bin %> completion zsh > "${fpath[1]}/_vcluster"',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/vcluster.fish',
  ]

  static override args = {shell: Args.string({description: 'Shell', required: true, options: ['bash', 'zsh', 'fish']})}

  async run(): Promise<void> {
    const {args} = await this.parse(Completion)
    this.out(completionScript(args.shell as 'bash' | 'zsh' | 'fish', this.config.bin))
  }
}
