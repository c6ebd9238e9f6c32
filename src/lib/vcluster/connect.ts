import {createServer} from 'node:net'
import {NotFoundError} from '../errors.js'
import {stringify} from 'yaml'
import {withDeadline} from '../kube/deadline.js'
import {startPortForward, type ForwardEvent, type PortForwarder} from '../kube/port-forward.js'
import {noProgress, seconds, type ProgressEvent, type ProgressSink} from '../ui/progress.js'
import {
  restoreContext,
  standaloneKubeconfig,
  writeVClusterContexts,
  type VClusterContext,
} from '../kubeconfig/contexts.js'
import {forwardEndpoint} from './connect-endpoint.js'
import {prepareConnect, type ConnectTarget, type TargetOptions} from './connect-target.js'
import {runWithKubeconfig, type SignalHook} from './run-command.js'
import {waitUntilAnswers, type VClusterAccess} from './vcluster-api.js'
import {serviceAccountUser, type ServiceAccountRequest} from './connect-service-account.js'
import {YAML_1_1_SAFE} from '../manifests/yaml-emit.js'
import {vclusterSelector} from '../kube/object.js'

/** The vCluster's API port in its pod (`controlPlane.proxy.port`). */
const VCLUSTER_PORT = 8443

export type ConnectMode =
  | {type: 'foreground'; updateCurrent: boolean; untilStopped: () => Promise<unknown>}
  | {type: 'command'; argv: string[]; signals: SignalHook}
  | {type: 'print'}

export interface ConnectOptions extends TargetOptions {
  localPort?: number
  /** A token of this service account instead of the admin certificate (serviceAccountRequest parses the flags). */
  serviceAccount?: ServiceAccountRequest
  mode: ConnectMode
}

export type ConnectResult =
  | {type: 'print'; kubeconfig: string}
  | {type: 'command'; exitCode: number; startError?: string}
  | {type: 'foreground'; context: string; restored?: string}

/** `vcluster connect`: one of three modes, all sharing discovery, readiness, certificate checks and the forward. */
export async function connectVCluster(options: ConnectOptions): Promise<ConnectResult> {
  const emit = options.onProgress ?? noProgress
  forwardEndpoint(options) // a bad --pod or --address is a usage error before anything is sent
  const serviceAccount = options.serviceAccount
  let target: ConnectTarget | undefined
  let forward: PortForwarder | undefined
  try {
    // Everything up to a working context is bounded by --timeout (with room for the readiness diagnosis); what
    // follows, the command or forwarding until Ctrl-C, is the job and is not (lib/kube/deadline.ts).
    const policy = {what: `connect to vCluster ${options.name}`, endsWith: 'diagnosis'} as const
    const ready = await withDeadline(options.timeoutMs, policy, async (deadline) => {
      target = await prepareConnect({...options, timeoutMs: deadline.remainingMs()})
      if (target.endpoint.kind === 'server')
        emit({
          kind: 'done',
          message: `using ${target.endpoint.source === 'loadbalancer' ? 'the LoadBalancer address' : '--server'} ${target.endpoint.url}`,
        })
      const printOnly = options.mode.type === 'print' && serviceAccount === undefined
      if (target.endpoint.kind === 'forward' && !printOnly)
        forward = await openForward(target, options.localPort, deadline.remainingMs(), emit)
      const server =
        target.endpoint.kind === 'server'
          ? target.endpoint.url
          : forward !== undefined
            ? forwardServer(target.endpoint.host, forward.port)
            : await printServer(
                target,
                target.endpoint.host,
                options.localPort ?? (await freePort(stablePort(target))),
                emit,
              )
      const access: VClusterAccess = {...target.access, server, insecure: options.insecure}
      const onWaiting = (why: string) =>
        emit({kind: 'wait', message: `waiting for ${server} to answer (${why}; up to --timeout)`})
      if (forward !== undefined || options.mode.type !== 'print') {
        const afterMs = await waitUntilAnswers(access, deadline.remainingMs(), onWaiting)
        emit({kind: 'done', message: `vCluster answers at ${server} after ${seconds(afterMs)}`})
      }
      if (serviceAccount !== undefined)
        access.user = await serviceAccountUser(access, serviceAccount, target.found.name, emit)
      return {target, context: vclusterContext(target, target.contextName, access)}
    })
    const {context} = ready
    if (options.mode.type === 'print')
      return {
        type: 'print',
        kubeconfig: stringify(standaloneKubeconfig(context), {lineWidth: 0, indentSeq: false, ...YAML_1_1_SAFE}),
      }
    if (options.mode.type === 'command') {
      return {
        type: 'command',
        ...(await runWithKubeconfig(options.mode.argv, standaloneKubeconfig(context), options.mode.signals)),
      }
    }
    return await foreground(ready.target, context, forward, options.mode, emit)
  } finally {
    await forward?.close()
    target?.client.close()
  }
}

