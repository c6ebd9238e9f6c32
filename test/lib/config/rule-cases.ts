/**
 * Configs that break one start-up rule of the pinned release, each with the key it is reported at, a word of the way
 * forward, and the same config fixed. Shared by the unit tests of the rules and the differential conformance test.
 */

export interface RuleCase {
  group: string
  what: string
  /** YAML that breaks the rule. */
  bad: string
  /** The path the problem is reported at. */
  path: string
  /** A word of the message (the way forward). */
  hint: RegExp
  /** The same config, fixed. */
  good: string
}

export const RULE_CASES: RuleCase[] = []

function group(title: string, list: [string, string, string, RegExp, string][]): void {
  for (const [what, bad, path, hint, good] of list) RULE_CASES.push({group: title, what, bad, path, hint, good})
}

/** A self-signed CA certificate (PEM), base64-encoded as a webhook caBundle takes it. */
const CA_BUNDLE =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJlakNDQVNHZ0F3SUJBZ0lVRWdqZDlHWHRNM0Y3WVdnS3F6ZVEyanNQbk5rd0NnWUlLb1pJemowRUF3SXcKRWpFUU1BNEdBMVVFQXd3SGRHVnpkQzFqWVRBZ0Z3MHlOakV5TURjd016UXpNVE5hR0E4eU1USTJNVEV4TXpBegpORE14TTFvd0VqRVFNQTRHQTFVRUF3d0hkR1Z6ZEMxallUQlpNQk1HQnlxR1NNNDlBZ0VHQ0NxR1NNNDlBd0VICkEwSUFCTStIbmQwaFlET3NlV216Snh2cWJhUnYrdFhOd1huRkFCTkhPTDRkdXp0Z1hsTUVVZE1XdTNHYVpCeTgKOTdsSElodllmaTJRdGV6ZXB2TUZmbUltRnNTalV6QlJNQjBHQTFVZERnUVdCQlNBOGtHNEtrTCtRYllSNFN2Uwp4MGY5UTA2RFd6QWZCZ05WSFNNRUdEQVdnQlNBOGtHNEtrTCtRYllSNFN2U3gwZjlRMDZEV3pBUEJnTlZIUk1CCkFmOEVCVEFEQVFIL01Bb0dDQ3FHU000OUJBTUNBMGNBTUVRQ0lFWFd4RTZEM3l1Vjl2Qmc5SWIwamEzY1ljM0YKQzNweG9VK0d0dUFjOHh6YUFpQU9PQzQvMnNKZ1ZpVFp5TjUrUXo0Vm5vdWlZYTJuakZtWkJLTHp0aGRldUE9PQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=='

export const y = (...lines: string[]) => `${lines.join('\n')}\n`

group('policies', [
  [
    'pod security standard',
    y('policies:', '  podSecurityStandard: strict'),
    'policies.podSecurityStandard',
    /privileged, baseline, restricted/,
    y('policies:', '  podSecurityStandard: baseline'),
  ],
  [
    'toleration with two colons',
    y('sync:', '  toHost:', '    pods:', '      enforceTolerations: ["a=b:c:d"]'),
    'sync.toHost.pods.enforceTolerations[0]',
    /key=value:Effect/,
    y('sync:', '  toHost:', '    pods:', '      enforceTolerations: ["a=b:NoSchedule", "*", "k"]'),
  ],
  [
    'toleration value',
    y('sync:', '  toHost:', '    pods:', '      enforceTolerations: ["a=b c"]'),
    'sync.toHost.pods.enforceTolerations[0]',
    /label value/,
    y('sync:', '  toHost:', '    pods:', '      enforceTolerations: ["a=b-c"]'),
  ],
  [
    'pod disruption budget',
    y(
      'controlPlane:',
      '  advanced:',
      '    podDisruptionBudget:',
      '      enabled: true',
      '      minAvailable: 1',
      '      maxUnavailable: 1',
    ),
    'controlPlane.advanced.podDisruptionBudget.maxUnavailable',
    /remove one/,
    y('controlPlane:', '  advanced:', '    podDisruptionBudget:', '      enabled: true', '      minAvailable: 1'),
  ],
])

const webhook = (clientConfig: string) =>
  y(
    'policies:',
    '  centralAdmission:',
    '    validatingWebhooks:',
    '      - webhooks:',
    '          - name: w.example.com',
    `            clientConfig: ${clientConfig}`,
  )
