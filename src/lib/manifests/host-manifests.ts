/** `experimental.deploy.host.manifests(Template)`: raw objects the user wants applied next to the vCluster. */
import {parseAllDocuments} from 'yaml'
import {InvalidConfigError} from '../errors.js'
import {MANAGED_BY, MANAGED_BY_LABEL} from './labels.js'
import {isClusterScoped} from './scope.js'
import type {KubeObject, RenderInput} from './types.js'

/**
 * Helm renders `manifestsTemplate` with Go templates; we support the two values templates use in practice and
 * reject anything else rather than apply a half-rendered object.
 */
const TEMPLATE_PATH = 'experimental.deploy.host.manifestsTemplate'

function invalid(path: string, message: string): InvalidConfigError {
  return new InvalidConfigError([{source: 'config', path, message, severity: 'error'}])
}

function renderTemplate(text: string, input: RenderInput): string {
  const out = text
    .replaceAll(/\{\{-?\s*\.Release\.Name\s*-?\}\}/g, input.name)
    .replaceAll(/\{\{-?\s*\.Release\.Namespace\s*-?\}\}/g, input.namespace)
  const left = /\{\{.*?\}\}/.exec(out)
  if (left !== null) {
    throw invalid(
      TEMPLATE_PATH,
      `only {{ .Release.Name }} and {{ .Release.Namespace }} are supported, found ${left[0]}`,
    )
  }
  return out
}

function parseObjects(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = []
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw invalid(source, doc.errors[0]?.message ?? 'invalid YAML')
    const value = doc.toJS() as unknown
    if (value === null || value === undefined) continue
    const object = value as Partial<KubeObject>
    if (
      typeof object.apiVersion !== 'string' ||
      typeof object.kind !== 'string' ||
      typeof object.metadata?.name !== 'string'
    ) {
      throw invalid(source, 'every document needs apiVersion, kind and metadata.name')
    }
    objects.push(object as KubeObject)
  }
  return objects
}

/**
 * Namespaced objects without a namespace go into the vCluster namespace (as `helm install -n` does). They get the
 * `release` and managed-by labels so delete finds them, but not `app: vcluster`, which marks the control plane.
 */
export function hostManifests(input: RenderInput): KubeObject[] {
  const host = input.config.experimental?.deploy?.host
  const objects = [
    ...parseObjects(host?.manifests ?? '', 'experimental.deploy.host.manifests'),
    ...parseObjects(renderTemplate(host?.manifestsTemplate ?? '', input), TEMPLATE_PATH),
  ]
  return objects.map((object) => ({
    ...object,
    metadata: {
      ...object.metadata,
      ...(isClusterScoped(object.kind) || object.metadata.namespace !== undefined ? {} : {namespace: input.namespace}),
      labels: {...(object.metadata.labels ?? {}), release: input.name, [MANAGED_BY_LABEL]: MANAGED_BY},
    },
  }))
}
