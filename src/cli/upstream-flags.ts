import {Flags} from '@oclif/core'
import {UsageError} from '../lib/errors.js'

/**
 * Upstream's flags (vCluster CLI 0.36.1, `vcluster <command> --help`) that ours does not take under the same name
 * with the same meaning, and what each does here. `test/conformance/flag-parity.test.ts` reads upstream's own help
 * and fails on a flag that is neither one of ours nor listed here; docs/decisions.md ("Upstream's flags") has why.
 * - `noop`: accepted and ignored, because upstream's meaning is what this CLI always does.
 * - `refuse`: a usage error (exit 2) naming the flag and what to do instead.
 * - `refuse-false`: upstream's default (true) is what this CLI does; `--x=false` is refused.
 */
export type Decision =
  | {kind: 'noop'; type: 'boolean' | 'option'; why: string}
  | {kind: 'refuse'; type: 'boolean' | 'option'; char?: string; instead: string}
  | {kind: 'refuse-false'; instead: string}

export type UpstreamCommand = 'create' | 'connect' | 'delete' | 'list' | 'pause' | 'resume' | 'describe' | 'disconnect'

const PLATFORM =
  'is a vCluster Platform flag; this CLI manages vClusters in a host namespace with your kubeconfig only (no platform). Use upstream\'s CLI with "--driver platform" for platform vClusters'

const platform = (type: 'boolean' | 'option', char?: string): Decision => ({
  kind: 'refuse',
  type,
  char,
  instead: PLATFORM,
})

const BACKGROUND_PROXY: Decision = {
  kind: 'noop',
  type: 'boolean',
  why: 'upstream falls back to a port-forward without Docker; this CLI always port-forwards (connect --server for a reachable address)',
}

const PROXY_IMAGE: Decision = {
  kind: 'refuse',
  type: 'option',
  instead:
    'there is no background proxy container here: connect port-forwards through the host API server (or use --server)',
}

/** Upstream's global flags, on every command. */
const GLOBAL: Record<string, Decision> = {
  config: {
    kind: 'refuse',
    type: 'option',
    instead:
      "is upstream's CLI config file (platform login, driver, telemetry); this CLI keeps none: pass flags, and --kubeconfig or KUBECONFIG for the cluster",
  },
  'log-output': {
    kind: 'refuse',
    type: 'option',
    instead:
      'progress and messages are plain text on stderr; for output a program reads, use --json or -o json (errors included)',
  },
  silent: {
    kind: 'refuse',
    type: 'boolean',
    char: 's',
    instead:
      'progress goes to stderr only, so stdout is data alone; drop progress with 2>/dev/null (the exit code still says how it went)',
  },
}

/** Per command, besides GLOBAL; `--driver` and `--debug` are real flags of ours (driverFlags). */
export const UPSTREAM_FLAGS: Record<UpstreamCommand, Record<string, Decision>> = {
  create: {
    add: {
      kind: 'noop',
      type: 'boolean',
      why: 'upstream adds the vCluster to a vCluster Platform only when logged in to one; this CLI never is',
    },
    'background-proxy': BACKGROUND_PROXY,
    'background-proxy-image': PROXY_IMAGE,
    'chart-name': chart(),
    'chart-repo': chart(),
    'chart-version': chart(),
    restore: {
      kind: 'refuse',
      type: 'option',
      instead:
        'snapshots are not supported by this CLI; restore with upstream\'s "vcluster restore", then manage it here',
    },
    'snapshot-temp-dir': {
      kind: 'refuse',
      type: 'option',
      instead: 'snapshots are not supported by this CLI (there is no --restore)',
    },
    annotations: platform('option'),
    cluster: platform('option'),
    description: platform('option'),
    'display-name': platform('option'),
    labels: platform('option', 'l'),
    link: platform('option'),
    parameters: platform('option'),
    params: platform('option'),
    project: platform('option'),
    recreate: platform('boolean'),
    'set-parameters': platform('option'),
    'set-params': platform('option'),
    'skip-wait': {
      kind: 'refuse',
      type: 'boolean',
      instead: 'is a vCluster Platform flag; here, --no-wait returns once the objects are applied',
    },
    team: platform('option'),
    template: platform('option'),
    'template-version': platform('option'),
    use: platform('boolean'),
    user: platform('option'),
  },
  connect: {
    'background-proxy': BACKGROUND_PROXY,
    'background-proxy-image': PROXY_IMAGE,
    project: platform('option'),
  },
  delete: {
    'auto-delete-namespace': {
      kind: 'refuse-false',
      instead:
        'delete removes the namespace only when create made it (marked vcluster.loft.sh/created); to keep such a namespace, remove that annotation first: kubectl annotate namespace NS vcluster.loft.sh/created-',
    },
    'delete-configmap': {
      kind: 'noop',
      type: 'boolean',
      why: "delete always removes every object labelled as the vCluster's, ConfigMaps included",
    },
    'delete-context': {
      kind: 'refuse-false',
      instead:
        "delete always removes the vCluster's kubeconfig contexts: they point at a vCluster that is gone. Copy one first with kubectl config view --minify --raw --context CTX",
    },
    project: platform('option'),
  },
  list: {},
  pause: {'prevent-wakeup': platform('option'), project: platform('option')},
  resume: {project: platform('option')},
  describe: {project: platform('option', 'p')},
  disconnect: {
    namespace: {
      kind: 'refuse',
      type: 'option',
      char: 'n',
      instead: 'disconnect needs no namespace: it switches back to the context that was current before connect',
    },
  },
}

