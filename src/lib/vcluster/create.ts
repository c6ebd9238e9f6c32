import {isDeepStrictEqual} from 'node:util'
import {parse} from 'yaml'
import {loadConfig, type LoadedConfig} from '../config/load.js'
import {ConflictError, VClusterError, type ConfigProblem} from '../errors.js'
import {applyWavesInOrder} from '../kube/apply.js'
import {connectKube, type KubeClient, type KubeTarget} from '../kube/client.js'
import {ensureNamespace, lookupNamespace} from '../kube/namespace.js'
import {reviewRules} from '../kube/preflight.js'
import {collectionPath} from '../kube/resources.js'
import {waitForReady} from '../kube/wait.js'
import {withDeadline, type Deadline} from '../kube/deadline.js'
import type {ProgressSink} from '../ui/progress.js'
import {applyWaves, configSecretName, renderManifests, workloadKind} from '../manifests/index.js'
import type {KubeObject} from '../kube/object.js'
import {findVCluster, findVClusters} from './find.js'
import {checkOperation} from './permissions.js'
import {checkVClusterName, defaultNamespace} from './names.js'

export interface CreateOptions {
  name: string
  kube: KubeTarget
  files?: string[]
  sets?: string[]
  createNamespace?: boolean
  /** Sets controlPlane.service.spec.type=LoadBalancer. */
  expose?: boolean
  /** Allow changing an existing vCluster's config (same as `upgrade`). */
  upgrade?: boolean
  wait?: boolean
  /** --timeout: bounds the whole create, the readiness wait gets what is left (lib/kube/deadline.ts). */
  timeoutMs?: number
  /** `server`: everything is sent with dryRun=All; nothing is persisted. */
  dryRun?: 'server'
  readStdin?: () => Promise<string>
  onProgress?: ProgressSink
}

export interface CreateResult {
  name: string
  namespace: string
  context: string
  namespaceCreated: boolean
  /** `created` the first time, `unchanged` when an identical create is re-run, `upgraded` with --upgrade. */
  action: 'created' | 'unchanged' | 'upgraded'
  objects: {kind: string; name: string}[]
  ready: boolean
  readyAfterMs?: number
  dryRun: boolean
  warnings: ConfigProblem[]
  manifests?: KubeObject[]
}

/** Loads the user's values for create: files, --set, and the --expose shortcut. */
export function loadCreateConfig(
  options: Pick<CreateOptions, 'files' | 'sets' | 'expose' | 'readStdin'>,
): Promise<LoadedConfig> {
  const sets = [
    ...(options.sets ?? []),
    ...(options.expose === true ? ['controlPlane.service.spec.type=LoadBalancer'] : []),
  ]
  return loadConfig({files: options.files, sets, readStdin: options.readStdin})
}

/**
 * Creates (or converges) a vCluster: validate, preflight permissions, server-side apply in dependency order,
 * then wait for readiness with progress. Nothing is applied when validation or the permission check fails.
 */
export function createVCluster(options: CreateOptions): Promise<CreateResult> {
  checkVClusterName(options.name)
  const what = {
    what: `create of vCluster ${options.name}`,
    endsWith: 'diagnosis' as const,
    hint: `Run the same create again to finish (it converges), or remove what was made: vcluster delete ${options.name} (with the same --namespace/--context).`,
  }
  return withDeadline(options.timeoutMs, what, async (deadline) => {
    const loaded = await loadCreateConfig(options)
    const client = await connectKube(options.kube)
    try {
      return await createWith(client, options, loaded, deadline)
    } finally {
      client.close()
    }
  })
}

