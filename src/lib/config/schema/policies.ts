/** `policies`: quotas, limits, network policies and admission inside and around the virtual cluster. */
import {centralAdmission} from './admission.js'
import {labelSelector, labelsAndAnnotations} from './common.js'
import {autoBool, bool, closed, int, intOrString, list, object, oneOf, openObject, str, strList} from './helpers.js'

const ipBlock = closed(
  {
    cidr: str('CIDR of the block, e.g. 192.168.1.0/24 or 2001:db8::/64.'),
    except: strList('CIDRs inside the block to leave out.'),
  },
  'An IP block.',
)

const peer = object(
  {
    podSelector: labelSelector('Pods the rule applies to.'),
    namespaceSelector: labelSelector('Namespaces the rule applies to.'),
    ipBlock,
  },
  'A network policy peer.',
)

const port = object(
  {
    protocol: oneOf('kubernetes-values', ['TCP', 'UDP', 'SCTP'], 'Protocol; TCP by default.'),
    port: intOrString('Port number or name.'),
    endPort: int('Last port of a range starting at port.'),
  },
  'A network policy port.',
)

const ports = () => list(port, 'Ports the rule allows; all when empty.')

function ingressRules(who: string) {
  return list(
    object({ports: ports(), from: list(peer, 'Sources the rule allows; all when empty.')}, 'An ingress rule.'),
    `Extra ingress rules for ${who}.`,
  )
}

function egressRules(who: string) {
  return list(
    object({ports: ports(), to: list(peer, 'Destinations the rule allows; all when empty.')}, 'An egress rule.'),
    `Extra egress rules for ${who}.`,
  )
}

const networkPolicy = closed(
  {
    enabled: bool(false, 'Deploys network policies that isolate the virtual cluster.'),
    ...labelsAndAnnotations(true),
    fallbackDns: str('8.8.8.8', 'DNS server allowed when the virtual cluster has none.'),
    controlPlane: closed(
      {ingress: ingressRules('the control plane'), egress: egressRules('the control plane')},
      'Network policy rules of the control plane.',
    ),
    workload: closed(
      {
        publicEgress: closed(
          {
            enabled: bool(true, 'Allows workloads to reach public addresses.'),
            cidr: str('0.0.0.0/0', 'Public destinations workloads may reach.'),
            except: strList(
              ['100.64.0.0/10', '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
              'CIDRs inside cidr that workloads may not reach.',
            ),
          },
          'Public egress of the workloads.',
        ),
        ingress: ingressRules('the workloads'),
        egress: egressRules('the workloads'),
      },
      'Network policy rules of the workloads.',
    ),
  },
  'Network policies for the virtual cluster.',
)

const resourceQuota = closed(
  {
    enabled: autoBool('auto', 'Deploys a ResourceQuota; "auto" enables it together with the limit range.'),
    quota: openObject(
      {
        'requests.cpu': 10,
        'requests.memory': '20Gi',
        'requests.storage': '100Gi',
        'requests.ephemeral-storage': '60Gi',
        'limits.cpu': 20,
        'limits.memory': '40Gi',
        'limits.ephemeral-storage': '160Gi',
        'services.nodeports': 0,
        'services.loadbalancers': 1,
        'count/endpoints': 40,
        'count/pods': 20,
        'count/services': 20,
        'count/secrets': 100,
        'count/configmaps': 100,
        'count/persistentvolumeclaims': 20,
      },
      'Hard limits of the quota.',
    ),
    scopeSelector: openObject({matchExpressions: []}, 'Scope selector of the quota.'),
    scopes: strList([], 'Scopes of the quota.'),
    ...labelsAndAnnotations(true),
  },
  'ResourceQuota for the virtual cluster namespace.',
)

const limitRange = closed(
  {
    enabled: autoBool('auto', 'Deploys a LimitRange; "auto" enables it together with the resource quota.'),
    default: openObject({'ephemeral-storage': '8Gi', memory: '512Mi', cpu: '1'}, 'Default limits of containers.'),
    defaultRequest: openObject(
      {'ephemeral-storage': '3Gi', memory: '128Mi', cpu: '100m'},
      'Default requests of containers.',
    ),
    max: openObject({}, 'Maximum resources of a container.'),
    min: openObject({}, 'Minimum resources of a container.'),
    ...labelsAndAnnotations(true),
  },
  'LimitRange for the virtual cluster namespace.',
)

export const policies = closed(
  {
    networkPolicy,
    podSecurityStandard: str(
      'Pod Security Standard enforced in the virtual cluster: baseline, restricted or privileged; empty enforces none.',
    ),
    resourceQuota,
    limitRange,
    centralAdmission,
  },
  'Policies for the virtual cluster and its host namespace.',
)