async function foreground(
  target: ConnectTarget,
  context: VClusterContext,
  forward: PortForwarder | undefined,
  mode: Extract<ConnectMode, {type: 'foreground'}>,
  emit: ProgressSink,
): Promise<ConnectResult> {
  // Listening for Ctrl-C starts before the kubeconfig changes, so the switch is always undone.
  const stopped = forward === undefined ? undefined : mode.untilStopped()
  const sanContexts = perSanContexts(target, context)
  const files = target.client.selection.files
  const {previousContext} = await writeVClusterContexts(files, [context, ...sanContexts], mode.updateCurrent)
  contextsWritten(emit, context.contextName, mode.updateCurrent ? previousContext : undefined, sanContexts)
  if (stopped !== undefined) forwardingUntilStopped(emit, context.contextName, mode.updateCurrent, previousContext)
  if (stopped === undefined) return {type: 'foreground', context: context.contextName}
  await stopped
  await forward?.close()
  if (!mode.updateCurrent) return {type: 'foreground', context: context.contextName}
  const restored = await restoreContext(files, context.contextName, previousContext, context.server)
  emit({
    kind: 'done',
    message: restored
      ? `stopped forwarding; switched back to context ${previousContext}`
      : `stopped forwarding; the current context is no longer ${context.contextName}, so it stays as you set it`,
  })
  return {type: 'foreground', context: context.contextName, restored: restored ? previousContext : undefined}
}

async function openForward(
  target: ConnectTarget,
  localPort: number | undefined,
  timeoutMs: number,
  emit: ProgressSink,
): Promise<PortForwarder> {
  const {found, client} = target
  const pod = target.endpoint.kind === 'forward' ? target.endpoint.pod : undefined
  if (pod !== undefined && target.pods !== undefined && !target.pods.some((p) => p.metadata.name === pod)) {
    const pods = target.pods.map((p) => p.metadata.name).join(', ')
    throw new NotFoundError(
      `vCluster ${found.name} has no pod ${pod} in namespace ${found.namespace}`,
      `Its pods: ${pods || 'none'}. Leave out --pod to use the newest Ready one.`,
    )
  }
  const forward = await startPortForward({
    client,
    namespace: found.namespace,
    labelSelector: vclusterSelector(found.name),
    podName: pod,
    address: target.endpoint.kind === 'forward' ? target.endpoint.listen : undefined,
    remotePort: VCLUSTER_PORT,
    localPort,
    preferredPort: stablePort(target),
    podWaitMs: timeoutMs,
    knownPods: target.pods,
    // Opened ahead for the TLS check's connection and then the first one of the command (or of the user).
    spareStreams: 2,
    onEvent: (event) => emit(forwardProgress(event)),
  })
  emit({
    kind: 'done',
    message: `forwarding ${forwardServer(forward.address, forward.port).slice('https://'.length)} to pod ${forward.pod()} port ${VCLUSTER_PORT} through the host API server`,
  })
  return forward
}

