import {Command} from '@oclif/core'
import {completionRequest, type CommandInfo} from '../lib/ui/completion.js'

/** Called by the completion scripts; prints one candidate per line and never fails loudly. */
export default class Complete extends Command {
  static override hidden = true

  static override strict = false

  static override summary = 'Completion candidates (used by the completion scripts).'

  async run(): Promise<void> {
    const words = this.argv.length === 0 ? [''] : this.argv
    const commands: CommandInfo[] = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        id: c.id,
        aliases: c.aliases,
        flags: Object.entries(c.flags).map(([name, f]) => ({name, char: f.char, takesValue: f.type === 'option'})),
      }))
    const request = completionRequest(words, commands)
    const candidates = await candidatesFor(request, commands).catch(() => [])
    // Exit at once: a request cut off by the completion timeout must not keep the shell waiting.
    process.stdout.write(candidates.length > 0 ? `${candidates.join('\n')}\n` : '', () => process.exit(0))
  }
}

async function candidatesFor(
  request: ReturnType<typeof completionRequest>,
  commands: CommandInfo[],
): Promise<string[]> {
  switch (request.kind) {
    case 'commands':
      return [...new Set(commands.flatMap((c) => [c.id, ...c.aliases]))]
        .filter((id) => id.startsWith(request.prefix))
        .sort()
    case 'flags':
      return request.command.flags
        .map((f) => `--${f.name}`)
        .filter((f) => f.startsWith(request.prefix))
        .sort()
    case 'vclusters':
    case 'namespaces': {
      const {completeFromCluster} = await import('../lib/vcluster/complete.js')
      return completeFromCluster(request)
    }
    default:
      return []
  }
}
