/** Optional ways to expose or watch the control plane: Ingress, TLSRoute and ServiceMonitor. */
import {CHART_LABEL} from '../versions.js'
import {metadata} from './labels.js'
import {kubeconfigSecretName} from './names.js'
import type {KubeObject, RenderInput} from './types.js'
import {copy, isSet} from './util.js'

type Obj = Record<string, unknown>

/** TLS passthrough to the Service's https port (the ingress controller must support it). */
export function ingress(input: RenderInput): KubeObject | undefined {
  const config = input.config.controlPlane?.ingress
  if (config?.enabled !== true) return undefined
  const spec: Obj = copy(config.spec ?? {})
  if (!isSet(spec.rules)) {
    const backend = {service: {name: input.name, port: {name: 'https'}}}
    spec.rules = [
      {
        host: config.host ?? 'my-host.com',
        http: {paths: [{backend, path: '/', pathType: config.pathType ?? 'ImplementationSpecific'}]},
      },
    ]
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: metadata(input, input.name, {labels: config.labels, annotations: config.annotations}),
    spec,
  }
}

/** A Gateway API TLSRoute to the Service's port 443; `spec` keys win over the generated ones. */
export function tlsRoute(input: RenderInput): KubeObject | undefined {
  const config = input.config.controlPlane?.tlsRoute
  if (config?.enabled !== true) return undefined
  const spec: Obj = copy(config.spec ?? {})
  if (!isSet(spec.parentRefs) && isSet(config.parentRefs)) spec.parentRefs = copy(config.parentRefs)
  if (!isSet(spec.hostnames)) spec.hostnames = [config.host ?? 'my-host.com']
  if (!isSet(spec.rules)) spec.rules = [{backendRefs: [{name: input.name, port: 443}]}]
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'TLSRoute',
    metadata: metadata(input, input.name, {labels: config.labels, annotations: config.annotations}),
    spec,
  }
}

/** Scrapes the API server, controller manager and (when on) scheduler through the proxy, with the admin cert. */
export function serviceMonitor(input: RenderInput): KubeObject | undefined {
  const config = input.config.controlPlane?.serviceMonitor
  if (config?.enabled !== true) return undefined
  const secret = kubeconfigSecretName(input.name)
  const tlsConfig = {
    ca: {secret: {name: secret, key: 'certificate-authority'}},
    cert: {secret: {name: secret, key: 'client-certificate'}},
    keySecret: {name: secret, key: 'client-key'},
  }
  const endpoint = (path: string, name: string): Obj => ({
    interval: '30s',
    port: 'https',
    path,
    scheme: 'https',
    relabelings: [{targetLabel: 'endpoint', replacement: name}],
    tlsConfig: copy(tlsConfig),
  })
  const k8s = input.config.controlPlane?.distro?.k8s
  const scheduler =
    k8s?.scheduler?.enabled === true || input.config.controlPlane?.advanced?.virtualScheduler?.enabled === true
  const etcd = input.config.controlPlane?.backingStore?.etcd
  const anyEtcd = etcd?.embedded?.enabled === true || etcd?.deploy?.enabled === true || etcd?.external?.enabled === true
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: metadata(input, `vc-${input.name}`, {labels: config.labels, annotations: config.annotations}),
    spec: {
      // The labels of our Service: the chart's, without `heritage: Helm`, which our Service does not carry.
      selector: {
        matchLabels: {app: 'vcluster', release: input.name, chart: CHART_LABEL, 'vcluster.loft.sh/service': 'true'},
      },
      endpoints: [
        endpoint('/metrics', 'apiserver'),
        endpoint('/metrics/controller-manager', 'controller-manager'),
        ...(scheduler ? [endpoint('/metrics/scheduler', 'scheduler')] : []),
        ...(etcd?.embedded?.enabled === true ? [endpoint('/metrics/etcd', 'etcd')] : []),
        // Without etcd the store is kine (SQLite or an external database), which has its own metrics.
        ...(anyEtcd ? [] : [endpoint('/metrics/kine', 'kine')]),
      ],
    },
  }
}
