/**
 * What the release's chart refuses while rendering: a few values are written into its objects as plain YAML (no
 * quoting), so a value that is not a plain scalar there (a `: `, a line break, `.inf`, a leading `@`) breaks the
 * install; `experimental.deploy.host.manifests` is YAML whose documents must be objects. Our renderer would send
 * such values on to the API server, which refuses them after the namespace is made; here they stop at `validate`.
 */
import {parseAllDocuments} from 'yaml'
import {getPath} from './merge.js'
import {at, bool, str, type RuleContext} from './rules-util.js'
import {isPlainObject} from './set-values.js'
import {goYamlTags} from './yaml-dialect.js'

/** Fields the chart writes plain: [path, what a valid value looks like, the switch that renders it (if any)]. */
const PLAIN_FIELDS: [string, string, ((values: unknown) => boolean)?][] = [
  ['controlPlane.statefulSet.runtimeClassName', 'a RuntimeClass name'],
  ['controlPlane.statefulSet.scheduling.priorityClassName', 'a PriorityClass name'],
  ['controlPlane.statefulSet.workingDir', 'a directory path'],
  ['controlPlane.advanced.serviceAccount.name', 'a ServiceAccount name'],
  ['controlPlane.statefulSet.persistence.volumeClaim.storageClass', 'a StorageClass name'],
  ['controlPlane.statefulSet.persistence.volumeClaim.size', 'a quantity such as 5Gi'],
  [
    'controlPlane.tlsRoute.apiVersion',
    'an API version such as gateway.networking.k8s.io/v1alpha2',
    (v) => bool(v, 'controlPlane.tlsRoute.enabled'),
  ],
  // The platform secret's Role goes into that namespace when it is not the vCluster's own (createRBAC defaults on).
  ['platform.apiKey.namespace', 'a namespace name', (v) => at(v, 'platform.apiKey.createRBAC') !== false],
  [
    'policies.networkPolicy.workload.publicEgress.cidr',
    'a CIDR such as 0.0.0.0/0',
    (v) =>
      bool(v, 'policies.networkPolicy.enabled') &&
      at(v, 'policies.networkPolicy.workload.publicEgress.enabled') !== false,
  ],
]

const BINARIES = 'controlPlane.statefulSet.persistence.binariesVolume'

export function checkChartRendering(ctx: RuleContext): void {
  const {values, report} = ctx
  for (const [path, expected, rendered] of PLAIN_FIELDS) {
    const value = at(values, path)
    if (typeof value !== 'string' || value === '' || (rendered !== undefined && !rendered(values))) continue
    if (breaksPlain(value))
      report(
        path,
        `"${value}" cannot be written as plain YAML into the control plane's objects; use ${expected}`,
        'error',
        'value',
      )
  }
  // The chart writes binariesVolume into the pod's volume list unguarded: an empty list breaks that list (a null,
  // which deletes the default, is refused with the other deleted defaults: null-defaults.ts).
  const binaries = getPath(values, BINARIES)
  if (Array.isArray(binaries) && binaries.length === 0) {
    report(
      BINARIES,
      `cannot be empty: the chart writes it into the pod's volumes; leave it out for the default (an emptyDir named binaries) or give the volume`,
      'error',
      'value',
    )
  }
  for (const key of ['manifests', 'manifestsTemplate']) {
    const path = `experimental.deploy.host.${key}`
    const text = str(values, path)
    if (text === '' || (key === 'manifestsTemplate' && text.includes('{{'))) continue
    const problem = manifestsProblem(text)
    if (problem !== undefined)
      report(path, `${problem}; give Kubernetes objects as YAML documents separated by ---`, 'error', 'value')
  }
}

/** Whether `key: VALUE` fails to read (YAML 1.1, as go-yaml v2) or reads as a number JSON cannot hold. */
export function breaksPlain(value: string): boolean {
  const docs = parseAllDocuments(`k: ${value}\n`, {version: '1.1', customTags: goYamlTags})
  if (!Array.isArray(docs) || docs.length !== 1 || docs[0] === undefined || docs[0].errors.length > 0) return true
  try {
    return !jsonSafe(docs[0].toJS())
  } catch {
    return true
  }
}

/** Why helm would refuse these manifests (each document empty or an object, with an object as metadata), or undefined. */
export function manifestsProblem(text: string): string | undefined {
  const docs = parseAllDocuments(text, {version: '1.1', customTags: goYamlTags})
  if (!Array.isArray(docs)) return 'it is not YAML'
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0)
      return `document ${i + 1} is not valid YAML (${doc.errors[0]?.message.split('\n')[0] ?? ''})`
    let object: unknown
    try {
      object = doc.toJS()
    } catch (error) {
      return `document ${i + 1} cannot be read (${(error as Error).message})`
    }
    if (object === null || object === undefined) continue
    if (!isPlainObject(object)) return `document ${i + 1} is not an object`
    const metadata = object.metadata
    if (metadata !== undefined && metadata !== null && !isPlainObject(metadata))
      return `document ${i + 1} has a metadata that is not an object`
    if (!jsonSafe(object)) return `document ${i + 1} holds .inf or .nan, which JSON cannot hold`
  }
  return undefined
}

function jsonSafe(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(jsonSafe)
  if (value !== null && typeof value === 'object') return Object.values(value).every(jsonSafe)
  return true
}