const hook = 'policies.centralAdmission.validatingWebhooks[0].webhooks[0].clientConfig'
group('admission webhooks', [
  [
    'caBundle not base64',
    webhook('{url: "https://w", caBundle: "not base64!"}'),
    `${hook}.caBundle`,
    /base64/,
    webhook(`{url: "https://w", caBundle: "${CA_BUNDLE}"}`),
  ],
  [
    'caBundle without a certificate',
    webhook(`{url: "https://w", caBundle: "${Buffer.from('hello').toString('base64')}"}`),
    `${hook}.caBundle`,
    /BEGIN CERTIFICATE/,
    webhook(`{url: "https://w", caBundle: "${CA_BUNDLE}"}`),
  ],
  [
    'neither service nor url',
    webhook('{caBundle: ""}'),
    hook,
    /service .*or clientConfig.url/,
    webhook('{service: {name: w, namespace: ns}}'),
  ],
  [
    'service without namespace',
    webhook('{service: {name: w}}'),
    `${hook}.service`,
    /name and namespace/,
    webhook('{service: {name: w, namespace: ns}}'),
  ],
  [
    'url with a bad escape',
    webhook('{url: "https://w/%zz"}'),
    `${hook}.url`,
    /https:/,
    webhook('{url: "https://w/%20"}'),
  ],
])

const deny = (rule: string) =>
  y('experimental:', '  denyProxyRequests:', '    - name: r', '      namespaces: [team-a]', `      rules: [${rule}]`)
group('proxy deny rules', [
  [
    'namespace name',
    y('experimental:', '  denyProxyRequests:', '    - name: r', '      namespaces: [Team_A]'),
    'experimental.denyProxyRequests[0].namespaces[0]',
    /namespace name/,
    deny('{operations: [create]}'),
  ],
  [
    'wildcard verb with others',
    deny('{operations: ["*", get]}'),
    'experimental.denyProxyRequests[0].rules[0].operations',
    /only value/,
    deny('{operations: ["*"]}'),
  ],
  [
    'unknown verb',
    deny('{operations: [list]}'),
    'experimental.denyProxyRequests[0].rules[0].operations',
    /create, get, update, patch, delete/,
    deny('{operations: [get, delete]}'),
  ],
  [
    'wildcard api group with others',
    deny('{apiGroups: ["*", apps]}'),
    'experimental.denyProxyRequests[0].rules[0].apiGroups',
    /alone/,
    deny('{apiGroups: [apps, ""]}'),
  ],
  [
    'scope',
    deny('{scope: Global}'),
    'experimental.denyProxyRequests[0].rules[0].scope',
    /Cluster, Namespaced/,
    deny('{scope: "*"}'),
  ],
])

const dns = (entry: string) => y('networking:', '  resolveDNS:', `    - ${entry}`)
group('DNS rewrites (networking.resolveDNS)', [
  [
    'service format',
    dns('{service: a/b/c, target: {hostService: ns/svc}}'),
    'networking.resolveDNS[0].service',
    /namespace\/name/,
    dns('{service: a/b, target: {hostService: ns/svc}}'),
  ],
  [
    'two wildcards',
    dns('{hostname: "*.a.*", target: {hostname: "*.b"}}'),
    'networking.resolveDNS[0].hostname',
    /one wildcard/,
    dns('{hostname: "*.a", target: {hostname: "*.b"}}'),
  ],
  [
    'wildcard without target hostname',
    dns('{hostname: "*.a", target: {ip: 1.2.3.4}}'),
    'networking.resolveDNS[0].hostname',
    /target.hostname/,
    dns('{hostname: "a.example.com", target: {ip: 1.2.3.4}}'),
  ],
  [
    'namespace without target namespace',
    dns('{namespace: a, target: {ip: 1.2.3.4}}'),
    'networking.resolveDNS[0].namespace',
    /target.hostNamespace/,
    dns('{namespace: a, target: {hostNamespace: b}}'),
  ],
  [
    'no option',
    dns('{target: {ip: 1.2.3.4}}'),
    'networking.resolveDNS[0]',
    /one of service, hostname or namespace/,
    dns('{hostname: a, target: {ip: 1.2.3.4}}'),
  ],
  [
    'two options',
    dns('{hostname: a, service: ns/s, target: {ip: 1.2.3.4}}'),
    'networking.resolveDNS[0]',
    /only one/,
    dns('{hostname: a, target: {ip: 1.2.3.4}}'),
  ],
  [
    'no target',
    dns('{hostname: a}'),
    'networking.resolveDNS[0].target',
    /set one of target/,
    dns('{hostname: a, target: {ip: 1.2.3.4}}'),
  ],
  [
    'two targets',
    dns('{hostname: a, target: {ip: 1.2.3.4, hostname: b}}'),
    'networking.resolveDNS[0].target',
    /only one of target/,
    dns('{hostname: a, target: {hostname: b}}'),
  ],
  [
    'vCluster service format',
    dns('{hostname: a, target: {vClusterService: a/b}}'),
    'networking.resolveDNS[0].target',
    /hostNamespace\/vClusterName/,
    dns('{hostname: a, target: {vClusterService: a/b/c/d}}'),
  ],
])

