/**
 * Start-up rules of the release about private nodes (validatePrivatedNodesMode): controlPlane.endpoint only with
 * private nodes and as host:port, features that do not run with private nodes, node pools (providers, names,
 * quantities, node type requirements) and the auto-upgrade security contexts.
 */
import {at, bool, count, items, list, num, str, type RuleContext} from './rules-util.js'
import {isPlainObject} from './set-values.js'

const UNSUPPORTED: [string, string][] = [
  ['integrations.metricsServer.enabled', 'the metrics-server integration'],
  ['integrations.certManager.enabled', 'the cert-manager integration'],
  ['integrations.externalSecrets.enabled', 'the external-secrets integration'],
  ['integrations.istio.enabled', 'the istio integration'],
  ['integrations.kubeVirt.enabled', 'the kubevirt integration'],
  ['controlPlane.coredns.embedded', 'embedded CoreDNS'],
  ['controlPlane.hostPathMapper.enabled', 'the host path mapper'],
  ['sync.toHost.namespaces.enabled', 'namespace sync (multi-namespace mode)'],
]

export function checkPrivateNodes(ctx: RuleContext): void {
  const {values, report} = ctx
  const endpoint = str(values, 'controlPlane.endpoint')
  if (!bool(values, 'privateNodes.enabled')) {
    if (endpoint !== '')
      report('controlPlane.endpoint', 'is only used with private nodes; remove it, or set privateNodes.enabled: true')
    return
  }
  const why = endpoint === '' ? undefined : hostPortProblem(endpoint)
  if (why !== undefined)
    report(
      'controlPlane.endpoint',
      `"${endpoint}" is not host:port (${why}); write e.g. vc.example.com:443 or [2001:db8::1]:443`,
      'error',
      'value',
    )
  for (const [path, what] of UNSUPPORTED) {
    if (bool(values, path))
      report(
        path,
        `${what} does not run with private nodes; set it to false, or turn privateNodes off`,
        'error',
        'value',
      )
  }
  checkNodePools(ctx)
  for (const [key, type] of [
    ['podSecurityContext', 'a PodSecurityContext'],
    ['containerSecurityContext', 'a SecurityContext'],
  ] as const) {
    const problem = securityContextProblem(
      at(values, `privateNodes.autoUpgrade.${key}`),
      key === 'podSecurityContext' ? POD_SECURITY_CONTEXT : SECURITY_CONTEXT,
    )
    if (problem !== undefined)
      report(
        `privateNodes.autoUpgrade.${key}${problem === '' ? '' : `.${problem}`}`,
        `does not fit ${type}; use the Kubernetes field names and types`,
      )
  }
}

/** Go's net.SplitHostPort, or why it refuses. */
export function hostPortProblem(text: string): string | undefined {
  if (text.startsWith('[')) {
    const end = text.indexOf(']')
    if (end < 0) return 'missing ]'
    if (text.slice(1, end).includes('[') || text.slice(end + 1).includes(']')) return 'unexpected bracket'
    if (end + 1 === text.length) return 'missing port'
    if (text[end + 1] !== ':') return 'missing port'
    return text.slice(end + 2).includes(':') ? 'too many colons' : undefined
  }
  const colons = count(text, ':')
  if (colons === 0) return 'missing port'
  if (colons > 1) return 'too many colons'
  return text.includes('[') || text.includes(']') ? 'unexpected bracket' : undefined
}

function checkNodePools(ctx: RuleContext): void {
  const {values, report} = ctx
  const providers = new Set<string>()
  const names = new Set<string>()
  for (const {item, path} of items(values, 'privateNodes.autoNodes')) {
    const provider = str(item, 'provider')
    if (provider === '')
      report(`${path}.provider`, 'a node provider is required; name the provider of this pool', 'error', 'value')
    else if (providers.has(provider))
      report(
        `${path}.provider`,
        `the provider "${provider}" has another autoNodes entry; put all its pools (static and dynamic) in one entry`,
        'error',
        'value',
      )
    providers.add(provider)
    for (const kind of ['static', 'dynamic'] as const) {
      for (const pool of items(item, kind)) {
        const name = str(pool.item, 'name')
        const poolPath = `${path}.${pool.path}`
        if (name === '') report(`${poolPath}.name`, 'a node pool needs a name', 'error', 'value')
        else if (names.has(name))
          report(
            `${poolPath}.name`,
            `the node pool name "${name}" is used twice; node pool names are unique across all providers`,
            'error',
            'value',
          )
        if (name !== '') names.add(name)
        if (kind === 'static' && num(pool.item, 'quantity') < 0)
          report(`${poolPath}.quantity`, 'cannot be negative; use 0 or more', 'error', 'value')
        items(pool.item, 'nodeTypeSelector').forEach((r) => {
          const problem = requirementProblem(r.item)
          if (problem !== undefined) report(`${poolPath}.${r.path}`, problem)
        })
      }
    }
  }
}

