/** `experimental`: features whose configuration may still change. */
import {Type} from '@sinclair/typebox'
import {enableSwitch, labelsAndAnnotations} from './common.js'
import {bool, closed, list, mapOf, object, objList, openObject, required, str, stringMap, strList} from './helpers.js'

const helmRelease = object(
  {
    chart: closed(
      {
        name: str('Name of the chart.'),
        repo: str('Repository URL of the chart.'),
        insecure: bool('Skips TLS verification of the repository.'),
        version: str('Version of the chart.'),
        username: str('User name for the repository.'),
        password: str('Password for the repository.'),
      },
      'The chart to deploy.',
    ),
    release: closed(
      {name: str('Name of the release.'), namespace: str('Namespace of the release.')},
      'The release to create.',
    ),
    values: str('Values for the release, as YAML.'),
    timeout: str('Timeout for Helm.'),
    bundle: str('Base64 compressed chart, used instead of a repository.'),
  },
  'A Helm chart deployed into the virtual cluster.',
)

const denyRule = object(
  {
    name: str('Name of the rule.'),
    namespaces: strList('Namespaces the rule applies to; all when empty.'),
    rules: list(
      object(
        {
          apiGroups: strList('API groups; "*" for all.'),
          apiVersions: strList('API versions; "*" for all.'),
          resources: strList('Resources, e.g. pods or pods/exec.'),
          scope: str('Scope of the rule: Cluster, Namespaced or "*".'),
          operations: strList('Verbs to deny, e.g. create or delete; "*" alone for all.'),
        },
        'Which requests a rule matches.',
      ),
      'Requests to deny; a request is denied if any rule matches.',
    ),
    excludedUsers: strList('Users the rule does not apply to.'),
  },
  'A proxy deny rule.',
)

const dnsName = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'

const resourceProxy = object(
  {
    enabled: bool('Proxies this resource to the target virtual cluster.'),
    targetVirtualCluster: closed(
      {
        name: required(
          Type.Optional(
            Type.Unsafe<string>({
              type: 'string',
              minLength: 1,
              pattern: dnsName,
              description: 'Name of the target virtual cluster.',
            }),
          ),
        ),
        project: Type.Optional(
          Type.Unsafe<string>({
            type: 'string',
            pattern: dnsName,
            description: 'Platform project of the target; the same project when left out.',
          }),
        ),
      },
      'The virtual cluster that serves the resource.',
    ),
    accessResources: str('Which objects are visible through the proxy: owned (default) or all.'),
  },
  'Proxying of one custom resource.',
)

const nodeMonitor = object(
  {
    name: str('Name of the monitor; suffixed with the node name.'),
    nodeSelector: stringMap('Nodes that get a monitor.'),
    endpoints: list(
      object(
        {
          path: str('Kubelet path of the endpoint; /api/v1/nodes/NODE_NAME/proxy is prepended.'),
          params: mapOf(Type.Array(Type.String()), 'Extra query parameters of the endpoint.'),
          extraRelabelings: objList('Extra relabelings of the endpoint.'),
          metricsRelabelings: objList('Extra metric relabelings of the endpoint.'),
          interval: str('Scrape interval.'),
          scrapeTimeout: str('Scrape timeout.'),
        },
        'An endpoint of the ServiceMonitor.',
      ),
      'Endpoints of the ServiceMonitor; the kubelet metrics endpoints when empty.',
    ),
    spec: openObject('Extra ServiceMonitor spec merged into the generated one.'),
    ...labelsAndAnnotations(false),
  },
  'A ServiceMonitor created for every node.',
)

function dockerContainer() {
  return {
    image: str('Image of the container; ghcr.io/loft-sh/vm-container by default.'),
    ports: strList('Extra port mappings.'),
    volumes: strList('Extra volumes.'),
    env: strList('Extra environment variables, as key=value.'),
    args: strList('Extra arguments for docker run.'),
  }
}

export const experimental = closed(
  {
    deploy: closed(
      {
        host: closed(
          {
            manifests: str('', 'Raw manifests applied to the host cluster.'),
            manifestsTemplate: str('', 'Manifest template rendered with the values, then applied to the host cluster.'),
          },
          'What to deploy into the host cluster.',
        ),
        vcluster: closed(
          {
            manifests: str('', 'Raw manifests applied inside the virtual cluster.'),
            manifestsTemplate: str(
              '',
              'Manifest template rendered with the values, then applied inside the virtual cluster.',
            ),
            helm: list(helmRelease, 'Helm charts deployed inside the virtual cluster.', []),
          },
          'What to deploy into the virtual cluster.',
        ),
      },
      'Manifests and charts to deploy.',
    ),
    syncSettings: closed(
      {
        setOwner: bool(
          true,
          'Sets an owner reference to the vCluster service on synced objects for garbage collection.',
        ),
        hostMetricsBindAddress: str('Bind address of the host manager metrics.'),
        virtualMetricsBindAddress: str('Bind address of the virtual manager metrics.'),
      },
      'Advanced syncer settings.',
    ),
    virtualClusterKubeConfig: closed(
      {
        kubeConfig: str('Path of the virtual cluster kubeconfig.'),
        serverCAKey: str('Path of the server CA key.'),
        serverCACert: str('Path of the server CA certificate.'),
        clientCACert: str('Path of the client CA certificate.'),
        clientCAKey: str('Path of the client CA key.'),
        requestHeaderCACert: str('Path of the request header CA certificate.'),
      },
      'Deprecated (no effect since 0.29): distro certificate and kubeconfig paths.',
      {deprecated: true},
    ),
    denyProxyRequests: list(denyRule, 'Requests the control-plane proxy denies (pro).'),
    proxy: closed(
      {customResources: mapOf(resourceProxy, 'Resources to proxy, keyed by "kind.apiGroup/version".')},
      'Proxying of resources to other virtual clusters.',
    ),
    nodeMonitors: list(nodeMonitor, 'A ServiceMonitor per node (Prometheus Operator), for kubelet metrics.'),
    docker: closed(
      {
        ...dockerContainer(),
        enabled: bool('Set by vCluster when it runs in Docker; do not set it.'),
        network: str('Docker network of the vCluster; created when empty.'),
        nodes: list(
          object({...dockerContainer(), name: str('Name of the node; random when empty.')}, 'A Docker node.'),
          'Extra nodes.',
        ),
        registryProxy: enableSwitch('Pulls images through the host Docker daemon (containerd image store only).'),
        loadBalancer: closed(
          {
            enabled: bool('Configures LoadBalancer services inside the vCluster.'),
            forwardPorts: bool('Forwards load balancer IPs to localhost where needed, e.g. on macOS.'),
          },
          'LoadBalancer services in Docker.',
        ),
      },
      'Settings for vClusters that run in Docker.',
    ),
  },
  'Experimental features; their configuration may change.',
)
