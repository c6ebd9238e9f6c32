/** The control-plane pod's containers: the init container with the Kubernetes binaries, and the syncer. */
import type {VClusterConfig} from '../config/schema/index.js'
import {kubernetesImage, syncerImage} from './images.js'
import {volumeMounts} from './persistence.js'
import {pluginInitContainers} from './plugins.js'
import {PROXY_PORT} from './services.js'
import type {RenderInput} from './types.js'
import {copy, isSet} from './util.js'

type Obj = Record<string, unknown>

/** Copies kube-apiserver, kube-controller-manager, ... from the Kubernetes image into the shared `binaries` volume. */
function kubernetesInitContainer(input: RenderInput): Obj {
  const k8s = input.config.controlPlane?.distro?.k8s
  return {
    name: 'kubernetes',
    image: kubernetesImage(input),
    volumeMounts: [{mountPath: '/binaries', name: 'binaries'}],
    command: ['cp'],
    args: ['-r', '/kubernetes/.', '/binaries/'],
    ...(isSet(k8s?.imagePullPolicy) ? {imagePullPolicy: k8s?.imagePullPolicy} : {}),
    securityContext: copy(k8s?.securityContext ?? {}),
    resources: copy(k8s?.resources ?? {}),
  }
}

export function initContainers(input: RenderInput): Obj[] {
  return [
    ...pluginInitContainers(input),
    kubernetesInitContainer(input),
    ...copy((input.config.controlPlane?.statefulSet?.initContainers ?? []) as Obj[]),
  ]
}

const fieldEnv = (name: string, fieldPath: string): Obj => ({name, valueFrom: {fieldRef: {fieldPath}}})

/** Fixed env first (the syncer reads these), then statefulSet.env, then distro.k8s.env. */
function env(input: RenderInput): Obj[] {
  const config = input.config
  return [
    {name: 'VCLUSTER_NAME', value: input.name},
    {name: 'LOFT_LOG_ENCODING', value: config.logging?.encoding ?? 'console'},
    fieldEnv('POD_NAME', 'metadata.name'),
    fieldEnv('POD_IP', 'status.podIP'),
    fieldEnv('NODE_NAME', 'spec.nodeName'),
    fieldEnv('NODE_IP', 'status.hostIP'),
    ...copy(config.controlPlane?.statefulSet?.env ?? []),
    ...copy(config.controlPlane?.distro?.k8s?.env ?? []),
  ]
}

const httpsGet = (path: string): Obj => ({httpGet: {path, port: PROXY_PORT, scheme: 'HTTPS'}})

/** Liveness on /healthz, readiness and startup on /readyz, each switchable; the port is fixed at 8443. */
function probes(config: VClusterConfig): Obj {
  const p = config.controlPlane?.statefulSet?.probes
  const out: Obj = {}
  if (p?.livenessProbe?.enabled !== false) {
    const l = p?.livenessProbe
    out.livenessProbe = {
      ...httpsGet('/healthz'),
      initialDelaySeconds: l?.initialDelaySeconds ?? 60,
      periodSeconds: l?.periodSeconds ?? 2,
      timeoutSeconds: l?.timeoutSeconds ?? 3,
      failureThreshold: l?.failureThreshold ?? 60,
    }
  }
  if (p?.readinessProbe?.enabled !== false) {
    const r = p?.readinessProbe
    out.readinessProbe = {
      ...httpsGet('/readyz'),
      periodSeconds: r?.periodSeconds ?? 2,
      timeoutSeconds: r?.timeoutSeconds ?? 3,
      failureThreshold: r?.failureThreshold ?? 60,
    }
  }
  if (p?.startupProbe?.enabled !== false) {
    const s = p?.startupProbe
    out.startupProbe = {
      ...httpsGet('/readyz'),
      periodSeconds: s?.periodSeconds ?? 6,
      timeoutSeconds: s?.timeoutSeconds ?? 3,
      failureThreshold: s?.failureThreshold ?? 300,
    }
  }
  return out
}

/** kube-vip needs NET_ADMIN and NET_RAW added to the syncer's capabilities (after the user's, without repeats). */
export function addKubeVipCapabilities(context: Obj): void {
  const capabilities = (context.capabilities ?? {}) as {add?: string[]}
  capabilities.add = [...new Set([...(capabilities.add ?? []), 'NET_ADMIN', 'NET_RAW'])]
  context.capabilities = capabilities
}

/** The container security context, with kube-vip's capabilities when it is on. */
function securityContext(config: VClusterConfig): Obj | undefined {
  const context: Obj = copy(config.controlPlane?.statefulSet?.security?.containerSecurityContext ?? {})
  if (config.controlPlane?.advanced?.kubeVip?.enabled === true) addKubeVipCapabilities(context)
  return isSet(context) ? context : undefined
}

/** The syncer: it starts the Kubernetes components itself and serves the API on 8443. */
export function syncerContainer(input: RenderInput): Obj {
  const sts = input.config.controlPlane?.statefulSet
  const security = securityContext(input.config)
  return {
    name: 'syncer',
    image: syncerImage(input),
    ...(isSet(sts?.imagePullPolicy) ? {imagePullPolicy: sts?.imagePullPolicy} : {}),
    ...(isSet(sts?.workingDir) ? {workingDir: sts?.workingDir} : {}),
    ...(isSet(sts?.command) ? {command: copy(sts?.command)} : {}),
    ...(isSet(sts?.args) ? {args: copy(sts?.args)} : {}),
    ...probes(input.config),
    ...(security !== undefined ? {securityContext: security} : {}),
    resources: copy(sts?.resources ?? {}),
    env: env(input),
    volumeMounts: volumeMounts(input.config),
  }
}

export function containers(input: RenderInput): Obj[] {
  return [syncerContainer(input), ...copy((input.config.controlPlane?.statefulSet?.sidecarContainers ?? []) as Obj[])]
}