const OPERATORS = ['', 'In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']

/** validateRequirements for one requirement. */
export function requirementProblem(requirement: unknown): string | undefined {
  const property = str(requirement, 'property')
  const operator = str(requirement, 'operator')
  const value = str(requirement, 'value')
  const valuesCount = list(requirement, 'values').length
  if (property === '') return 'a requirement needs a property'
  if (!OPERATORS.includes(operator))
    return `"${operator}" is not an operator; use one of In, NotIn, Exists, DoesNotExist, Gt, Lt`
  if (value !== '' && valuesCount > 0) return 'set value or values, not both'
  if (
    (operator === '' || operator === 'In' || operator === 'NotIn' || operator === 'Gt' || operator === 'Lt') &&
    value === '' &&
    valuesCount === 0
  ) {
    return `operator ${operator === '' ? '(none, meaning In)' : operator} needs value or values`
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && (value !== '' || valuesCount > 0))
    return `operator ${operator} takes no value; remove value and values`
  return undefined
}

type Shape = 'int' | 'ints' | 'bool' | 'string' | 'strings' | 'sysctls' | {[key: string]: Shape}

const SE_LINUX: Shape = {user: 'string', role: 'string', type: 'string', level: 'string'}
const SECCOMP: Shape = {type: 'string', localhostProfile: 'string'}
const APPARMOR: Shape = SECCOMP
const WINDOWS: Shape = {
  gmsaCredentialSpecName: 'string',
  gmsaCredentialSpec: 'string',
  runAsUserName: 'string',
  hostProcess: 'bool',
}
const SECURITY_CONTEXT: Shape = {
  capabilities: {add: 'strings', drop: 'strings'},
  privileged: 'bool',
  seLinuxOptions: SE_LINUX,
  windowsOptions: WINDOWS,
  runAsUser: 'int',
  runAsGroup: 'int',
  runAsNonRoot: 'bool',
  readOnlyRootFilesystem: 'bool',
  allowPrivilegeEscalation: 'bool',
  procMount: 'string',
  seccompProfile: SECCOMP,
  appArmorProfile: APPARMOR,
}
const POD_SECURITY_CONTEXT: Shape = {
  seLinuxOptions: SE_LINUX,
  windowsOptions: WINDOWS,
  runAsUser: 'int',
  runAsGroup: 'int',
  runAsNonRoot: 'bool',
  supplementalGroups: 'ints',
  supplementalGroupsPolicy: 'string',
  fsGroup: 'int',
  sysctls: 'sysctls',
  fsGroupChangePolicy: 'string',
  seccompProfile: SECCOMP,
  appArmorProfile: APPARMOR,
  seLinuxChangePolicy: 'string',
}

/**
 * runtime.DefaultUnstructuredConverter.FromUnstructured into the Kubernetes type: a known field with the wrong type
 * fails (unknown fields are ignored, as there). Returns the path (relative) of the first mistyped field.
 */
export function securityContextProblem(value: unknown, shape: Shape, path = ''): string | undefined {
  if (value === undefined || value === null) return undefined
  const join = (key: string) => (path === '' ? key : `${path}.${key}`)
  if (shape === 'int') return Number.isInteger(value) ? undefined : path
  if (shape === 'bool') return typeof value === 'boolean' ? undefined : path
  if (shape === 'string') return typeof value === 'string' ? undefined : path
  if (shape === 'strings' || shape === 'ints' || shape === 'sysctls') {
    if (!Array.isArray(value)) return path
    const bad = value.findIndex((v) =>
      shape === 'strings'
        ? typeof v !== 'string'
        : shape === 'ints'
          ? !Number.isInteger(v)
          : securityContextProblem(v, {name: 'string', value: 'string'}) !== undefined,
    )
    return bad < 0 ? undefined : `${path}[${bad}]`
  }
  if (!isPlainObject(value)) return path
  for (const [key, child] of Object.entries(shape)) {
    const problem = securityContextProblem(value[key], child, join(key))
    if (problem !== undefined) return problem
  }
  return undefined
}
