import {Args, Flags} from '@oclif/core'
import {BaseCommand, type EmitOptions} from '../cli/base-command.js'
import {kubeFlags, outputFlag, outputFormat, valuesFlags, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {upstreamFlags} from '../cli/upstream-flags.js'
import {isInteractive, untilStopSignal} from '../cli/connect-view.js'
import {UsageError} from '../lib/errors.js'
import {renderDeployerRole, renderDryRun, type DeployerRole} from '../lib/vcluster/dry-run.js'
import type {KubeObject} from '../lib/kube/object.js'
import {createVCluster, type CreateResult} from '../lib/vcluster/create.js'
import {toYamlText} from '../lib/manifests/yaml-emit.js'

export default class Create extends BaseCommand {
  static override summary = 'Create a virtual cluster in a host namespace (or converge an interrupted create).'

  static override description =
    'Validates the config, checks your permissions, renders the vCluster objects and server-side applies them ' +
    'in dependency order, then waits until the control plane is ready. No Helm, no cluster-admin: rights in the ' +
    'target namespace are enough. Re-running an identical create converges; a changed config needs --upgrade.'

  static override examples = [
    '<%= config.bin %> create demo',
    '<%= config.bin %> create demo -n team-a -f vcluster.yaml --set controlPlane.proxy.extraSANs[0]=vc.example.com',
    '<%= config.bin %> create demo --dry-run=client -o yaml   # print the manifests, no cluster needed',
    '<%= config.bin %> create demo -n team-a --dry-run=client --print-role --for-user alice | kubectl apply -f -   # as a cluster admin',
  ]

  static override args = {name: Args.string({description: 'vCluster name', required: true})}

  static override flags = {
    ...upstreamFlags('create'),
    ...kubeFlags('create'),
    ...valuesFlags,
    'create-namespace': Flags.boolean({
      description: 'Create the namespace if missing (marked so delete removes it).',
      default: true,
      allowNo: true,
    }),
    expose: Flags.boolean({description: 'Expose the control plane with a LoadBalancer Service.'}),
    upgrade: Flags.boolean({description: 'Change an existing vCluster (same as `vcluster upgrade`).'}),
    wait: Flags.boolean({description: 'Wait until the control plane is ready.', default: true, allowNo: true}),
    timeout: timeoutFlag('5m', 'How long to wait, e.g. 90s, 5m.'),
    connect: Flags.boolean({
      description:
        'On a terminal, connect afterwards (foreground until Ctrl-C); without one it never blocks and prints how to connect.',
      default: true,
      allowNo: true,
    }),
    print: Flags.boolean({
      description:
        'Once ready, print a kubeconfig for the vCluster to stdout (as `connect --print`) instead of connecting.',
      exclusive: ['output', 'json', 'dry-run'],
    }),
    'kube-config-context-name': Flags.string({
      description: 'Context name connect (or --print) writes (default: vcluster_<name>_<namespace>_<host context>).',
    }),
    'dry-run': Flags.string({
      description: 'client: print the manifests without a cluster; server: send them with dryRun.',
      options: ['client', 'server'],
    }),
    ...outputFlag(['yaml', 'json'], 'Print the result (or with --dry-run the manifests) as yaml or json.'),
    'print-role': Flags.boolean({
      description:
        'With --dry-run=client: print, instead of the manifests, the Role a cluster admin grants so a user may run every vcluster command on this vCluster with this config.',
    }),
    'for-user': Flags.string({
      description: 'With --print-role: also print a RoleBinding for this user; repeatable.',
      multiple: true,
      dependsOn: ['print-role'],
    }),
    'for-group': Flags.string({
      description: 'With --print-role: also print a RoleBinding for this group; repeatable.',
      multiple: true,
      dependsOn: ['print-role'],
    }),
    'for-service-account': Flags.string({
      description:
        'With --print-role: also print a RoleBinding for this service account (NAMESPACE/NAME, or NAME in the vCluster namespace); repeatable.',
      multiple: true,
      dependsOn: ['print-role'],
    }),
  }

  async run(): Promise<CreateResult | DeployerRole | RenderedManifests> {
    const {args, flags} = await this.parse(Create)
    const output = outputFormat(flags)
    if (flags['print-role']) return this.printRole(args.name, flags, output)
    if (flags['dry-run'] === 'client') return this.printManifests(args.name, flags, output)
    const result = await createVCluster({
      name: args.name,
      kube: kubeTarget(flags),
      files: flags.values,
      sets: flags.set,
      createNamespace: flags['create-namespace'],
      expose: flags.expose,
      upgrade: flags.upgrade,
      wait: flags.wait,
      timeoutMs: flags.timeout,
      dryRun: flags['dry-run'] === 'server' ? 'server' : undefined,
      onProgress: this.progress.sink,
    })
    const connectNow = flags.connect && !flags.print && output === undefined && result.ready && isInteractive()
    this.emit(result, output, createdView(connectNow || flags.print))
    // Created: from here Ctrl-C stops the forward (and switches the context back), it interrupts nothing.
    if (connectNow || flags.print) await this.connectAfter(result, flags)
    return result
  }

  /** `--dry-run=client --print-role`: the Role a cluster admin grants, as YAML with a header (or a JSON List). */
  private async printRole(name: string, flags: DryRunFlags, output: string | undefined): Promise<DeployerRole> {
    if (flags['dry-run'] !== 'client')
      throw new UsageError(
        '--print-role needs --dry-run=client',
        `vcluster create ${name} --dry-run=client --print-role [-n NS] [-f values] [--for-user NAME]`,
      )
    const role = await renderDeployerRole({
      ...dryRunInput(name, flags),
      for: {users: flags['for-user'], groups: flags['for-group'], serviceAccounts: flags['for-service-account']},
    })
    return this.emit(role, output === 'json' ? 'json' : undefined, {
      problems: (r) => r.warnings,
      data: (r) => asList(r.objects),
      text: (r) => roleYaml(name, r),
    })
  }

  /** `--dry-run=client`: the manifests, as a YAML stream (or a JSON List), without a cluster. */
  private async printManifests(name: string, flags: DryRunFlags, output: string | undefined) {
    return this.emit(await renderDryRun(dryRunInput(name, flags)), output === 'json' ? 'json' : undefined, {
      problems: (r) => r.warnings,
      data: (r) => asList(r.objects),
      text: (r) => yamlStream(r.objects),
    })
  }

  /**
   * The same foreground connect as `vcluster connect NAME -n NS` (its progress says how to use it), or with --print
   * the kubeconfig `connect --print` prints.
   */
  private async connectAfter(
    result: CreateResult,
    flags: {
      kubeconfig?: string
      context?: string
      timeout: number
      print: boolean
      'kube-config-context-name'?: string
    },
  ): Promise<void> {
    if (!flags.print) this.releaseInterrupt()
    // Loaded only when connecting: `--no-connect` (CI) skips compiling the connect path.
    const {connectVCluster} = await import('../lib/vcluster/connect.js')
    const connected = await connectVCluster({
      name: result.name,
      kube: {kubeconfig: flags.kubeconfig, context: flags.context, namespace: result.namespace},
      timeoutMs: flags.timeout,
      contextName: flags['kube-config-context-name'],
      mode: flags.print ? {type: 'print'} : {type: 'foreground', updateCurrent: true, untilStopped: untilStopSignal},
      onProgress: this.progress.sink,
    })
    if (connected.type === 'print') this.out(connected.kubeconfig)
  }
}

interface DryRunFlags {
  namespace?: string
  kubeconfig?: string
  context?: string
  values?: string[]
  set?: string[]
  expose: boolean
  'dry-run'?: string
  'for-user'?: string[]
  'for-group'?: string[]
  'for-service-account'?: string[]
}

function dryRunInput(name: string, flags: DryRunFlags) {
  const {namespace, kubeconfig, context, values: files, set: sets, expose} = flags
  return {name, namespace, kubeconfig, context, files, sets, expose}
}

/** What create prints: the manifests of a server dry run, else what happened and how to connect, on stderr. */
function createdView(connecting: boolean): EmitOptions<CreateResult> {
  return {
    problems: (r) => r.warnings,
    text: (r) => (r.dryRun ? yamlStream(r.manifests ?? []) : undefined),
    notes: (r) => {
      if (r.dryRun) return []
      const verb = r.action === 'unchanged' ? 'is up to date' : r.action === 'upgraded' ? 'upgraded' : 'created'
      const done = `vCluster ${r.name} ${verb} in namespace ${r.namespace}${r.ready ? ' and ready' : ''}.`
      if (connecting) return [done]
      return [
        done,
        `Connect:  vcluster connect ${r.name} -n ${r.namespace}`,
        `Or in CI: vcluster connect ${r.name} -n ${r.namespace} -- kubectl get ns`,
      ]
    },
  }
}

type RenderedManifests = Awaited<ReturnType<typeof renderDryRun>>

/** Objects as one kubectl List (what -o json prints for manifests). */
function asList(objects: readonly KubeObject[]): {apiVersion: 'v1'; kind: 'List'; items: readonly KubeObject[]} {
  return {apiVersion: 'v1', kind: 'List', items: objects}
}

/** Objects as a YAML stream for kubectl apply -f. */
function yamlStream(objects: readonly KubeObject[]): string {
  return objects.map((o) => toYamlText(o)).join('---\n')
}

/** The Role as `kubectl apply -f -` input, with a header saying what it is for and what it leaves out. */
function roleYaml(name: string, role: DeployerRole): string {
  const header = [
    `# Rights to create, list, describe, connect to, upgrade, pause, resume and delete vCluster ${name}`,
    `# in namespace ${role.namespace} with this config (${role.ruleCount} rules). Apply as a cluster admin: kubectl apply -f <this file>.`,
    `# The namespace must exist (kubectl create namespace ${role.namespace}); creating namespaces is not in a Role.`,
    ...(role.clusterWide ? ['# This config needs cluster-wide rights too: the ClusterRole below.'] : []),
  ]
  return `${header.join('\n')}\n${role.objects.map((o) => toYamlText(o)).join('---\n')}`
}
