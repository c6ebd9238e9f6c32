import {Flags} from '@oclif/core'
import type {KubeTarget} from '../lib/kube/client.js'
import {parseDuration} from '../lib/ui/duration.js'
import {NAMESPACE_RULES, type NamespaceRule} from '../lib/vcluster/names.js'

/**
 * Flags of every command that talks to a host cluster, resolved as kubectl resolves them; `-n`'s default depends on
 * the command's namespace rule, decided and described in one place (NAMESPACE_RULES, lib/vcluster/names.ts).
 */
export function kubeFlags(rule: NamespaceRule) {
  return {
    kubeconfig: Flags.string({
      description: 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).',
      helpGroup: 'KUBE',
    }),
    context: Flags.string({
      description: 'Kubeconfig context to use (default: its current context).',
      helpGroup: 'KUBE',
    }),
    namespace: Flags.string({char: 'n', description: NAMESPACE_RULES[rule], helpGroup: 'KUBE'}),
  }
}

/** Values flags shared by validate, create and upgrade. */
export const valuesFlags = {
  values: Flags.string({
    char: 'f',
    description:
      'vcluster.yaml values file; repeat to merge several in order (maps merge, lists replace); - reads stdin.',
    multiple: true,
    multipleNonGreedy: true,
  }),
  set: Flags.string({
    description: 'Set a value on top of the files, e.g. controlPlane.proxy.extraSANs[0]=my.host; repeatable.',
    multiple: true,
    multipleNonGreedy: true,
  }),
}

export function outputFlag(options: string[], description: string) {
  return {
    output: Flags.string({char: 'o', description, options}),
    json: Flags.boolean({description: 'Same as -o json.', exclusive: ['output']}),
  }
}

/**
 * The one `--timeout` of every command that talks to a cluster: a duration (`90s`, `5m`, `1h30m`, plain seconds)
 * parsed here into milliseconds, so a command reads `flags.timeout` as a number. It bounds the whole command
 * (withDeadline, lib/kube/deadline.ts), credential plugins included; a bad value is a usage error (exit 2).
 */
export function timeoutFlag(defaultText: string, description: string) {
  return Flags.custom<number>({
    description,
    default: parseDuration(defaultText),
    defaultHelp: async () => defaultText,
    parse: async (input) => parseDuration(input),
  })()
}

/** The output format the flags ask for: `--json` is `-o json`; undefined is the command's text. */
export function outputFormat(flags: {json?: boolean; output?: string}): string | undefined {
  return flags.json === true ? 'json' : flags.output
}

/** The host-cluster target from the kube flags, as lib functions take it. */
export function kubeTarget(flags: {
  kubeconfig?: string
  context?: string
  namespace?: string
  timeout?: number
}): KubeTarget {
  return {kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace, timeoutMs: flags.timeout}
}
