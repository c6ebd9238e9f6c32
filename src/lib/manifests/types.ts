import type {VClusterConfig} from '../config/schema/index.js'

import type {KubeObject} from '../kube/object.js'

/** Defined with the client (lib/kube/object.ts); the manifests build them. */
export type {KubeObject}

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
