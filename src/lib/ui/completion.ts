/** What a shell asks for: the words after `vcluster`, the last one being the (possibly empty) word being typed. */
export interface CommandInfo {
  id: string
  aliases: string[]
  flags: {name: string; char?: string; takesValue: boolean}[]
}

export type CompletionRequest =
  | {kind: 'commands'; prefix: string}
  | {kind: 'flags'; command: CommandInfo; prefix: string}
  | {kind: 'vclusters'; command: CommandInfo; prefix: string; namespace?: string}
  | {kind: 'namespaces'; prefix: string}
  | {kind: 'none'}

/** Commands whose first argument is an existing vCluster's name. */
const NAME_COMMANDS = new Set(['connect', 'delete', 'upgrade', 'pause', 'resume', 'describe'])

/** Decides what to offer, without any I/O, so it can be tested and stay fast. */
export function completionRequest(words: readonly string[], commands: readonly CommandInfo[]): CompletionRequest {
  const current = words.at(-1) ?? ''
  const before = words.slice(0, -1)
  if (before.length === 0) return {kind: 'commands', prefix: current}
  const command = commands.find((c) => c.id === before[0] || c.aliases.includes(before[0] ?? ''))
  if (command === undefined) return {kind: 'none'}
  const previous = before.at(-1) ?? ''
  const flag = flagOf(command, previous)
  if (flag?.takesValue === true && !previous.includes('='))
    return flag.name === 'namespace' ? {kind: 'namespaces', prefix: current} : {kind: 'none'}
  if (current.startsWith('-')) return {kind: 'flags', command, prefix: current}
  if (before.includes('--')) return {kind: 'none'}
  const positionals = positionalsOf(command, before.slice(1))
  if (NAME_COMMANDS.has(command.id) && positionals.length === 0)
    return {kind: 'vclusters', command, prefix: current, namespace: namespaceOf(before)}
  return {kind: 'none'}
}

function flagOf(command: CommandInfo, word: string) {
  if (word.startsWith('--')) return command.flags.find((f) => f.name === word.slice(2).split('=')[0])
  if (/^-[a-zA-Z]$/.test(word)) return command.flags.find((f) => f.char === word[1])
  return undefined
}

function positionalsOf(command: CommandInfo, words: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? ''
    if (w.startsWith('-')) {
      if (flagOf(command, w)?.takesValue === true && !w.includes('=')) i++
    } else {
      out.push(w)
    }
  }
  return out
}

function namespaceOf(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? ''
    if (w === '-n' || w === '--namespace') return words[i + 1]
    if (w.startsWith('--namespace=')) return w.slice('--namespace='.length)
  }
  return undefined
}

export function completionScript(shell: 'bash' | 'zsh' | 'fish', bin: string): string {
  switch (shell) {
    case 'bash':
      return [
        `_${bin}_complete() {`,
        `  local IFS=$'\\n'`,
        `  COMPREPLY=( $(${bin} __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )`,
        '}',
        `complete -o default -F _${bin}_complete ${bin}`,
        '',
      ].join('\n')
    case 'zsh':
      return [
        `#compdef ${bin}`,
        `_${bin}() {`,
        `  local -a c`,
        `  c=("\${(@f)$(${bin} __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")`,
        '  compadd -a c',
        '}',
        `compdef _${bin} ${bin}`,
        '',
      ].join('\n')
    case 'fish':
      return `complete -c ${bin} -f -a '(${bin} __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'\n`
  }
}
