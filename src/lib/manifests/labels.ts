/** Labels and annotations every rendered object carries. */
import type {VClusterConfig} from '../config/schema/index.js'
import {CHART_LABEL} from '../versions.js'
import type {KubeObject, RenderInput} from './types.js'

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
export const MANAGED_BY = 'vcluster-cli'

/** The labels the control-plane pods carry and every selector (list, connect, Services) matches on. */
export function selectorLabels(name: string): Record<string, string> {
  return {app: 'vcluster', release: name}
}

/**
 * The chart's labels minus `heritage: Helm` (we are not Helm), plus our managed-by label. `chart` stays so upstream
 * tooling recognises the objects.
 */
export function commonLabels(name: string, app = 'vcluster'): Record<string, string> {
  return {app, chart: CHART_LABEL, release: name, [MANAGED_BY_LABEL]: MANAGED_BY}
}

export interface MetadataOptions {
  /** Extra labels from the config (they go on top of the common ones, as in the chart). */
  labels?: Record<string, string> | undefined
  /** Object-specific annotations; they win over `globalMetadata.annotations` on a clash, unless `globalWins`. */
  annotations?: Record<string, string> | undefined
  /**
   * `globalMetadata.annotations` win on a clash. The chart's templates differ here (sprig `merge dict A B` keeps A's
   * value): the Service, the etcd objects, the policies and network policies list the global ones first.
   */
  globalWins?: boolean
  /** The common labels win over `labels` on a clash (the chart's network policies merge them so). */
  commonLabelsWin?: boolean
  /** The `app` label; `vcluster-etcd` for the etcd objects. */
  app?: string
  /** Cluster-scoped objects get no namespace. */
  clusterScoped?: boolean
  /** Overrides the vCluster namespace (objects placed in another namespace). */
  namespace?: string
}

/** `controlPlane.advanced.globalMetadata.annotations`, merged into most objects' annotations. */
export function globalAnnotations(config: VClusterConfig): Record<string, string> {
  return config.controlPlane?.advanced?.globalMetadata?.annotations ?? {}
}

export function metadata(
  input: RenderInput,
  objectName: string,
  options: MetadataOptions = {},
): KubeObject['metadata'] {
  const global = globalAnnotations(input.config)
  const own = options.annotations ?? {}
  const annotations = options.globalWins === true ? {...own, ...global} : {...global, ...own}
  const common = commonLabels(input.name, options.app)
  return {
    name: objectName,
    ...(options.clusterScoped === true ? {} : {namespace: options.namespace ?? input.namespace}),
    labels: options.commonLabelsWin === true ? {...options.labels, ...common} : {...common, ...(options.labels ?? {})},
    ...(Object.keys(annotations).length > 0 ? {annotations} : {}),
  }
}
