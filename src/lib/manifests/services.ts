/** The control-plane Service `<name>` and, for a StatefulSet, its headless Service `<name>-headless`. */
import {metadata, selectorLabels} from './labels.js'
import {headlessServiceName} from './names.js'
import {embeddedEtcd, workloadKind} from './store.js'
import type {KubeObject, RenderInput} from './types.js'
import {copy, isSet} from './util.js'

/** The syncer's proxy port; upstream hard-codes it (changing controlPlane.proxy.port is not supported). */
export const PROXY_PORT = 8443

function tcpPort(name: string, port: number, targetPort: number, nodePort?: number): Record<string, unknown> {
  // nodePort 0 means "let Kubernetes choose", the same as leaving it out.
  return {name, port, targetPort, ...(nodePort !== undefined && nodePort !== 0 ? {nodePort} : {}), protocol: 'TCP'}
}

/** Default ports: https, plus the kubelet endpoint (proxied by hostname) unless the Service is a LoadBalancer. */
function defaultPorts(input: RenderInput, type: unknown): Record<string, unknown>[] {
  const service = input.config.controlPlane?.service
  const ports = [tcpPort('https', 443, PROXY_PORT, service?.httpsNodePort)]
  if (input.config.integrations?.istio?.enabled === true) {
    ports.push({
      name: 'wake-http',
      port: 9090,
      ...(service?.httpsNodePort ? {nodePort: service.httpsNodePort} : {}),
      protocol: 'TCP',
    })
  }
  if (input.config.networking?.advanced?.proxyKubelets?.byHostname !== false && type !== 'LoadBalancer') {
    ports.push(tcpPort('kubelet', 10250, PROXY_PORT, service?.kubeletNodePort))
  }
  return ports
}

/** `controlPlane.service.spec` as given, with the default ports and selector where it sets none. */
export function controlPlaneService(input: RenderInput): KubeObject | undefined {
  const service = input.config.controlPlane?.service
  if (service?.enabled === false) return undefined
  const spec: Record<string, unknown> = copy(service?.spec ?? {type: 'ClusterIP'})
  if (!isSet(spec.ports)) spec.ports = defaultPorts(input, spec.type)
  if (!isSet(spec.selector)) spec.selector = selectorLabels(input.name)
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(input, input.name, {
      labels: {'vcluster.loft.sh/service': 'true', ...(service?.labels ?? {})},
      annotations: service?.annotations,
      globalWins: true,
    }),
    spec,
  }
}

/** Stable DNS names for the StatefulSet's pods; embedded etcd peers talk over it too. */
export function headlessService(input: RenderInput): KubeObject | undefined {
  if (workloadKind(input.config) !== 'StatefulSet') return undefined
  const headless = input.config.controlPlane?.advanced?.headlessService
  const ports = [tcpPort('https', 443, PROXY_PORT)]
  if (embeddedEtcd(input.config)) ports.push(tcpPort('etcd', 2379, 2379), tcpPort('peer', 2380, 2380))
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(input, headlessServiceName(input.name), {
      labels: headless?.labels,
      annotations: headless?.annotations,
    }),
    spec: {publishNotReadyAddresses: true, ports, clusterIP: 'None', selector: selectorLabels(input.name)},
  }
}