const toHostCR = (entry: string) =>
  y('sync:', '  toHost:', '    customResources:', `      widgets.example.com: ${entry}`)
const fromHostCR = (entry: string) =>
  y('sync:', '  fromHost:', '    customResources:', `      widgets.example.com: ${entry}`)
const proxy = (...entries: string[]) =>
  y('experimental:', '  proxy:', '    customResources:', ...entries.map((e) => `      ${e}`))
group('custom resources', [
  [
    'toHost scope',
    toHostCR('{enabled: true, scope: Cluster}'),
    'sync.toHost.customResources.widgets.example.com.scope',
    /Namespaced/,
    toHostCR('{enabled: true, scope: Namespaced}'),
  ],
  [
    'fromHost scope',
    fromHostCR('{enabled: true, scope: Global}'),
    'sync.fromHost.customResources.widgets.example.com.scope',
    /Cluster or Namespaced/,
    fromHostCR('{enabled: true, scope: Cluster}'),
  ],
  [
    'fromHost mappings need Namespaced',
    fromHostCR('{enabled: true, scope: Cluster, mappings: {byName: {"a/*": "b/*"}}}'),
    'sync.fromHost.customResources.widgets.example.com.mappings',
    /scope: Namespaced/,
    fromHostCR('{enabled: true, scope: Namespaced, mappings: {byName: {"a/*": "b/*"}}}'),
  ],
  [
    'fromHost Namespaced needs mappings',
    fromHostCR('{enabled: true, scope: Namespaced}'),
    'sync.fromHost.customResources.widgets.example.com.scope',
    /mappings.byName/,
    fromHostCR('{enabled: true, scope: Namespaced, mappings: {byName: {"": "b"}}}'),
  ],
  [
    'fromHost mapping names',
    fromHostCR('{enabled: true, scope: Namespaced, mappings: {byName: {"A/x": "b/*"}}}'),
    'sync.fromHost.customResources.widgets.example.com.mappings.byName.A/x',
    /not a namespace name/,
    fromHostCR('{enabled: true, scope: Namespaced, mappings: {byName: {"a/x": "b/y"}}}'),
  ],
  [
    'toHost patches',
    toHostCR('{enabled: true, patches: [{path: a}]}'),
    'sync.toHost.customResources.widgets.example.com.patches[0]',
    /needs one of/,
    toHostCR('{enabled: true, patches: [{path: a, expression: "value"}]}'),
  ],
  [
    'synced both ways',
    y(
      'sync:',
      '  toHost:',
      '    customResources:',
      '      widgets.example.com: {enabled: true}',
      '  fromHost:',
      '    customResources:',
      '      widgets.example.com: {enabled: true, scope: Cluster}',
    ),
    'sync.fromHost.customResources.widgets.example.com',
    /one way only/,
    y(
      'sync:',
      '  toHost:',
      '    customResources:',
      '      widgets.example.com: {enabled: true}',
      '  fromHost:',
      '    customResources:',
      '      widgets.example.com: {enabled: false, scope: Cluster}',
    ),
  ],
  [
    'group synced and proxied',
    toHostCR('{enabled: true}') + proxy('gadgets.example.com/v1: {enabled: true, targetVirtualCluster: {name: other}}'),
    'sync.toHost.customResources.widgets.example.com',
    /synced or proxied/,
    toHostCR('{enabled: true}') + proxy('gadgets.example.org/v1: {enabled: true, targetVirtualCluster: {name: other}}'),
  ],
  [
    'an integration syncs it already (chart default switch)',
    y(
      'integrations:',
      '  istio:',
      '    enabled: true',
      'sync:',
      '  toHost:',
      '    customResources:',
      '      destinationrules.networking.istio.io: {enabled: true}',
    ),
    'sync.toHost.customResources.destinationrules.networking.istio.io',
    /integrations.istio already syncs/,
    y(
      'integrations:',
      '  istio:',
      '    enabled: true',
      '    sync: {toHost: {destinationRules: {enabled: false}}}',
      'sync:',
      '  toHost:',
      '    customResources:',
      '      destinationrules.networking.istio.io: {enabled: true}',
    ),
  ],
  [
    'kubevirt status subresource',
    y(
      'integrations:',
      '  kubeVirt:',
      '    enabled: true',
      'sync:',
      '  toHost:',
      '    customResources:',
      '      virtualmachines/status.kubevirt.io: {enabled: true}',
    ),
    'sync.toHost.customResources.virtualmachines/status.kubevirt.io',
    /kubeVirt already syncs/,
    y(
      'integrations:',
      '  kubeVirt:',
      '    enabled: true',
      'sync:',
      '  toHost:',
      '    customResources:',
      '      datavolumes.cdi.kubevirt.io: {enabled: true}',
    ),
  ],
  [
    'proxy path',
    proxy('widgets/v1: {enabled: true, targetVirtualCluster: {name: o}}'),
    'experimental.proxy.customResources.widgets/v1',
    /resource.group\/version/,
    proxy('widgets.example.com/v1: {enabled: true, targetVirtualCluster: {name: o}}'),
  ],
  [
    'proxy target',
    proxy('widgets.example.com/v1: {enabled: true}'),
    'experimental.proxy.customResources.widgets.example.com/v1',
    /targetVirtualCluster.name/,
    proxy('widgets.example.com/v1: {enabled: true, targetVirtualCluster: {name: o}}'),
  ],
  [
    'proxy access mode',
    proxy('widgets.example.com/v1: {enabled: true, targetVirtualCluster: {name: o}, accessResources: mine}'),
    'experimental.proxy.customResources.widgets.example.com/v1.accessResources',
    /owned or all/,
    proxy('widgets.example.com/v1: {enabled: true, targetVirtualCluster: {name: o}, accessResources: all}'),
  ],
  [
    'proxy entries of one group/version disagree',
    proxy(
      'a.example.com/v1: {enabled: true, targetVirtualCluster: {name: o}}',
      'b.example.com/v1: {enabled: true, targetVirtualCluster: {name: p}}',
    ),
    'experimental.proxy.customResources.b.example.com/v1',
    /one vCluster/,
    proxy(
      'a.example.com/v1: {enabled: true, targetVirtualCluster: {name: o}}',
      'b.example.com/v1: {enabled: true, targetVirtualCluster: {name: o}}',
    ),
  ],
  [
    'proxy wildcard with explicit entries',
    proxy(
      '"*.example.com/v1": {enabled: true, targetVirtualCluster: {name: o}}',
      'b.example.com/v1: {enabled: true, targetVirtualCluster: {name: o}}',
    ),
    'experimental.proxy.customResources.*.example.com/v1',
    /wildcard and explicit/,
    proxy(
      '"*.example.com/v1": {enabled: true, targetVirtualCluster: {name: o}}',
      'b.example.com/v2: {enabled: true, targetVirtualCluster: {name: o}}',
    ),
  ],
])

