import type {KubeObject} from './object.js'
import type {KubeClient} from './client.js'
import {objectPath} from './resources.js'

/** The one field manager all our writes use, so later applies own (and may remove) the same fields. */
export const FIELD_MANAGER = 'vcluster-cli'

export interface ApplyOptions {
  dryRun?: boolean
  onApplied?: (object: KubeObject) => void
}

/** Server-side applies one object; returns what the server made of it (with defaults, for dry-run diffs). */
export async function applyObject(
  client: KubeClient,
  object: KubeObject,
  options: ApplyOptions = {},
): Promise<KubeObject> {
  const result = await client.request<KubeObject>({
    method: 'PATCH',
    path: objectPath(object),
    query: {fieldManager: FIELD_MANAGER, force: true, dryRun: options.dryRun === true ? 'All' : undefined},
    body: object,
    contentType: 'application/apply-patch+yaml',
  })
  options.onApplied?.(object)
  return result
}

/** Applies waves in order; the objects of one wave are independent and go in parallel. */
export async function applyWavesInOrder(
  client: KubeClient,
  waves: readonly KubeObject[][],
  options: ApplyOptions = {},
): Promise<KubeObject[]> {
  const applied: KubeObject[] = []
  const roles = new Set(
    waves
      .flat()
      .filter((o) => o.kind === 'Role')
      .map((o) => o.metadata.name),
  )
  for (const wave of waves) {
    applied.push(
      ...(await Promise.all(
        wave.map((object) =>
          applyObject(client, object, options).catch((error: unknown) => {
            if (options.dryRun === true && bindsRoleOfThisApply(object, roles)) return object
            throw error
          }),
        ),
      )),
    )
  }
  return applied
}

/**
 * In a server dry-run nothing is stored, so a RoleBinding to a Role of the same apply names a Role that does not
 * exist yet, and the API server's escalation check (which reads that Role) refuses it for a user without `bind`.
 * The real apply creates the Role first; the binding is shown as rendered.
 */
function bindsRoleOfThisApply(object: KubeObject, roles: Set<string>): boolean {
  const ref = (object as {roleRef?: {kind?: string; name?: string}}).roleRef
  return object.kind === 'RoleBinding' && ref?.kind === 'Role' && roles.has(ref.name ?? '')
}
