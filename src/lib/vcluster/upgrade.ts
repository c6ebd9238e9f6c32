import {loadConfig} from '../config/load.js'
import {NotFoundError} from '../errors.js'
import {applyWavesInOrder} from '../kube/apply.js'
import {connectKube, type KubeClient, type KubeTarget} from '../kube/client.js'
import {reviewRules} from '../kube/preflight.js'
import {objectPath} from '../kube/resources.js'
import {waitForReady} from '../kube/wait.js'
import {DEADLINE_POLICY, withDeadline} from '../kube/deadline.js'
import type {ProgressSink} from '../ui/progress.js'
import {
  applyWaves,
  kubernetesImage,
  renderManifests,
  syncerImage,
  workloadKind,
  type KubeObject,
} from '../manifests/index.js'
import {lineDiff} from '../ui/diff.js'
import {findVCluster, type FoundVCluster} from './find.js'
import {PAUSED_ANNOTATION, REPLICAS_ANNOTATION} from './pause.js'
import {checkOperation} from './permissions.js'
import {checkStoredValues, readStoredConfig} from './stored-config.js'
import {installedByHelm, refuseHelmOwned} from './helm-release.js'
import {checkUpgrade} from './upgrade-checks.js'
import {changeOf, normalizedYaml, ownedObjects, staleObjects, type ObjectChange} from './upgrade-diff.js'
import {liveTag, persistenceRefusals, refusalError, tagOf} from './upgrade-refusals.js'

export type {ObjectChange} from './upgrade-diff.js'

export interface UpgradeOptions {
  files?: string[]
  sets?: string[]
  vclusterVersion?: string
  resetValues?: boolean
  force?: boolean
  readStdin?: () => Promise<string>
}

export interface UpgradePlan {
  name: string
  namespace: string
  changes: ObjectChange[]
  objects: KubeObject[]
  removals: KubeObject[]
  values: Record<string, unknown>
  kind: 'StatefulSet' | 'Deployment'
}

/** Builds the upgrade: stored values + new values, every safety check, and a server-side dry-run diff. */
export async function planUpgrade(
  client: KubeClient,
  found: FoundVCluster,
  options: UpgradeOptions,
): Promise<UpgradePlan> {
  const {name, namespace} = found
  // Independent reads go out together: the user's rights, the host version, what we own there now.
  const review = reviewRules(client, namespace)
  const version = client.request<{gitVersion?: string}>({path: '/version'})
  const owned = ownedObjects(client, name, namespace)
  for (const p of [version, owned]) p.catch(() => undefined) // awaited below, or not at all when a check refuses
  // Helm's record decides who owns it (docs/decisions.md): refused, with the ways forward, while helm holds one.
  if (installedByHelm(found.workload.metadata)) await refuseHelmOwned(client, name, namespace)
  const stored = await readStoredConfig(client, name, namespace)
  if (stored === undefined)
    throw new NotFoundError(
      `vCluster ${name} has no stored config (Secret vc-config-${name})`,
      'Recreate it with vcluster create, or pass the whole config with --reset-values -f <file>.',
    )
  if (options.resetValues !== true) checkStoredValues(name, stored)
  const sets = [
    ...(options.sets ?? []),
    ...(options.vclusterVersion === undefined ? [] : [`controlPlane.statefulSet.image.tag=${options.vclusterVersion}`]),
  ]
  const loaded = await loadConfig({
    base: options.resetValues === true ? {} : stored.values,
    files: options.files,
    sets,
    readStdin: options.readStdin,
  })
  const hostVersion = (await version).gitVersion
  const input = {name, namespace, config: loaded.config, values: loaded.values, hostVersion}
  const objects = keepPaused(renderManifests(input), found)
  const refusals = checkUpgrade(
    {
      config: stored.resolved as never,
      kubernetesTag: liveTag(found, 'init:kubernetes'),
      vclusterTag: liveTag(found, 'syncer'),
    },
    {config: loaded.config, kubernetesTag: tagOf(kubernetesImage(input)), vclusterTag: tagOf(syncerImage(input))},
    options.force === true,
  )
  refusals.push(...persistenceRefusals(found, objects))
  if (refusals.length > 0) throw refusalError(name, namespace, refusals)
  await checkOperation(client, 'upgrade', {name, namespace, objects, workloadKind: workloadKind(loaded.config)}, review)
  const live = await owned
  const changes = await Promise.all(objects.map((o) => changeOf(client, o, live)))
  const removals = staleObjects(live, namespace, name, objects)
  for (const r of removals)
    changes.push({kind: r.kind, name: r.metadata.name, action: 'delete', diff: lineDiff(normalizedYaml(r), '')})
  return {name, namespace, changes, objects, removals, values: loaded.values, kind: workloadKind(loaded.config)}
}