const gw = (...lines: string[]) =>
  y('sync:', '  fromHost:', '    gateways:', '      enabled: true', ...lines.map((l) => `      ${l}`))
const G = 'sync.fromHost.gateways'
group('gateways', [
  [
    'reference grants switch',
    y('sync:', '  toHost:', '    gatewayApi:', '      referenceGrants:', '        enabled: maybe'),
    'sync.toHost.gatewayApi.referenceGrants.enabled',
    /auto, true or false/,
    y('sync:', '  toHost:', '    gatewayApi:', '      referenceGrants:', '        enabled: auto'),
  ],
  ['mappings empty', gw(), `${G}.enabled`, /mappings.byName/, gw('mappings: {byName: {"gw/main": "team/main"}}')],
  [
    'mapping key',
    gw('mappings: {byName: {"main": "team/main"}}'),
    `${G}.mappings.byName.main`,
    /NAMESPACE\/NAME/,
    gw('mappings: {byName: {"gw/main": "team/main"}}'),
  ],
  [
    'reserved target',
    gw('mappings: {byName: {"gw/main": "kube-system/main"}}'),
    `${G}.mappings.byName.gw/main`,
    /reserved/,
    gw('mappings: {byName: {"gw/main": "system/main"}}'),
  ],
  [
    'wildcard to a single gateway',
    gw('mappings: {byName: {"gw/*": "team/main"}}'),
    `${G}.mappings.byName.gw/*`,
    /wildcard and a single/,
    gw('mappings: {byName: {"gw/*": "team/*"}}'),
  ],
  [
    'two wildcards to one namespace',
    gw('mappings: {byName: {"gw/*": "team/*", "gw2/*": "team/*"}}'),
    `${G}.mappings.byName.gw2/*`,
    /overlaps/,
    gw('mappings: {byName: {"gw/*": "team/*", "gw2/*": "team2/*"}}'),
  ],
  [
    'one target twice',
    gw('mappings: {byName: {"gw/a": "team/main", "gw/b": "team/main"}}'),
    `${G}.mappings.byName.gw/b`,
    /used once/,
    gw('mappings: {byName: {"gw/a": "team/a", "gw/b": "team/b"}}'),
  ],
  [
    'exact under a wildcard',
    gw('mappings: {byName: {"gw/*": "team/*", "gw/a": "other/a"}}'),
    `${G}.mappings.byName.gw/a`,
    /wildcard/,
    gw('mappings: {byName: {"gw/*": "team/*", "gw2/a": "other/a"}}'),
  ],
  [
    'policy from',
    gw('mappings: {byName: {"gw/*": "team/*"}}', 'allowedRoutes: {defaultVirtualNamespacePolicy: {from: Any}}'),
    `${G}.allowedRoutes.defaultVirtualNamespacePolicy.from`,
    /All, Same or Selector/,
    gw('mappings: {byName: {"gw/*": "team/*"}}', 'allowedRoutes: {defaultVirtualNamespacePolicy: {from: Same}}'),
  ],
  [
    'policy selector empty',
    gw('mappings: {byName: {"gw/*": "team/*"}}', 'allowedRoutes: {defaultVirtualNamespacePolicy: {from: Selector}}'),
    `${G}.allowedRoutes.defaultVirtualNamespacePolicy.from`,
    /matchLabels/,
    gw(
      'mappings: {byName: {"gw/*": "team/*"}}',
      'allowedRoutes: {defaultVirtualNamespacePolicy: {from: Selector, selector: {matchLabels: {a: b}}}}',
    ),
  ],
  [
    'override not mapped',
    gw('mappings: {byName: {"gw/*": "team/*"}}', 'allowedRoutes: {overrides: [{hostNamespace: other, name: main}]}'),
    `${G}.allowedRoutes.overrides[0]`,
    /does not import/,
    gw('mappings: {byName: {"gw/*": "team/*"}}', 'allowedRoutes: {overrides: [{hostNamespace: gw, name: main}]}'),
  ],
  [
    'override host name',
    gw(
      'mappings: {byName: {"gw/*": "team/*"}}',
      'allowedRoutes: {overrides: [{hostNamespace: gw, name: main, allowedHostnames: ["a..b"]}]}',
    ),
    `${G}.allowedRoutes.overrides[0].allowedHostnames[0]`,
    /host name/,
    gw(
      'mappings: {byName: {"gw/*": "team/*"}}',
      'allowedRoutes: {overrides: [{hostNamespace: gw, name: main, allowedHostnames: ["*.A.example.com", " b.example.com"]}]}',
    ),
  ],
])