async function createWith(
  client: KubeClient,
  options: CreateOptions,
  loaded: LoadedConfig,
  deadline: Deadline,
): Promise<CreateResult> {
  const {name} = options
  const say = options.onProgress ?? (() => {})
  const namespace = defaultNamespace(name, client.selection)
  const dryRun = options.dryRun === 'server'
  // Independent reads go out together: the host version, what already exists, the user's rights.
  const review = options.upgrade === true ? undefined : reviewRules(client, namespace)
  const namespaceLookup = options.upgrade === true ? undefined : lookupNamespace(client, namespace)
  const [hostVersion, action] = await Promise.all([
    hostGitVersion(client),
    existingAction(client, name, namespace, loaded.values, options.upgrade === true),
  ])
  if (action === 'upgraded') return upgradeInstead(client, options, namespace, loaded, deadline)
  const objects = renderManifests({name, namespace, config: loaded.config, values: loaded.values, hostVersion})
  // Permissions first: a refused create must leave nothing behind, not even a namespace.
  say({kind: 'step', message: `checking your rights in namespace ${namespace}`})
  await checkOperation(client, 'create', {name, namespace, objects, workloadKind: workloadKind(loaded.config)}, review)
  const namespaceCreated = await ensureNamespace(
    client,
    namespace,
    options.createNamespace !== false,
    dryRun,
    deadline.remainingMs(),
    namespaceLookup,
  )
  if (namespaceCreated) say({kind: 'done', message: `created namespace ${namespace}`})
  let count = 0
  const applied = await applyWavesInOrder(client, applyWaves(objects), {
    dryRun,
    onApplied: () => {
      count++
      say(
        count === objects.length
          ? {kind: 'done', message: `applied ${count} objects`}
          : {kind: 'step', message: `applying objects (${count}/${objects.length})`},
      )
    },
  }).catch((error: unknown) => {
    if (dryRun || (count === 0 && !namespaceCreated) || !(error instanceof VClusterError)) throw error
    // Part of it is in the cluster: say so, and how to finish or remove it.
    throw new VClusterError(
      error.kind,
      `${error.message}\n(${count} of ${objects.length} objects were applied${namespaceCreated ? `, and namespace ${namespace} was created` : ''})`,
      [
        error.hint,
        `Fix it and run the same create again (it converges), or remove what was made:  vcluster delete ${name} -n ${namespace}`,
      ]
        .filter(Boolean)
        .join('\n'),
    )
  })
  const base = {
    name,
    namespace,
    context: client.selection.contextName,
    namespaceCreated,
    action,
    dryRun,
    warnings: loaded.warnings,
  }
  const list = objects.map((o) => ({kind: o.kind, name: o.metadata.name}))
  if (dryRun || options.wait === false)
    return {...base, objects: list, ready: false, ...(dryRun ? {manifests: applied} : {})}
  const {afterMs} = await waitForReady(client, {
    namespace,
    name,
    kind: workloadKind(loaded.config),
    timeoutMs: deadline.remainingMs(),
    onProgress: options.onProgress,
  })
  return {...base, objects: list, ready: true, readyAfterMs: afterMs}
}

/** `create --upgrade` on an existing vCluster is `upgrade`: the same plan, checks and rollout. */
async function upgradeInstead(
  client: KubeClient,
  options: CreateOptions,
  namespace: string,
  loaded: LoadedConfig,
  deadline: Deadline,
): Promise<CreateResult> {
  const found = await findVCluster(client, options.name, namespace)
  // Loaded only for `--upgrade` over an existing vCluster.
  const {applyUpgrade, planUpgrade} = await import('./upgrade.js')
  const plan = await planUpgrade(client, found, {files: options.files, sets: options.sets})
  const dryRun = options.dryRun === 'server'
  const {readyAfterMs} = dryRun
    ? {readyAfterMs: undefined}
    : await applyUpgrade(client, plan, {
        wait: options.wait,
        timeoutMs: deadline.remainingMs(),
        onProgress: options.onProgress,
      })
  return {
    name: options.name,
    namespace,
    context: client.selection.contextName,
    namespaceCreated: false,
    action: 'upgraded',
    objects: plan.objects.map((o) => ({kind: o.kind, name: o.metadata.name})),
    ready: readyAfterMs !== undefined,
    readyAfterMs,
    dryRun,
    warnings: loaded.warnings,
  }
}

async function hostGitVersion(client: KubeClient): Promise<string | undefined> {
  const version = await client.request<{gitVersion?: string}>({path: '/version'})
  return version.gitVersion
}

/**
 * One vCluster per namespace. An identical re-run converges (an interrupted create finishes); a different config
 * on an existing vCluster needs --upgrade, so nothing changes by accident.
 */
async function existingAction(
  client: KubeClient,
  name: string,
  namespace: string,
  values: Record<string, unknown>,
  upgrade: boolean,
): Promise<CreateResult['action']> {
  const [found, secret] = await Promise.all([
    findVClusters(client, {namespace}).catch(() => []),
    client.request<{data?: Record<string, string>} | undefined>({
      path: `${collectionPath('Secret', namespace)}/${configSecretName(name)}`,
      allow: [404, 403],
    }),
  ])
  const other = found.find((v) => v.name !== name)
  if (other !== undefined) {
    throw new ConflictError(
      `there is already a virtual cluster (${other.name}) in namespace ${namespace}; one vCluster per namespace is supported`,
      `Pick another namespace with -n, or manage the existing one: vcluster connect ${other.name} -n ${namespace}`,
    )
  }
  const stored = secret?.data?.['user-values.yaml']
  const exists = found.length > 0
  if (!exists && stored === undefined) return 'created'
  if (upgrade) return 'upgraded'
  const previous = stored === undefined ? undefined : (parse(Buffer.from(stored, 'base64').toString('utf8')) ?? {})
  if (previous !== undefined && isDeepStrictEqual(previous, values)) return exists ? 'unchanged' : 'created'
  throw new ConflictError(
    `vCluster ${name} already exists in namespace ${namespace} with a different config`,
    `To change it:  vcluster upgrade ${name} -n ${namespace} -f <values>\nTo use it:     vcluster connect ${name} -n ${namespace}`,
  )
}
