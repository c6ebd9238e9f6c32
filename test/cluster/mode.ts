// Which control plane the rig gives the vCluster pods of a namespace: decided here only, from one namespace label.

/**
 * Namespace label choosing the mode of its vCluster pods. Absent or `true`: the real vCluster (upstream's
 * `vcluster start`, real/), the default; `false`: the stand-in (standin.ts), for tests that cannot afford real
 * vClusters (e.g. `list` over 50 of them); `manual`: neither, a test runs the sandbox itself. A daemon started
 * with `--default-mode standin` (the bench's bulk runs) reads an absent label as `false`.
 */
export const REAL_NAMESPACE_LABEL = 'vcluster-ts.test/real'

export type Mode = 'real' | 'standin' | 'manual'

export function namespaceMode(labels: Record<string, string> | undefined, fallback: Mode = 'real'): Mode {
  switch (labels?.[REAL_NAMESPACE_LABEL]) {
    case 'true':
      return 'real'
    case 'false':
      return 'standin'
    case 'manual':
      return 'manual'
    default:
      return fallback
  }
}