const nodesOn = y('sync:', '  fromHost:', '    nodes:', '      enabled: true')
group('sync', [
  [
    'patch with two kinds',
    y('sync:', '  toHost:', '    pods:', '      patches: [{path: a, expression: x, labels: {}}]'),
    'sync.toHost.pods.patches[0]',
    /only one of/,
    y(
      'sync:',
      '  toHost:',
      '    pods:',
      '      patches: [{path: a, labels: {}}, {path: b, reference: {apiVersion: v1, kind: Secret}}]',
    ),
  ],
  [
    'patch with none',
    y('sync:', '  fromHost:', '    events:', '      patches: [{path: a}]'),
    'sync.fromHost.events.patches[0]',
    /needs one of/,
    y('sync:', '  fromHost:', '    events:', '      patches: [{path: a, reverseExpression: x}]'),
  ],
  [
    'two patches of one path',
    y(
      'sync:',
      '  toHost:',
      '    gatewayApi:',
      '      httpRoutes:',
      '        patches: [{path: a, expression: x}, {path: a, expression: z}]',
    ),
    'sync.toHost.gatewayApi.httpRoutes.patches[1].path',
    /same path/,
    y(
      'sync:',
      '  toHost:',
      '    gatewayApi:',
      '      httpRoutes:',
      '        patches: [{path: a, expression: x}, {path: b, expression: z}]',
    ),
  ],
  [
    'storage classes both ways',
    y(
      'sync:',
      '  toHost:',
      '    storageClasses: {enabled: true}',
      '  fromHost:',
      '    storageClasses: {enabled: true}',
    ),
    'sync.fromHost.storageClasses.enabled',
    /one direction/,
    y(
      'sync:',
      '  toHost:',
      '    storageClasses: {enabled: true}',
      '  fromHost:',
      '    storageClasses: {enabled: auto}',
    ),
  ],
  [
    'storage classes both ways ("true")',
    y(
      'sync:',
      '  toHost:',
      '    storageClasses: {enabled: true}',
      '  fromHost:',
      '    storageClasses: {enabled: "true"}',
    ),
    'sync.fromHost.storageClasses.enabled',
    /one direction/,
    y(
      'sync:',
      '  toHost:',
      '    storageClasses: {enabled: true}',
      '  fromHost:',
      '    storageClasses: {enabled: "false"}',
    ),
  ],
  [
    'priority classes both ways',
    y(
      'sync:',
      '  toHost:',
      '    priorityClasses: {enabled: true}',
      '  fromHost:',
      '    priorityClasses: {enabled: true}',
    ),
    'sync.fromHost.priorityClasses.enabled',
    /one direction/,
    y('sync:', '  toHost:', '    priorityClasses: {enabled: true}'),
  ],
  [
    'virtual scheduler without nodes',
    y('controlPlane:', '  advanced:', '    virtualScheduler: {enabled: true}'),
    'controlPlane.advanced.virtualScheduler.enabled',
    /sync.fromHost.nodes.enabled: true/,
    y('controlPlane:', '  advanced:', '    virtualScheduler: {enabled: true}') + nodesOn,
  ],
  [
    'distro scheduler without nodes',
    y('controlPlane:', '  distro:', '    k8s:', '      scheduler: {enabled: true}'),
    'controlPlane.distro.k8s.scheduler.enabled',
    /sync.fromHost.nodes.enabled: true/,
    y('controlPlane:', '  distro:', '    k8s:', '      scheduler: {enabled: true}') + nodesOn,
  ],
  [
    'hybrid scheduling without nodes',
    y('sync:', '  toHost:', '    pods:', '      hybridScheduling: {enabled: true}'),
    'sync.toHost.pods.hybridScheduling.enabled',
    /hybrid scheduling needs/,
    y(
      'sync:',
      '  toHost:',
      '    pods:',
      '      hybridScheduling: {enabled: true}',
      '  fromHost:',
      '    nodes:',
      '      enabled: true',
    ),
  ],
  [
    'configMaps from host without mappings',
    y('sync:', '  fromHost:', '    configMaps: {enabled: true}'),
    'sync.fromHost.configMaps.enabled',
    /mappings.byName/,
    y('sync:', '  fromHost:', '    configMaps: {enabled: true, mappings: {byName: {"ns/cm": "vns/cm"}}}'),
  ],
  [
    'secrets mapping without "/"',
    y('sync:', '  fromHost:', '    secrets: {enabled: true, mappings: {byName: {"ns": "vns/s"}}}'),
    'sync.fromHost.secrets.mappings.byName.ns',
    /no "\/"/,
    y(
      'sync:',
      '  fromHost:',
      '    secrets: {enabled: true, mappings: {byName: {"": "vns", "/s": "vns/s", "ns/*": "vns/*"}}}',
    ),
  ],
  [
    'namespace key to a single name',
    y('sync:', '  fromHost:', '    secrets: {enabled: true, mappings: {byName: {"ns/*": "vns/s"}}}'),
    'sync.fromHost.secrets.mappings.byName.ns/*',
    /end in \/\*/,
    y('sync:', '  fromHost:', '    secrets: {enabled: true, mappings: {byName: {"ns/*": "vns/*"}}}'),
  ],
  [
    'class selector operator',
    y(
      'sync:',
      '  fromHost:',
      '    runtimeClasses:',
      '      selector: {matchExpressions: [{key: a, operator: Gt, values: ["1"]}]}',
    ),
    'sync.fromHost.runtimeClasses.selector.matchExpressions[0].operator',
    /In, NotIn, Exists, DoesNotExist/,
    y(
      'sync:',
      '  fromHost:',
      '    runtimeClasses:',
      '      selector: {matchExpressions: [{key: a, operator: Exists}]}',
    ),
  ],
  [
    'class selector In without values',
    y('sync:', '  fromHost:', '    storageClasses:', '      selector: {matchExpressions: [{key: a, operator: In}]}'),
    'sync.fromHost.storageClasses.selector.matchExpressions[0].values',
    /at least one value/,
    y(
      'sync:',
      '  fromHost:',
      '    storageClasses:',
      '      selector: {matchExpressions: [{key: a, operator: In, values: [b]}]}',
    ),
  ],
  [
    'class selector label key',
    y('sync:', '  fromHost:', '    ingressClasses:', '      selector: {matchLabels: {"a b": c}}'),
    'sync.fromHost.ingressClasses.selector.matchLabels.a b',
    /label key/,
    y('sync:', '  fromHost:', '    ingressClasses:', '      selector: {matchLabels: {"example.com/a": c}}'),
  ],
])

