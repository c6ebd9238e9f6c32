import {createServer} from 'node:net'
import {stringify} from 'yaml'
import {UsageError} from '../errors.js'
import {withDeadline} from '../kube/deadline.js'
import {DIAGNOSE_LIMIT_MS} from '../kube/diagnose.js'
import {startPortForward, type ForwardEvent, type PortForwarder} from '../kube/port-forward.js'
import type {ProgressEvent} from '../kube/wait.js'
import {
  restoreContext,
  standaloneKubeconfig,
  writeVClusterContexts,
  type VClusterContext,
} from '../kubeconfig/contexts.js'
import {prepareConnect, type ConnectTarget, type TargetOptions} from './connect-target.js'
import {runWithKubeconfig, type SignalHook} from './run-command.js'
import {serviceAccountToken, waitUntilAnswers, type VClusterAccess} from './vcluster-api.js'
import {YAML_1_1_SAFE} from '../manifests/yaml-emit.js'
import {vclusterSelector} from '../kube/object.js'

/** The vCluster's API port in its pod (`controlPlane.proxy.port`). */
const VCLUSTER_PORT = 8443
/** Upstream's default token lifetime for --service-account; the API server may shorten it. */
const TOKEN_SECONDS = 10 * 365 * 24 * 3600

export type ConnectMode =
  | {type: 'foreground'; updateCurrent: boolean; untilStopped: () => Promise<unknown>}
  | {type: 'command'; argv: string[]; signals: SignalHook}
  | {type: 'print'}

export type ConnectEvent =
  | {type: 'wait'; event: ProgressEvent | {type: 'waiting'; what: string}}
  | {type: 'forwarding'; address: string; port: number; pod: string}
  | {type: 'forward'; event: ForwardEvent}
  | {type: 'endpoint'; url: string; source: 'flag' | 'loadbalancer'}
  | {type: 'answering'; server: string; afterMs: number}
  | {
      type: 'contexts-written'
      context: string
      switched: boolean
      previous: string
      sanContexts: string[]
      forwarding: boolean
    }
  | {type: 'restored'; context: string}
  | {type: 'left-alone'; context: string}
  | {type: 'print-needs-forward'; port: number}

export interface ConnectOptions extends Omit<TargetOptions, 'onWait'> {
  localPort?: number
  /** `NS/NAME` or `NAME` (namespace kube-system, as upstream). */
  serviceAccount?: string
  mode: ConnectMode
  onEvent?: (event: ConnectEvent) => void
}

export type ConnectResult =
  | {type: 'print'; kubeconfig: string}
  | {type: 'command'; exitCode: number; startError?: string}
  | {type: 'foreground'; context: string; restored?: string}

/** `vcluster connect`: one of three modes, all sharing discovery, readiness, certificate checks and the forward. */
export async function connectVCluster(options: ConnectOptions): Promise<ConnectResult> {
  const emit = options.onEvent ?? (() => {})
  const serviceAccount = options.serviceAccount === undefined ? undefined : parseServiceAccount(options.serviceAccount)
  let target: ConnectTarget | undefined
  let forward: PortForwarder | undefined
  try {
    // Everything up to a working context is bounded by --timeout (with room for the readiness diagnosis); what
    // follows, the command or forwarding until Ctrl-C, is the job and is not.
    const deadline = {what: `connect to vCluster ${options.name}`, graceMs: DIAGNOSE_LIMIT_MS + 5000}
    const ready = await withDeadline(options.timeoutMs, deadline, async () => {
      target = await prepareConnect({...options, onWait: (event) => emit({type: 'wait', event})})
      if (target.endpoint.kind === 'server')
        emit({type: 'endpoint', url: target.endpoint.url, source: target.endpoint.source})
      const printOnly = options.mode.type === 'print' && serviceAccount === undefined
      if (target.endpoint.kind === 'forward' && !printOnly)
        forward = await openForward(target, options.localPort, options.timeoutMs, emit)
      const server =
        target.endpoint.kind === 'server'
          ? target.endpoint.url
          : `https://127.0.0.1:${forward?.port ?? (await printPort(options.localPort ?? (await freePort(stablePort(target))), emit))}`
      const access: VClusterAccess = {...target.access, server, insecure: options.insecure}
      const onWaiting = (why: string) =>
        emit({type: 'wait', event: {type: 'waiting', what: `${server} to answer (${why}; up to --timeout)`}})
      if (forward !== undefined || options.mode.type !== 'print')
        emit({type: 'answering', server, afterMs: await waitUntilAnswers(access, options.timeoutMs, onWaiting)})
      if (serviceAccount !== undefined)
        access.user = {
          token: await serviceAccountToken(
            access,
            serviceAccount.namespace,
            serviceAccount.name,
            TOKEN_SECONDS,
            target.found.name,
          ),
        }
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
  emit: (e: ConnectEvent) => void,
): Promise<ConnectResult> {
  // Listening for Ctrl-C starts before the kubeconfig changes, so the switch is always undone.
  const stopped = forward === undefined ? undefined : mode.untilStopped()
  const sanContexts = perSanContexts(target, context)
  const files = target.client.selection.files
  const {previousContext} = await writeVClusterContexts(files, [context, ...sanContexts], mode.updateCurrent)
  emit({
    type: 'contexts-written',
    context: context.contextName,
    switched: mode.updateCurrent,
    previous: previousContext,
    sanContexts: sanContexts.map((c) => c.contextName),
    forwarding: stopped !== undefined,
  })
  if (stopped === undefined) return {type: 'foreground', context: context.contextName}
  await stopped
  await forward?.close()
  if (!mode.updateCurrent) return {type: 'foreground', context: context.contextName}
  const restored = await restoreContext(files, context.contextName, previousContext, context.server)
  emit(restored ? {type: 'restored', context: previousContext} : {type: 'left-alone', context: context.contextName})
  return {type: 'foreground', context: context.contextName, restored: restored ? previousContext : undefined}
}

async function openForward(
  target: ConnectTarget,
  localPort: number | undefined,
  timeoutMs: number,
  emit: (e: ConnectEvent) => void,
): Promise<PortForwarder> {
  const {found, client} = target
  const forward = await startPortForward({
    client,
    namespace: found.namespace,
    labelSelector: vclusterSelector(found.name),
    remotePort: VCLUSTER_PORT,
    localPort,
    preferredPort: stablePort(target),
    podWaitMs: timeoutMs,
    knownPods: target.pods,
    onEvent: (event) => emit({type: 'forward', event}),
  })
  emit({type: 'forwarding', address: forward.address, port: forward.port, pod: forward.pod()})
  return forward
}

/** --print with a forward: the kubeconfig names a port that answers only while a forward runs there. */
function printPort(port: number, emit: (e: ConnectEvent) => void): number {
  emit({type: 'print-needs-forward', port})
  return port
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

export function parseServiceAccount(value: string): {namespace: string; name: string} {
  const parts = value.split('/')
  const [namespace, name] = parts.length === 1 ? ['kube-system', parts[0]] : parts
  if (parts.length > 2 || namespace === undefined || namespace === '' || name === undefined || name === '') {
    throw new UsageError(`--service-account ${value}: expected NAMESPACE/NAME or NAME`)
  }
  return {namespace, name}
}
