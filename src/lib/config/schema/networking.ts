/** `networking`: addressing, DNS and service replication of the virtual cluster. */
import {bool, closed, list, object, str} from './helpers.js'

const serviceMapping = object(
  {
    from: str('Service to replicate, as name or namespace/name.'),
    to: str('Target service, as name or namespace/name.'),
  },
  'A service replication.',
)

const resolveDNS = object(
  {
    hostname: str('Host name inside the virtual cluster to resolve.'),
    service: str('Virtual service to resolve.'),
    namespace: str('Virtual namespace to resolve.'),
    target: closed(
      {
        hostname: str('Host name to resolve to.'),
        ip: str('IP address to resolve to.'),
        hostService: str('Host service to resolve to, as namespace/name.'),
        hostNamespace: str('Host namespace to resolve to.'),
        vClusterService: str(
          'Service in another vCluster, as hostNamespace/vClusterName/vClusterNamespace/vClusterService.',
        ),
      },
      'Where the name resolves to.',
    ),
  },
  'A DNS rewrite rule.',
)

export const networking = closed(
  {
    serviceCIDR: str('Service CIDR of the virtual cluster; only set it with private nodes or when detection fails.'),
    podCIDR: str('10.244.0.0/16', 'Pod CIDR of the virtual cluster; only used with private nodes.'),
    replicateServices: closed(
      {
        toHost: list(serviceMapping, 'Virtual services replicated to the host.', []),
        fromHost: list(serviceMapping, 'Host services replicated into the virtual cluster.', []),
      },
      'Services replicated between host and virtual cluster.',
    ),
    resolveDNS: list(resolveDNS, 'Extra DNS rules; needs embedded CoreDNS (pro).', []),
    advanced: closed(
      {
        clusterDomain: str('cluster.local', 'Cluster domain inside the virtual cluster.'),
        fallbackHostCluster: bool(false, 'Falls back to host DNS for names the virtual cluster cannot resolve.'),
        proxyKubelets: closed(
          {
            byHostname: bool(true, 'Reaches node kubelets through a special vCluster host name.'),
            byIP: bool(true, 'Creates one host service per node to reach its kubelet by IP.'),
          },
          'Proxying of kubelet metrics and stats.',
        ),
      },
      'Advanced networking options.',
    ),
  },
  'Networking of the virtual cluster.',
)