/** Applies a plan, removes what the new config no longer renders, and waits for the rollout. */
export async function applyUpgrade(
  client: KubeClient,
  plan: UpgradePlan,
  options: {wait?: boolean; timeoutMs?: number; onProgress?: ProgressSink},
): Promise<{readyAfterMs?: number}> {
  // What the server's dry run showed unchanged would be a no-op: only the rest is applied.
  const changed = new Set(plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.kind}/${c.name}`))
  options.onProgress?.({kind: 'step', message: `applying ${changed.size} changed objects`})
  await applyWavesInOrder(client, applyWaves(plan.objects.filter((o) => changed.has(`${o.kind}/${o.metadata.name}`))))
  await Promise.all(
    plan.removals.map((o) =>
      client.request({method: 'DELETE', path: objectPath(o), query: {propagationPolicy: 'Background'}, allow: [404]}),
    ),
  )
  options.onProgress?.({kind: 'done', message: `applied ${changed.size} changed objects`})
  if (options.wait === false) return {}
  return {readyAfterMs: await waitForRollout(client, plan, options)}
}

/** The rollout of a plan: the readiness wait in the words of an upgrade. */
async function waitForRollout(
  client: KubeClient,
  plan: UpgradePlan,
  options: {timeoutMs?: number; onProgress?: ProgressSink},
): Promise<number> {
  const {afterMs} = await waitForReady(client, {
    namespace: plan.namespace,
    name: plan.name,
    kind: plan.kind,
    timeoutMs: options.timeoutMs ?? DEADLINE_POLICY.defaultTimeoutMs,
    onProgress: options.onProgress,
    words: {waiting: 'waiting for the rollout', ready: 'rolled out'},
  })
  return afterMs
}

/** A paused vCluster stays paused through an upgrade. */
function keepPaused(objects: KubeObject[], found: FoundVCluster): KubeObject[] {
  const annotations = found.workload.metadata.annotations ?? {}
  if (annotations[PAUSED_ANNOTATION] !== 'true') return objects
  return objects.map((o) => {
    if (o.kind !== found.workload.kind || o.metadata.name !== found.workload.metadata.name) return o
    const kept = {
      [PAUSED_ANNOTATION]: 'true',
      ...(annotations[REPLICAS_ANNOTATION] === undefined
        ? {}
        : {[REPLICAS_ANNOTATION]: annotations[REPLICAS_ANNOTATION]}),
    }
    return {
      ...o,
      metadata: {...o.metadata, annotations: {...o.metadata.annotations, ...kept}},
      spec: {...(o.spec as object), replicas: 0},
    }
  })
}

export function summarize(plan: UpgradePlan): string {
  const counts = {create: 0, update: 0, delete: 0, unchanged: 0}
  for (const c of plan.changes) counts[c.action]++
  if (counts.create + counts.update + counts.delete === 0) return 'no changes'
  return `${counts.update} to change, ${counts.create} to create, ${counts.delete} to delete`
}

export interface UpgradeRunOptions extends UpgradeOptions {
  name: string
  kube: KubeTarget
  dryRun?: boolean
  wait?: boolean
  timeoutMs?: number
  /** Asked with the plan before anything changes; false cancels. Absent means go ahead. */
  confirm?: (plan: UpgradePlan) => Promise<boolean>
  onPlan?: (plan: UpgradePlan) => void
  onProgress?: ProgressSink
}

export interface UpgradeResult {
  name: string
  namespace: string
  summary: string
  changes: ObjectChange[]
  applied: boolean
  cancelled: boolean
  readyAfterMs?: number
}

/**
 * `vcluster upgrade` and `create --upgrade`: plan, show, confirm, apply, wait; bounded by --timeout (the rollout
 * wait gets what is left), the question to a person not counted.
 */
export function upgradeVCluster(options: UpgradeRunOptions): Promise<UpgradeResult> {
  const what = {what: `upgrade of vCluster ${options.name}`, endsWith: 'diagnosis' as const}
  return withDeadline(options.timeoutMs, what, async (deadline) => {
    const client = await connectKube(options.kube)
    try {
      options.onProgress?.({kind: 'step', message: `planning the upgrade of vCluster ${options.name}`})
      const found = await findVCluster(client, options.name, options.kube.namespace)
      const plan = await planUpgrade(client, found, options)
      options.onPlan?.(plan)
      const base = {name: plan.name, namespace: plan.namespace, summary: summarize(plan), changes: plan.changes}
      const nothing = plan.changes.every((c) => c.action === 'unchanged')
      if (options.dryRun === true) return {...base, applied: false, cancelled: false}
      const rest = () => ({timeoutMs: deadline.remainingMs(), onProgress: options.onProgress})
      if (nothing) {
        // Nothing to change, but an earlier upgrade may have been interrupted mid-rollout: finish waiting for it.
        const readyAfterMs = options.wait === false ? undefined : await waitForRollout(client, plan, rest())
        return {...base, applied: false, cancelled: false, readyAfterMs}
      }
      const confirm = options.confirm
      if (confirm !== undefined && !(await deadline.untimed(() => confirm(plan))))
        return {...base, applied: false, cancelled: true}
      const {readyAfterMs} = await applyUpgrade(client, plan, {wait: options.wait, ...rest()})
      return {...base, applied: true, cancelled: false, readyAfterMs}
    } finally {
      client.close()
    }
  })
}
