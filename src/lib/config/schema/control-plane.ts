/** `controlPlane`: the virtual cluster's control plane and how it is exposed. */
import {advanced} from './advanced.js'
import {backingStore} from './backing-store.js'
import {labelsAndAnnotations, podMetadata, resources, security} from './common.js'
import {distro} from './distro.js'
import {bool, closed, int, looseObjList, objList, oneOf, openObject, str, stringMap, strList} from './helpers.js'
import {standalone} from './private-nodes.js'
import {statefulSet} from './stateful-set.js'

const coredns = closed(
  {
    enabled: bool(true, 'Deploys CoreDNS inside the virtual cluster.'),
    embedded: bool(false, 'Runs CoreDNS inside the control-plane process instead of as a Deployment (pro).'),
    security: security('Security contexts of the CoreDNS pods.'),
    service: closed(
      {spec: openObject({type: 'ClusterIP'}, 'Extra spec of the kube-dns Service.'), ...labelsAndAnnotations(true)},
      'The kube-dns Service inside the virtual cluster.',
    ),
    deployment: closed(
      {
        image: str('', 'CoreDNS image; empty picks one that matches the Kubernetes version.'),
        replicas: int(1, 'Number of CoreDNS replicas.'),
        nodeSelector: stringMap({}, 'Node selector for the CoreDNS pods.'),
        affinity: openObject({}, 'Affinity rules for the CoreDNS pods.'),
        tolerations: objList([], 'Tolerations for the CoreDNS pods.'),
        resources: resources('Resources of the CoreDNS container.', {
          limits: {cpu: '1000m', memory: '170Mi'},
          requests: {cpu: '20m', memory: '64Mi'},
        }),
        pods: podMetadata('Extra labels and annotations for the CoreDNS pods.', true),
        ...labelsAndAnnotations(true),
        topologySpreadConstraints: looseObjList(
          [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: {matchLabels: {'k8s-app': 'vcluster-kube-dns'}},
            },
          ],
          'Topology spread constraints for the CoreDNS pods.',
        ),
      },
      'The CoreDNS Deployment inside the virtual cluster.',
    ),
    overwriteConfig: str('', 'Replaces the Corefile.'),
    overwriteManifests: str('', 'Replaces the manifests used to deploy CoreDNS.'),
    priorityClassName: str('', 'Priority class of the CoreDNS pods.'),
  },
  'DNS inside the virtual cluster.',
)

const proxy = closed(
  {
    bindAddress: str('0.0.0.0', 'Address the control-plane proxy listens on.'),
    port: int(8443, 'Port the control-plane proxy listens on; changing it is not supported.'),
    extraSANs: strList([], 'Extra host names and IPs for the serving certificate.'),
  },
  'The control-plane proxy that authenticates and forwards API requests.',
)

const ingress = closed(
  {
    enabled: bool(false, 'Creates an Ingress for the control plane (needs TLS passthrough).'),
    host: str('my-host.com', 'Host name the control plane is reachable at.'),
    pathType: oneOf(
      'kubernetes-values',
      ['Exact', 'Prefix', 'ImplementationSpecific'],
      'ImplementationSpecific',
      'Path type of the Ingress rule.',
    ),
    spec: openObject({tls: []}, 'Extra spec of the Ingress.'),
    annotations: stringMap(
      {
        'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
        'nginx.ingress.kubernetes.io/ssl-passthrough': 'true',
        'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      },
      'Extra annotations for the Ingress.',
    ),
    labels: stringMap({}, 'Extra labels for the Ingress.'),
  },
  'Ingress for the control plane.',
)

const tlsRoute = closed(
  {
    enabled: bool(false, 'Creates a Gateway API TLSRoute for the control plane.'),
    apiVersion: str('API version of the TLSRoute, e.g. gateway.networking.k8s.io/v1.'),
    host: str('my-host.com', 'Host name the route matches.'),
    parentRefs: objList([], 'Gateways (and listeners) the route attaches to.'),
    spec: openObject({}, 'Extra spec of the TLSRoute; hostnames, rules and parentRefs here win.'),
    ...labelsAndAnnotations(true),
  },
  'Gateway API TLSRoute for the control plane (TLS passthrough).',
)

const service = closed(
  {
    enabled: bool(true, 'Creates the control-plane Service.'),
    spec: openObject({type: 'ClusterIP'}, 'Extra spec of the Service, e.g. type: LoadBalancer.'),
    kubeletNodePort: int(0, 'Node port of the kubelet endpoint; 0 lets Kubernetes choose.'),
    httpsNodePort: int(0, 'Node port of the https endpoint; 0 lets Kubernetes choose.'),
    ...labelsAndAnnotations(true),
  },
  'The control-plane Service.',
)

const serviceMonitor = closed(
  {
    enabled: bool(false, 'Creates a Prometheus ServiceMonitor for the control plane.'),
    labels: stringMap({}, 'Extra labels for the ServiceMonitor.'),
    annotations: stringMap({}, 'Extra annotations for the ServiceMonitor.'),
  },
  'Prometheus ServiceMonitor for the control plane.',
)

export const controlPlane = closed(
  {
    endpoint: str('Endpoint clients use to reach the virtual cluster.'),
    distro,
    standalone,
    backingStore,
    coredns,
    proxy,
    hostPathMapper: closed(
      {
        enabled: bool('Rewrites host paths so log collectors find virtual pods (pro).'),
        central: bool('Uses the central host path mapper (pro).'),
      },
      'Host path mapping for log and metrics agents.',
    ),
    ingress,
    tlsRoute,
    service,
    statefulSet,
    serviceMonitor,
    advanced,
  },
  "The control plane's components and deployment.",
)