export const ns = (mappings: string) =>
  y('sync:', '  toHost:', '    namespaces:', '      enabled: true', `      mappings: {byName: ${mappings}}`)
export const NS = 'sync.toHost.namespaces.mappings.byName'
group('namespace sync', [
  [
    'mappings empty',
    y('sync:', '  toHost:', '    namespaces:', '      enabled: true'),
    'sync.toHost.namespaces.enabled',
    /mappings.byName/,
    ns('{"a": "b"}'),
  ],
  [
    'pattern to exact',
    ns('{"team-*": "vc-team"}'),
    `${NS}.team-*`,
    /pattern to an exact/,
    ns('{"team-*": "vc-team-*"}'),
  ],
  ['wildcard in the middle', ns('{"te*am": "vc-*"}'), `${NS}.te*am`, /must end with/, ns('{"team*": "vc-*"}')],
  ['host catch-all', ns('{"*": "*"}'), `${NS}.*`, /prefix before/, ns('{"*": "vc-*"}')],
  ['invalid exact name', ns('{"Team": "b"}'), `${NS}.Team`, /not a namespace name/, ns('{"team": "b"}')],
  ['host namespace twice', ns('{"a": "x", "b": "x"}'), `${NS}.b`, /mapped twice/, ns('{"a": "x", "b": "y"}')],
  ['placeholder twice', ns('{"a": "${name}-${name}"}'), `${NS}.a`, /more than once/, ns('{"a": "${name}-a"}')],
  ['other placeholder', ns('{"a": "${namespace}-a"}'), `${NS}.a`, /other than/, ns('{"a": "x-${name}"}')],
  [
    'pattern prefix too long',
    ns('{"a*": "abcdefghijabcdefghijabcdefghijabc*"}'),
    `${NS}.a*`,
    /32/,
    ns('{"a*": "abcdefghijabcdefghijabcdefghijab*"}'),
  ],
])