function chart(): Decision {
  return {
    kind: 'refuse',
    type: 'option',
    instead:
      "this CLI renders the pinned vCluster release's objects itself, with no helm chart; another release needs the CLI version that pins it",
  }
}

/** Every decision for a command: its own and the global ones. */
export function decisionsFor(command: UpstreamCommand): Record<string, Decision> {
  return {...GLOBAL, ...UPSTREAM_FLAGS[command]}
}

/** The message a refused flag gives. */
export function refusalMessage(flag: string, decision: Decision): string {
  const text = decision.kind === 'noop' ? decision.why : decision.instead
  return /^(is|are) /.test(text) ? `--${flag} ${text}` : `--${flag} (upstream's) is not supported: ${text}`
}

/**
 * The hidden oclif flags that carry the decisions: a refused flag parses into a usage error, a no-op one into
 * nothing. Spread into a command's flags (`...upstreamFlags('create')`).
 */
export function upstreamFlags(command: UpstreamCommand) {
  const flags: Record<string, ReturnType<typeof hiddenFlag>> = {}
  for (const [name, decision] of Object.entries(decisionsFor(command))) flags[name] = hiddenFlag(name, decision)
  return command === 'disconnect' ? {...flags, debug: driverFlags.debug} : {...flags, ...driverFlags}
}

function hiddenFlag(name: string, decision: Decision) {
  const refuse = async (): Promise<never> => {
    throw new UsageError(refusalMessage(name, decision))
  }
  if (decision.kind === 'refuse-false')
    return Flags.boolean({hidden: true, allowNo: true, parse: async (value) => (value ? value : refuse())})
  const char = decision.kind === 'refuse' ? (decision.char as 'a' | undefined) : undefined
  const parse = decision.kind === 'refuse' ? refuse : undefined
  return decision.type === 'boolean'
    ? Flags.boolean({hidden: true, allowNo: true, char, parse: parse ?? (async (v: boolean) => v)})
    : Flags.string({hidden: true, char, parse: parse ?? (async (v: string) => v)})
}

/** Upstream's `--driver` and `--debug`, which mean here what they mean there. */
export const driverFlags = {
  driver: Flags.string({
    description: "Upstream's driver choice: only helm (a vCluster in a host namespace) is what this CLI manages.",
    parse: async (value) => {
      if (value === 'helm') return value
      if (value === 'platform' || value === 'docker')
        throw new UsageError(
          `--driver ${value}: this CLI manages vClusters in a host namespace (upstream's helm driver) only`,
          `Use upstream's CLI for the ${value} driver, or leave --driver out.`,
        )
      throw new UsageError(`--driver ${value}: expected helm (or leave it out)`)
    },
  }),
  debug: Flags.boolean({
    description: 'Print the stack trace of an unexpected error (same as VCLUSTER_DEBUG=1).',
    parse: async (value) => {
      // The command base reads VCLUSTER_DEBUG when it prints an error; set before anything can fail.
      if (value) process.env.VCLUSTER_DEBUG = '1'
      return value
    },
  }),
}
