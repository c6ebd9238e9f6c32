import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {insecureWarning, processSignals, untilStopSignal} from '../cli/connect-view.js'
import {kubeFlags, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {upstreamFlags} from '../cli/upstream-flags.js'
import {UsageError} from '../lib/errors.js'
import {parseDuration} from '../lib/ui/duration.js'
import {serviceAccountRequest} from '../lib/vcluster/connect-service-account.js'
import {connectVCluster, type ConnectMode, type ConnectResult} from '../lib/vcluster/connect.js'

export default class Connect extends BaseCommand {
  static override summary =
    'Connect to a virtual cluster: a kubeconfig context through a port-forward, or run one command.'

  static override description =
    'Waits until the vCluster is ready, reads its kubeconfig (Secret vc-<name>) and, by default, forwards a local ' +
    'port to its API through the host API server, writes the context vcluster_<name>_<namespace>_<host context>, ' +
    'switches to it and stays in the foreground; Ctrl-C switches back. With `-- COMMAND` it runs the command with a ' +
    'private kubeconfig instead and returns its exit code (the CI path). --server checks the host against the ' +
    "vCluster's certificate names (defaults plus controlPlane.proxy.extraSANs)."

  static override examples = [
    '<%= config.bin %> connect demo',
    '<%= config.bin %> connect demo -n team-a -- kubectl get namespaces',
    '<%= config.bin %> connect demo --server https://vc.example.com',
    '<%= config.bin %> connect demo --server vc.example.com --print > demo.kubeconfig',
  ]

  static override usage = 'connect NAME [FLAGS] [-- COMMAND [ARGS...]]'

  static override args = {name: Args.string({description: 'vCluster name', required: true})}

  static override flags = {
    ...upstreamFlags('connect'),
    ...kubeFlags('find'),
    server: Flags.string({
      description:
        'Use this URL instead of a port-forward (a LoadBalancer, ingress or any extraSAN); https:// is added if missing.',
    }),
    insecure: Flags.boolean({
      description:
        "Do not verify the vCluster's certificate (writes insecure-skip-tls-verify; skips the --server name check).",
    }),
    'local-port': Flags.integer({
      description:
        'Local port of the forward on 127.0.0.1 (default: one in 20000-29999 that is the same for this vCluster each time, else a free one).',
      min: 1,
      max: 65_535,
    }),
    print: Flags.boolean({description: 'Print the kubeconfig to stdout and change no file.'}),
    'kube-config-context-name': Flags.string({
      description: 'Context name to write (default: vcluster_<name>_<namespace>_<host context>).',
    }),
    'update-current': Flags.boolean({
      description: 'Switch to the written context (--no-update-current only writes it).',
      default: true,
      allowNo: true,
    }),
    'service-account': Flags.string({
      description:
        'Use a token of this service account in the vCluster (NAMESPACE/NAME, or NAME in kube-system) instead of the admin certificate.',
    }),
    'cluster-role': Flags.string({
      description:
        'With --service-account: create the account if missing and bind this ClusterRole to it (ClusterRoleBinding vcluster-sa-NAME-NAMESPACE, as upstream).',
    }),
    'token-expiration': Flags.custom<number>({
      description:
        'With --service-account: how long the token lives, e.g. 1h or 720h, or seconds as upstream (default: 10 years; at least 10m).',
      parse: async (input) => parseDuration(input, '--token-expiration') / 1000,
    })(),
    pod: Flags.string({
      description: 'Forward to this pod of the vCluster (e.g. NAME-0) instead of its newest Ready one.',
    }),
    address: Flags.string({
      description:
        'Local address the forward listens on: an IP of this machine, or localhost (default 127.0.0.1). A wildcard (0.0.0.0, ::) is reached at 127.0.0.1; another IP must be in the certificate (extraSANs) or --insecure.',
    }),
    timeout: timeoutFlag('5m', 'How long to wait for the vCluster to be ready, e.g. 90s, 5m.'),
    'no-resume': Flags.boolean({description: 'Fail instead of resuming a paused vCluster.'}),
  }

  async run(): Promise<ConnectResult> {
    const {argv, command} = splitCommand(this.argv)
    const {args, flags} = await this.parse(Connect, argv)
    const mode = this.mode(command, flags)
    if (flags.insecure) this.note(insecureWarning(this.color))
    const result = await connectVCluster({
      name: args.name,
      kube: kubeTarget(flags),
      timeoutMs: flags.timeout,
      server: flags.server,
      insecure: flags.insecure,
      contextName: flags['kube-config-context-name'],
      localPort: flags['local-port'],
      pod: flags.pod,
      address: flags.address,
      serviceAccount: serviceAccountRequest({
        serviceAccount: flags['service-account'],
        clusterRole: flags['cluster-role'],
        tokenExpirationSeconds: flags['token-expiration'],
      }),
      noResume: flags['no-resume'],
      mode,
      onProgress: this.progress.sink,
    })
    this.emit(result, undefined, {
      text: (r) => (r.type === 'print' ? r.kubeconfig : undefined),
      notes: (r, color) =>
        r.type === 'command' && r.startError !== undefined ? [`${color.red('error:')} ${r.startError}`] : [],
    })
    if (result.type === 'command' && result.exitCode !== 0) this.exit(result.exitCode)
    return result
  }

  /** print, run a command (after --), or forward in the foreground; the last two handle signals themselves. */
  private mode(command: string[] | undefined, flags: {print: boolean; 'update-current': boolean}): ConnectMode {
    if (command !== undefined && command.length === 0)
      throw new UsageError(
        'nothing to run after --',
        'Write the command after it: vcluster connect NAME -- kubectl get ns',
      )
    if (command !== undefined && flags.print)
      throw new UsageError('--print and a command (after --) cannot be combined')
    if (flags.print) return {type: 'print'}
    if (command !== undefined)
      return {
        type: 'command',
        argv: command,
        signals: (listener) => {
          // The command gets our signals from here on and decides how to end; its exit code is ours.
          this.releaseInterrupt()
          return processSignals(listener)
        },
      }
    return {
      type: 'foreground',
      updateCurrent: flags['update-current'],
      untilStopped: () => {
        // Forwarding: Ctrl-C is how a person stops it; the context is switched back and the exit code is 0.
        this.releaseInterrupt()
        return untilStopSignal()
      },
    }
  }
}
/** Everything after the first `--` is the command; oclif would otherwise parse its flags as ours. */
export function splitCommand(raw: readonly string[]): {argv: string[]; command?: string[]} {
  const at = raw.indexOf('--')
  const argv = (at < 0 ? raw : raw.slice(0, at)).map((a) =>
    a === '--update-current=false' ? '--no-update-current' : a === '--update-current=true' ? '--update-current' : a,
  )
  return at < 0 ? {argv} : {argv, command: raw.slice(at + 1)}
}