/** What the forward says while it runs: a pod replaced, a stream lost and found again. */
function forwardProgress(event: ForwardEvent): ProgressEvent {
  switch (event.type) {
    case 'retrying':
      return {
        kind: 'warn',
        message: `lost the stream to vCluster pod ${event.pod ?? ''} (${event.reason.split('\n')[0]}); reconnecting`,
      }
    case 'pod-gone':
      return {
        kind: 'warn',
        message: `vCluster pod ${event.pod} is gone or not ready; new connections wait for its replacement`,
      }
    case 'pod-changed':
      return {kind: 'done', message: `vCluster pod ${event.replaced} was replaced; forwarding to pod ${event.pod}`}
    case 'recovered':
      return {kind: 'done', message: `forwarding to pod ${event.pod} again`}
    case 'connection-failed':
      return {kind: 'warn', message: `dropped a connection: ${event.reason}`}
  }
}

function contextsWritten(
  emit: ProgressSink,
  context: string,
  previous: string | undefined,
  sanContexts: VClusterContext[],
): void {
  emit({
    kind: 'done',
    message:
      previous === undefined
        ? `wrote context ${context} (current context unchanged)`
        : `switched to context ${context} (was ${previous || 'none'})`,
  })
  if (sanContexts.length > 0)
    emit({
      kind: 'done',
      message: `wrote contexts for the extraSANs (not switched to): ${sanContexts.map((c) => c.contextName).join(', ')}`,
    })
}

function forwardingUntilStopped(emit: ProgressSink, context: string, switched: boolean, previous: string): void {
  emit({
    kind: 'done',
    message: switched
      ? `use it: kubectl get namespaces    (context ${context})`
      : `use it: kubectl --context ${context} get namespaces`,
  })
  emit({
    kind: 'wait',
    message: `forwarding until you press Ctrl-C${switched ? `; then the context switches back to ${previous}` : ''}`,
  })
}

/** The URL the kubeconfig names for a forward on `host` (127.0.0.1, or the --address asked for). */
function forwardServer(host: string, port: number): string {
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** --print with a forward: the kubeconfig names a port that answers only while a forward runs there. */
function printServer(target: ConnectTarget, host: string, port: number, emit: ProgressSink): string {
  const server = forwardServer(host, port)
  const {name, namespace} = target.found
  emit({
    kind: 'warn',
    message:
      `the kubeconfig points at ${server}, which answers only while a forward runs there:\n` +
      `  vcluster connect ${name} -n ${namespace} --local-port ${port} --no-update-current\n` +
      '  (or pass --server with an address the vCluster is reachable at)',
  })
  return server
}

/**
 * The local port a forward to this vCluster tries first: the same on every connect, so kubectl's discovery cache
 * (kept per server address, ~/.kube/cache/discovery/127.0.0.1_PORT) is reused instead of refetched on each
 * `connect -- kubectl ...` (~100 ms), and no new cache directory is left behind each time. 20000-29999: below
 * Linux's ephemeral range; a port in use means a free one instead.
 */
export function stablePort(target: Pick<ConnectTarget, 'client' | 'found'>): number {
  let hash = 0x811c9dc5
  for (const c of Buffer.from(`${target.client.server}|${target.found.namespace}|${target.found.name}`))
    hash = Math.imul(hash ^ c, 0x01000193) >>> 0
  return 20_000 + (hash % 10_000)
}

/** The preferred port when it is free, else any free one. */
function freePort(preferred: number): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        const address = server.address()
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
      })
    })
  return attempt(preferred).catch(() => attempt(0))
}

function vclusterContext(target: ConnectTarget, contextName: string, access: VClusterAccess): VClusterContext {
  return {
    contextName,
    server: access.server,
    certificateAuthorityData: access.certificateAuthorityData,
    insecure: access.insecure,
    user: access.user,
    info: {name: target.found.name, namespace: target.found.namespace, hostContext: target.hostContext},
  }
}

/** One context per extraSAN (`https://<san>`), so reaching the vCluster by those names needs no hand-editing. */
function perSanContexts(target: ConnectTarget, main: VClusterContext): VClusterContext[] {
  if (target.endpoint.kind === 'server' && target.endpoint.source === 'flag') return []
  return target.extraSans
    .filter((san) => !san.startsWith('*'))
    .map((san) => ({
      ...main,
      contextName: `${main.contextName}_${san}`,
      server: `https://${san.includes(':') ? `[${san}]` : san}`,
    }))
}