const privateNodes = (...lines: string[]) => y('privateNodes:', '  enabled: true', ...lines.map((l) => `  ${l}`))
const pools = (pool: string) => privateNodes('autoNodes:', `  - {provider: p, static: [${pool}]}`)
group('private nodes', [
  [
    'endpoint without private nodes',
    y('controlPlane:', '  endpoint: vc.example.com:443'),
    'controlPlane.endpoint',
    /privateNodes.enabled: true/,
    y('controlPlane:', '  endpoint: vc.example.com:443') + privateNodes(),
  ],
  [
    'endpoint without port',
    y('controlPlane:', '  endpoint: vc.example.com') + privateNodes(),
    'controlPlane.endpoint',
    /host:port/,
    y('controlPlane:', '  endpoint: "[2001:db8::1]:443"') + privateNodes(),
  ],
  [
    'integration',
    privateNodes() + y('integrations:', '  metricsServer: {enabled: true}'),
    'integrations.metricsServer.enabled',
    /does not run with private nodes/,
    privateNodes() + y('integrations:', '  metricsServer: {enabled: false}'),
  ],
  [
    'embedded coredns',
    privateNodes() + y('controlPlane:', '  coredns: {embedded: true}'),
    'controlPlane.coredns.embedded',
    /private nodes/,
    privateNodes() + y('controlPlane:', '  coredns: {enabled: true}'),
  ],
  [
    'namespace sync',
    privateNodes() + ns('{"a": "b"}'),
    'sync.toHost.namespaces.enabled',
    /private nodes/,
    privateNodes(),
  ],
  [
    'provider missing',
    privateNodes('autoNodes:', '  - {provider: ""}'),
    'privateNodes.autoNodes[0].provider',
    /provider is required/,
    privateNodes('autoNodes:', '  - {provider: p}'),
  ],
  [
    'provider twice',
    privateNodes('autoNodes:', '  - {provider: p}', '  - {provider: p}'),
    'privateNodes.autoNodes[1].provider',
    /one entry/,
    privateNodes('autoNodes:', '  - {provider: p}', '  - {provider: q}'),
  ],
  [
    'pool name twice',
    privateNodes(
      'autoNodes:',
      '  - {provider: p, static: [{name: a, quantity: 1}]}',
      '  - {provider: q, dynamic: [{name: a}]}',
    ),
    'privateNodes.autoNodes[1].dynamic[0].name',
    /used twice/,
    privateNodes(
      'autoNodes:',
      '  - {provider: p, static: [{name: a, quantity: 1}]}',
      '  - {provider: q, dynamic: [{name: b}]}',
    ),
  ],
  [
    'negative quantity',
    pools('{name: a, quantity: -1}'),
    'privateNodes.autoNodes[0].static[0].quantity',
    /negative/,
    pools('{name: a, quantity: 0}'),
  ],
  [
    'operator NotExists',
    pools('{name: a, quantity: 1, nodeTypeSelector: [{property: x, operator: NotExists}]}'),
    'privateNodes.autoNodes[0].static[0].nodeTypeSelector[0]',
    /In, NotIn, Exists, DoesNotExist, Gt, Lt/,
    pools('{name: a, quantity: 1, nodeTypeSelector: [{property: x, operator: DoesNotExist}]}'),
  ],
  [
    'value and values',
    pools('{name: a, quantity: 1, nodeTypeSelector: [{property: x, value: a, values: [b]}]}'),
    'privateNodes.autoNodes[0].static[0].nodeTypeSelector[0]',
    /not both/,
    pools('{name: a, quantity: 1, nodeTypeSelector: [{property: x, values: [a, b]}]}'),
  ],
  [
    'security context type',
    privateNodes('autoUpgrade:', '  podSecurityContext: {runAsUser: root}'),
    'privateNodes.autoUpgrade.podSecurityContext.runAsUser',
    /PodSecurityContext/,
    privateNodes('autoUpgrade:', '  podSecurityContext: {runAsUser: 0, sysctls: [{name: a, value: b}]}'),
  ],
])

