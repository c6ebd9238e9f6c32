/** Refusals of an upgrade that would lose data, and the one error naming every refusal with the way forward. */
import {isDeepStrictEqual} from 'node:util'
import {ConflictError} from '../errors.js'
import type {KubeObject} from '../manifests/index.js'
import type {FoundVCluster} from './find.js'
import type {UpgradeRefusal} from './upgrade-checks.js'

export function tagOf(image: string): string {
  const last = image.split('/').pop() ?? ''
  return last.includes(':') ? last.slice(last.indexOf(':') + 1) : ''
}

export function liveTag(found: FoundVCluster, which: 'syncer' | 'init:kubernetes'): string {
  const spec = (found.workload.spec?.template?.spec ?? {}) as {
    containers?: {name: string; image?: string}[]
    initContainers?: {name: string; image?: string}[]
  }
  const list = which === 'syncer' ? spec.containers : spec.initContainers
  const container = list?.find((c) => c.name === (which === 'syncer' ? 'syncer' : 'kubernetes'))
  return tagOf(container?.image ?? '')
}

/** Claims are never recreated: the workload kind and its claim templates must stay as they are. */
export function persistenceRefusals(found: FoundVCluster, objects: KubeObject[]): UpgradeRefusal[] {
  const next = objects.find((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment')
  if (next === undefined) return []
  if (next.kind !== found.workload.kind) {
    return [
      {
        kind: 'persistence',
        message: `the new config turns the ${found.workload.kind} into a ${next.kind} (persistence or backing store changed); the vCluster's data would be lost — keep controlPlane.statefulSet.persistence as it is`,
      },
    ]
  }
  const claimShape = (templates: unknown) =>
    (
      (templates as
        | {
            metadata?: {name?: string}
            spec?: {resources?: {requests?: {storage?: string}}; storageClassName?: string; accessModes?: string[]}
          }[]
        | undefined) ?? []
    ).map((t) => [
      t.metadata?.name,
      t.spec?.resources?.requests?.storage,
      t.spec?.storageClassName ?? '',
      t.spec?.accessModes,
    ])
  const before = claimShape(found.workload.spec?.volumeClaimTemplates)
  const after = claimShape((next.spec as {volumeClaimTemplates?: unknown}).volumeClaimTemplates)
  if (next.kind === 'StatefulSet' && !isDeepStrictEqual(before, after)) {
    return [
      {
        kind: 'persistence',
        message:
          'the volume claim template (size, storage class or access modes) cannot change on an existing vCluster; Kubernetes forbids it and the data lives in those claims — keep controlPlane.statefulSet.persistence.volumeClaim as it is',
      },
    ]
  }
  return []
}

export function refusalError(name: string, namespace: string, refusals: UpgradeRefusal[]): ConflictError {
  const forceable = refusals.every((r) => r.kind === 'version')
  return new ConflictError(
    `upgrade of vCluster ${name} in namespace ${namespace} refused, nothing was applied:\n${refusals.map((r) => `  - ${r.message}`).join('\n')}`,
    forceable
      ? 'If you are sure, run again with --force.'
      : `Change the values above back; see \`vcluster describe ${name} -n ${namespace}\` for the current config.`,
  )
}
