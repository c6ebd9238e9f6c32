import type {VClusterConfig} from '../config/schema/index.js'

/** A Kubernetes object as plain data, ready for server-side apply. */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    [key: string]: unknown
  }
  [key: string]: unknown
}

export interface RenderInput {
  /** vCluster name (the `release` label). */
  name: string
  /** Host namespace. */
  namespace: string
  /** The fully resolved config (defaults applied). */
  config: VClusterConfig
  /** Only the values the user set; stored beside the resolved config so upgrades start from them. */
  values: Record<string, unknown>
  /** Host Kubernetes version (e.g. `v1.33.13`); undefined when rendering without a cluster (--dry-run=client). */
  hostVersion?: string
}