group('export kubeconfig', [
  [
    'server scheme in capitals',
    y('exportKubeConfig:', '  server: HTTPS://vc.example.com'),
    'exportKubeConfig.server',
    /https:\/\//,
    y('exportKubeConfig:', '  server: https://vc.example.com'),
  ],
  [
    'secret namespace with additional secrets',
    y('exportKubeConfig:', '  secret: {namespace: a}', '  additionalSecrets: [{name: b}]'),
    'exportKubeConfig.secret',
    /additionalSecrets/,
    y('exportKubeConfig:', '  additionalSecrets: [{name: b}, {namespace: a}]'),
  ],
  [
    'additional secret with a blank name',
    y('exportKubeConfig:', '  additionalSecrets: [{name: " "}]'),
    'exportKubeConfig.additionalSecrets[0]',
    /name and\/or a namespace/,
    y('exportKubeConfig:', '  additionalSecrets: [{name: kc}]'),
  ],
])

const manifests = (text: string) =>
  y('experimental:', '  deploy:', '    host:', `      manifests: ${JSON.stringify(text)}`)
group('chart rendering', [
  [
    'runtime class written plain',
    y('controlPlane:', '  statefulSet:', '    runtimeClassName: "a: b"'),
    'controlPlane.statefulSet.runtimeClassName',
    /RuntimeClass name/,
    y('controlPlane:', '  statefulSet:', '    runtimeClassName: gvisor'),
  ],
  [
    'size with a line break',
    y('controlPlane:', '  statefulSet:', '    persistence:', '      volumeClaim:', '        size: "5\\nGi"'),
    'controlPlane.statefulSet.persistence.volumeClaim.size',
    /quantity/,
    y('controlPlane:', '  statefulSet:', '    persistence:', '      volumeClaim:', '        size: 5Gi'),
  ],
  [
    'priority class .inf',
    y('controlPlane:', '  statefulSet:', '    scheduling:', '      priorityClassName: ".inf"'),
    'controlPlane.statefulSet.scheduling.priorityClassName',
    /PriorityClass/,
    y('controlPlane:', '  statefulSet:', '    scheduling:', '      priorityClassName: high'),
  ],
  [
    'TLSRoute apiVersion when the route is on',
    y('controlPlane:', '  tlsRoute:', '    enabled: true', '    apiVersion: "@v1"'),
    'controlPlane.tlsRoute.apiVersion',
    /API version/,
    y('controlPlane:', '  tlsRoute:', '    enabled: false', '    apiVersion: "@v1"'),
  ],
  [
    'binaries volume empty',
    y('controlPlane:', '  statefulSet:', '    persistence:', '      binariesVolume: []'),
    'controlPlane.statefulSet.persistence.binariesVolume',
    /leave it out/,
    y('controlPlane:', '  statefulSet:', '    persistence:', '      binariesVolume: [{name: binaries, emptyDir: {}}]'),
  ],
  [
    'manifests that are not objects',
    manifests('ON'),
    'experimental.deploy.host.manifests',
    /not an object/,
    manifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x'),
  ],
  ['manifests with .inf', manifests('a: .inf'), 'experimental.deploy.host.manifests', /JSON/, manifests('a: inf')],
  [
    'manifests with a scalar metadata',
    manifests('metadata: 1'),
    'experimental.deploy.host.manifests',
    /metadata/,
    manifests('metadata: {name: x}'),
  ],
])
