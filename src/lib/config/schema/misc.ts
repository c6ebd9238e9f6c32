/** `exportKubeConfig`, `rbac`, `plugins`, `plugin`, `telemetry` and `logging`. */
import {pullPolicy} from './common.js'
import {
  anyList,
  autoBool,
  bool,
  closed,
  list,
  mapOf,
  object,
  objList,
  oneOf,
  openObject,
  removed,
  str,
  strList,
} from './helpers.js'

function kubeConfigProps(withDefaults: boolean) {
  return {
    context: withDefaults
      ? str('', 'Context name in the generated kubeconfig.')
      : str('Context name in the generated kubeconfig.'),
    server: withDefaults
      ? str('', 'Server URL in the generated kubeconfig, instead of https://localhost:8443.')
      : str('Server URL in the generated kubeconfig, instead of https://localhost:8443.'),
    insecure: withDefaults
      ? bool(false, 'Skips TLS verification of the server.')
      : bool('Skips TLS verification of the server.'),
    serviceAccount: closed(
      withDefaults
        ? {
            name: str('', 'Service account whose token replaces the client certificate.'),
            namespace: str('', 'Namespace of that service account; kube-system when empty.'),
            clusterRole: str('', 'Cluster role bound to that service account.'),
          }
        : {
            name: str('Service account whose token replaces the client certificate.'),
            namespace: str('Namespace of that service account; kube-system when empty.'),
            clusterRole: str('Cluster role bound to that service account.'),
          },
      'Use a service account token instead of certificates.',
    ),
  }
}

export const exportKubeConfig = closed(
  {
    ...kubeConfigProps(true),
    secret: closed(
      {
        name: str('', 'Name of the secret to write the kubeconfig to.'),
        namespace: str('', 'Namespace of that secret; needs access when it is not the vCluster namespace.'),
      },
      'Deprecated: use additionalSecrets. An extra host secret for the kubeconfig.',
      {deprecated: true},
    ),
    additionalSecrets: list(
      object(
        {
          ...kubeConfigProps(false),
          name: str('Name of the secret to write the kubeconfig to.'),
          namespace: str('Namespace of that secret; needs access when it is not the vCluster namespace.'),
        },
        'An extra kubeconfig secret.',
      ),
      'Extra host secrets that receive a kubeconfig (in addition to vc-NAME).',
      [],
    ),
  },
  'How vCluster exports the kubeconfig of the virtual cluster.',
)

function roleConfig(description: string, kind: string, enabled: ReturnType<typeof bool> | ReturnType<typeof autoBool>) {
  return closed(
    {
      enabled,
      extraRules: objList([], `Rules added to the ${kind}.`),
      overwriteRules: objList([], `Rules that replace the ${kind} rules completely.`),
    },
    description,
  )
}

export const rbac = closed(
  {
    role: roleConfig(
      'The Role (or ClusterRole in multi-namespace mode) of the control plane.',
      'role',
      bool(true, 'Creates the role.'),
    ),
    clusterRole: roleConfig(
      'The ClusterRole of the control plane.',
      'cluster role',
      autoBool('auto', 'Creates the cluster role; "auto" does so only when a setting needs cluster-wide access.'),
    ),
    enableVolumeSnapshotRules: removed(
      {enabled: autoBool(undefined, 'Had no effect since 0.36.')},
      'Removed in vCluster 0.36; the chart rejects the key. Remove it.',
    ),
  },
  'RBAC of the control plane on the host cluster.',
)

const policyRule = object(
  {
    verbs: strList('Verbs the rule allows; "*" for all.'),
    apiGroups: strList('API groups of the resources; "" is the core group, "*" all.'),
    resources: strList('Resources the rule applies to; "*" for all.'),
    resourceNames: strList('Names the rule is limited to; all when empty.'),
    nonResourceURLs: strList('Non-resource URLs the rule allows (cluster roles only).'),
  },
  'An RBAC rule.',
)

function pluginProps() {
  const extraRules = (what: string) =>
    closed({extraRules: list(policyRule, `Rules added to the ${what}.`)}, `Extra ${what} rules for the plugin.`)
  return {
    name: str('Name of the init container (not of the plugin).'),
    image: str('Image of the plugin.'),
    imagePullPolicy: pullPolicy('Pull policy for the plugin image.'),
    config: openObject('Arbitrary configuration passed to the plugin.'),
    rbac: closed({role: extraRules('role'), clusterRole: extraRules('cluster role')}, 'Extra RBAC the plugin needs.'),
    command: strList('Command of the init container.'),
    args: strList('Arguments of the init container.'),
    securityContext: openObject('Security context of the init container.'),
    resources: openObject('Resources of the init container.'),
    volumeMounts: anyList('Extra volume mounts of the init container.'),
  }
}

export const plugins = mapOf(object(pluginProps(), 'A plugin.'), 'Plugins to load, keyed by plugin name.', {})

export const plugin = mapOf(
  object(
    {
      ...pluginProps(),
      version: str('Plugin version; only for legacy plugins.'),
      env: anyList('Environment variables of the plugin container.'),
      envFrom: anyList('Environment sources of the plugin container.'),
      lifecycle: openObject('Lifecycle hooks of the plugin container.'),
      livenessProbe: openObject('Liveness probe of the plugin container.'),
      readinessProbe: openObject('Readiness probe of the plugin container.'),
      startupProbe: openObject('Startup probe of the plugin container.'),
      workingDir: str('Working directory of the plugin container.'),
      optional: bool('Starts even when the plugin is missing.'),
    },
    'A legacy plugin.',
  ),
  'Deprecated: use plugins. Legacy plugins, keyed by name.',
  undefined,
  {deprecated: true},
)

export const telemetry = closed(
  {
    enabled: bool(true, 'Sends anonymous usage telemetry from the control plane.'),
    instanceCreator: str('What created this instance, e.g. vclusterctl.'),
    machineID: str('Machine ID of the creator.'),
    platformUserID: str('Platform user that created this instance.'),
    platformInstanceID: str('Platform instance that manages this vCluster.'),
  },
  'Telemetry of the control plane.',
)

export const logging = closed(
  {
    encoding: oneOf('log-encoding', ['json', 'console'], 'console', 'Format of the vCluster logs.'),
  },
  'Structured logging options.',
)
