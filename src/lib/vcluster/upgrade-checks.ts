import {isDeepStrictEqual} from 'node:util'
import type {VClusterConfig} from '../config/schema/index.js'
import {getPath} from '../config/merge.js'
import {backingStoreType, type BackingStoreType} from '../manifests/store.js'

export interface UpgradeSide {
  config: VClusterConfig
  /** Kubernetes image tag (e.g. v1.33.4) and vCluster (syncer) image tag (e.g. 0.36.1). */
  kubernetesTag: string
  vclusterTag: string
}

export interface UpgradeRefusal {
  /** `version` refusals can be overridden with --force; the others cannot. */
  kind: 'store' | 'namespace-sync' | 'vpn' | 'version' | 'persistence'
  message: string
}

/** Store migrations upstream supports (config.ValidateStoreChanges): target → allowed sources. */
const STORE_MIGRATIONS: Partial<Record<BackingStoreType, BackingStoreType[]>> = {
  'embedded-etcd': ['external-etcd', 'deployed-etcd', 'embedded-database'],
  'deployed-etcd': ['external-etcd', 'deployed-etcd', 'embedded-database'],
  'external-database': ['embedded-database'],
}

const NAMESPACE_SYNC_KEYS = ['enabled', 'mappingsOnly', 'mappings.byName', 'patches'].map(
  (k) => `sync.toHost.namespaces.${k}`,
)
const VPN_KEYS = ['privateNodes.vpn.enabled', 'privateNodes.vpn.nodeToNode.enabled']

/** Everything that makes an upgrade unsafe, each with the way forward; empty when it may go ahead. */
export function checkUpgrade(old: UpgradeSide, next: UpgradeSide, force: boolean): UpgradeRefusal[] {
  const refusals: UpgradeRefusal[] = []
  const from = backingStoreType(old.config)
  const to = backingStoreType(next.config)
  if (from !== to && !(STORE_MIGRATIONS[to] ?? []).includes(from)) {
    refusals.push({
      kind: 'store',
      message: `switching the backing store from ${from} to ${to} is not supported (supported: embedded-database → embedded-etcd, deployed-etcd or external-database; external-etcd or deployed-etcd → embedded-etcd or deployed-etcd); keep the current backingStore or create a new vCluster`,
    })
  }
  for (const [keys, kind, what] of [
    [NAMESPACE_SYNC_KEYS, 'namespace-sync', 'namespace sync settings'],
    [VPN_KEYS, 'vpn', 'private-node VPN settings'],
  ] as const) {
    const changed = keys.filter((k) => !isDeepStrictEqual(getPath(old.config, k), getPath(next.config, k)))
    if (changed.length > 0)
      refusals.push({
        kind,
        message: `${what} cannot change on an existing vCluster (${changed.join(', ')}); keep their current values`,
      })
  }
  if (!force) refusals.push(...versionRefusals(old, next))
  return refusals
}

function versionRefusals(old: UpgradeSide, next: UpgradeSide): UpgradeRefusal[] {
  const refusals: UpgradeRefusal[] = []
  const oldK8s = parseVersion(old.kubernetesTag)
  const newK8s = parseVersion(next.kubernetesTag)
  if (oldK8s !== undefined && newK8s !== undefined) {
    if (compareVersions(newK8s, oldK8s) < 0) {
      refusals.push({
        kind: 'version',
        message: `Kubernetes ${next.kubernetesTag} is older than the running ${old.kubernetesTag}; downgrades are not supported (--force to override)`,
      })
    } else if (newK8s[0] === oldK8s[0] && newK8s[1] > oldK8s[1] + 1) {
      refusals.push({
        kind: 'version',
        message: `Kubernetes ${old.kubernetesTag} → ${next.kubernetesTag} skips a minor version; upgrade one minor at a time (first to v${oldK8s[0]}.${oldK8s[1] + 1}.x), or --force`,
      })
    }
  }
  const oldVc = parseVersion(old.vclusterTag)
  const newVc = parseVersion(next.vclusterTag)
  if (oldVc !== undefined && newVc !== undefined && compareVersions(newVc, oldVc) < 0) {
    refusals.push({
      kind: 'version',
      message: `vCluster ${next.vclusterTag} is older than the running ${old.vclusterTag}; downgrades are not supported (--force to override)`,
    })
  }
  return refusals
}

/** `v1.33.4`, `1.33`, `0.36.1-rc.1` → [major, minor, patch]; undefined for tags like `latest`. */
export function parseVersion(tag: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(tag)
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}
