import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {kubeFlags, outputFlag, outputFormat, valuesFlags, kubeTarget, timeoutFlag} from '../cli/flags.js'
import {Progress, showReadiness} from '../cli/progress.js'
import {ConnectView, isInteractive, untilStopSignal} from '../cli/connect-view.js'
import {connectVCluster} from '../lib/vcluster/connect.js'
import {UsageError} from '../lib/errors.js'
import {renderDeployerRole, renderDryRun, type DeployerRole} from '../lib/vcluster/dry-run.js'
import type {KubeObject} from '../lib/kube/object.js'
import {createVCluster, type CreateProgress, type CreateResult} from '../lib/vcluster/create.js'
import {withDeadline} from '../lib/kube/deadline.js'
import {DIAGNOSE_LIMIT_MS} from '../lib/kube/diagnose.js'
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
    if (flags['print-role']) {
      if (flags['dry-run'] !== 'client')
        throw new UsageError(
          '--print-role needs --dry-run=client',
          `vcluster create ${args.name} --dry-run=client --print-role [-n NS] [-f values] [--for-user NAME]`,
        )
      const role = await renderDeployerRole({
        name: args.name,
        namespace: flags.namespace,
        kubeconfig: flags.kubeconfig,
        context: flags.context,
        files: flags.values,
        sets: flags.set,
        expose: flags.expose,
        for: {users: flags['for-user'], groups: flags['for-group'], serviceAccounts: flags['for-service-account']},
      })
      this.warnProblems(role.warnings)
      // YAML is the Role as kubectl apply reads it, with its header.
      return this.emit(role, output === 'json' ? 'json' : undefined, {
        data: (r) => asList(r.objects),
        text: (r) => roleYaml(args.name, r),
      })
    }
    if (flags['dry-run'] === 'client') {
      const manifests = await renderDryRun({
        name: args.name,
        namespace: flags.namespace,
        kubeconfig: flags.kubeconfig,
        context: flags.context,
        files: flags.values,
        sets: flags.set,
        expose: flags.expose,
      })
      this.warnProblems(manifests.warnings)
      return this.emit(manifests, output === 'json' ? 'json' : undefined, {
        data: (r) => asList(r.objects),
        text: (r) => yamlStream(r.objects),
      })
    }
    const progress = new Progress(this.color)
    const timeoutMs = flags.timeout
    let result: CreateResult
    try {
      // The readiness wait times out at --timeout with a diagnosis; this bounds the requests around it too.
      result = await withDeadline(
        timeoutMs,
        {
          what: `create of vCluster ${args.name}`,
          graceMs: DIAGNOSE_LIMIT_MS + 5000,
          hint: `Run the same create again to finish (it converges), or remove what was made: vcluster delete ${args.name} (with the same --namespace/--context).`,
        },
        () =>
          createVCluster({
            name: args.name,
            kube: kubeTarget(flags),
            files: flags.values,
            sets: flags.set,
            createNamespace: flags['create-namespace'],
            expose: flags.expose,
            upgrade: flags.upgrade,
            wait: flags.wait,
            timeoutMs,
            dryRun: flags['dry-run'] === 'server' ? 'server' : undefined,
            onProgress: (event) => this.showProgress(progress, event, args.name),
          }),
      )
    } finally {
      progress.stop()
    }
    this.warnProblems(result.warnings)
    const connectNow = flags.connect && output === undefined && result.ready && isInteractive()
    this.printResult(result, output, connectNow)
    if (connectNow) {
      // Created: from here Ctrl-C stops the forward (and switches the context back), it interrupts nothing.
      this.releaseInterrupt()
      await this.connectAfter(result, flags)
    }
    return result
  }

  /** The same foreground connect as `vcluster connect NAME -n NS`. */
  private async connectAfter(
    result: CreateResult,
    flags: {kubeconfig?: string; context?: string; timeout: number},
  ): Promise<void> {
    const progress = new Progress(this.color)
    const view = new ConnectView(progress, this.color, {name: result.name, namespace: result.namespace})
    await connectVCluster({
      name: result.name,
      kube: {kubeconfig: flags.kubeconfig, context: flags.context, namespace: result.namespace},
      timeoutMs: flags.timeout,
      mode: {type: 'foreground', updateCurrent: true, untilStopped: untilStopSignal},
      onEvent: (event) => {
        view.show(event)
        if (event.type === 'contexts-written' && event.forwarding)
          this.note(
            `Use it: kubectl get namespaces. Forwarding until Ctrl-C; then the context switches back to ${event.previous}.`,
          )
      },
    }).finally(() => progress.stop())
  }

  private showProgress(progress: Progress, event: CreateProgress, name: string): void {
    switch (event.type) {
      case 'namespace-created':
        return progress.done(`created namespace ${event.namespace}`)
      case 'applied':
        if (event.count === event.total) progress.done(`applied ${event.total} objects`)
        else progress.step(`applying objects (${event.count}/${event.total})`)
        return
      case 'pod-scheduled':
        showReadiness(progress, event)
        return progress.step(`waiting for vCluster ${name} to be ready`)
      default:
        return showReadiness(progress, event, name)
    }
  }

  private printResult(result: CreateResult, output: string | undefined, connecting = false): void {
    this.emit(result, output, {text: (r) => (r.dryRun ? yamlStream(r.manifests ?? []) : undefined)})
    if (result.dryRun) return
    const verb = result.action === 'unchanged' ? 'is up to date' : result.action === 'upgraded' ? 'upgraded' : 'created'
    this.note(`vCluster ${result.name} ${verb} in namespace ${result.namespace}${result.ready ? ' and ready' : ''}.`)
    if (connecting) return
    this.note(`Connect:  vcluster connect ${result.name} -n ${result.namespace}`)
    this.note(`Or in CI: vcluster connect ${result.name} -n ${result.namespace} -- kubectl get ns`)
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
