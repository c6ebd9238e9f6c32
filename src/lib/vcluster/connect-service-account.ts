import {ForbiddenError, NotFoundError, UnavailableError, UsageError} from '../errors.js'
import {safeConcatName} from './delete-cluster.js'
import {call, serviceAccountToken, type VClusterAccess} from './vcluster-api.js'
import {noProgress, type ProgressSink} from '../ui/progress.js'

/** Upstream's token lifetime when --token-expiration is not given ("eternal"); the API server may shorten it. */
export const DEFAULT_TOKEN_SECONDS = 10 * 365 * 24 * 3600
/** The API server refuses a TokenRequest shorter than this. */
export const MIN_TOKEN_SECONDS = 600

/** What `--service-account`, `--cluster-role` and `--token-expiration` ask for. */
export interface ServiceAccountRequest {
  namespace: string
  name: string
  /** Create the account when missing and bind this ClusterRole to it (ClusterRoleBinding vcluster-sa-NAME-NS). */
  clusterRole?: string
  expirationSeconds: number
}

/** Parses the three flags together; each mistake is a usage error naming the flag. */
export function serviceAccountRequest(flags: {
  serviceAccount?: string
  clusterRole?: string
  tokenExpirationSeconds?: number
}): ServiceAccountRequest | undefined {
  if (flags.serviceAccount === undefined) {
    if (flags.clusterRole !== undefined)
      throw new UsageError('--cluster-role needs --service-account', 'e.g. --service-account ci --cluster-role view')
    if (flags.tokenExpirationSeconds !== undefined)
      throw new UsageError(
        '--token-expiration needs --service-account',
        'The admin certificate does not expire by flag; pass --service-account NAME to get a token.',
      )
    return undefined
  }
  const expiration = flags.tokenExpirationSeconds ?? DEFAULT_TOKEN_SECONDS
  if (!Number.isInteger(expiration) || expiration < MIN_TOKEN_SECONDS)
    throw new UsageError(
      `--token-expiration ${flags.tokenExpirationSeconds}: a token lives at least ${MIN_TOKEN_SECONDS} seconds (10m)`,
      'Pass a duration of 10m or more, e.g. --token-expiration 1h (or seconds: 3600).',
    )
  if (flags.clusterRole === '')
    throw new UsageError('--cluster-role needs a ClusterRole name, e.g. view or cluster-admin')
  return {...parseServiceAccount(flags.serviceAccount), clusterRole: flags.clusterRole, expirationSeconds: expiration}
}

/** `NS/NAME`, or `NAME` in kube-system (as upstream). */
export function parseServiceAccount(value: string): {namespace: string; name: string} {
  const parts = value.split('/')
  const [namespace, name] = parts.length === 1 ? ['kube-system', parts[0]] : parts
  if (parts.length > 2 || namespace === undefined || namespace === '' || name === undefined || name === '') {
    throw new UsageError(`--service-account ${value}: expected NAMESPACE/NAME or NAME`)
  }
  return {namespace, name}
}

/** Upstream's binding name for --cluster-role, so either CLI finds (and updates) the other's binding. */
export function bindingName(request: Pick<ServiceAccountRequest, 'namespace' | 'name'>): string {
  return safeConcatName('vcluster', 'sa', request.name, request.namespace)
}

/**
 * A token for the service account inside the vCluster; with a cluster role, the account is created when missing and
 * bound to the role first (a binding to another role is replaced, as upstream does).
 */
export async function serviceAccountUser(
  access: VClusterAccess,
  request: ServiceAccountRequest,
  vcluster: string,
  onProgress: ProgressSink = noProgress,
): Promise<{token: string}> {
  if (request.clusterRole !== undefined) {
    await ensureAccount(access, request, onProgress)
    await ensureBinding(access, request, request.clusterRole, onProgress)
  }
  return {
    token: await serviceAccountToken(access, request.namespace, request.name, request.expirationSeconds, vcluster),
  }
}

async function ensureAccount(
  access: VClusterAccess,
  request: ServiceAccountRequest,
  onProgress: ProgressSink,
): Promise<void> {
  const {namespace, name} = request
  const path = `/api/v1/namespaces/${namespace}/serviceaccounts`
  const got = await call(access, 'GET', `${path}/${name}`)
  if (got.status === 200) return
  expect(got, [404], `read service account ${namespace}/${name}`)
  const made = await call(access, 'POST', path, {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name, namespace}})
  if (made.status === 404)
    throw new NotFoundError(
      `namespace ${namespace} does not exist in the vCluster`,
      'Name a service account in an existing namespace, e.g. --service-account kube-system/NAME.',
    )
  if (made.status === 409) return // made meanwhile
  expect(made, [201], `create service account ${namespace}/${name}`)
  onProgress({kind: 'done', message: `created service account ${namespace}/${name} in the vCluster`})
}

interface Binding {
  roleRef?: {name?: string}
}

async function ensureBinding(
  access: VClusterAccess,
  request: ServiceAccountRequest,
  clusterRole: string,
  onProgress: ProgressSink,
): Promise<void> {
  const binding = bindingName(request)
  const path = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'
  const got = await call(access, 'GET', `${path}/${binding}`)
  let replaced: string | undefined
  if (got.status === 200) {
    const current = (JSON.parse(got.body) as Binding).roleRef?.name
    if (current === clusterRole) return
    // roleRef cannot be changed in place.
    expect(await call(access, 'DELETE', `${path}/${binding}`), [200, 202, 404], `replace binding ${binding}`)
    replaced = current
  } else expect(got, [404], `read cluster role binding ${binding}`)
  const made = await call(access, 'POST', path, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: {name: binding},
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole},
    subjects: [{kind: 'ServiceAccount', name: request.name, namespace: request.namespace}],
  })
  expect(made, [201], `bind cluster role ${clusterRole} to ${request.namespace}/${request.name}`)
  onProgress({
    kind: 'done',
    message: `bound cluster role ${clusterRole} to it (ClusterRoleBinding ${binding}${replaced === undefined ? '' : `, was ${replaced}`})`,
  })
}

function expect(reply: {status: number; body: string}, ok: number[], what: string): void {
  if (ok.includes(reply.status)) return
  const detail = `${what}: HTTP ${reply.status} ${reply.body.slice(0, 200)}`
  if (reply.status === 403)
    throw new ForbiddenError(`the vCluster refused to ${detail}`, 'Connect as a user who may, or drop --cluster-role.')
  throw new UnavailableError(`could not ${detail}`)
}
