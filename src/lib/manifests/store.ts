/** Which backing store the config selects, and what follows from it: persistence and the workload kind. */
import type {VClusterConfig} from '../config/schema/index.js'
import {isOn, isSet} from './util.js'

/** Upstream's store types (`config.BackingStoreType()`). */
export type BackingStoreType =
  | 'embedded-etcd'
  | 'external-etcd'
  | 'deployed-etcd'
  | 'embedded-database'
  | 'external-database'

/** The first enabled store in upstream's order; nothing enabled means the embedded database (SQLite via kine). */
export function backingStoreType(config: VClusterConfig): BackingStoreType {
  const store = config.controlPlane?.backingStore
  if (store?.etcd?.embedded?.enabled === true) return 'embedded-etcd'
  if (store?.etcd?.external?.enabled === true) return 'external-etcd'
  if (store?.etcd?.deploy?.enabled === true) return 'deployed-etcd'
  if (store?.database?.embedded?.enabled === true) return 'embedded-database'
  if (store?.database?.external?.enabled === true) return 'external-database'
  return 'embedded-database'
}

export function embeddedEtcd(config: VClusterConfig): boolean {
  return config.controlPlane?.backingStore?.etcd?.embedded?.enabled === true
}

/** etcd objects are rendered for a deployed etcd, and while migrating from one into embedded etcd. */
export function etcdDeployed(config: VClusterConfig): boolean {
  const etcd = config.controlPlane?.backingStore?.etcd
  return (
    etcd?.deploy?.enabled === true ||
    (etcd?.embedded?.enabled === true && etcd.embedded.migrateFromDeployedEtcd === true)
  )
}

/** True when the control plane keeps its state on local disk: the embedded database, or embedded etcd. */
function localStore(config: VClusterConfig): boolean {
  const type = backingStoreType(config)
  return type === 'embedded-database' || type === 'embedded-etcd'
}

/** The chart's `vcluster.persistence.volumeClaim.enabled`: custom claim templates, `true`, or `auto` with a local store. */
export function persistenceEnabled(config: VClusterConfig): boolean {
  const persistence = config.controlPlane?.statefulSet?.persistence
  if (isSet(persistence?.volumeClaimTemplates)) return true
  const enabled = persistence?.volumeClaim?.enabled ?? 'auto'
  if (isOn(enabled)) return true
  return enabled === 'auto' && localStore(config)
}

/** A StatefulSet when anything is persistent (or etcd is embedded), else a Deployment with `data` as an emptyDir. */
export function workloadKind(config: VClusterConfig): 'StatefulSet' | 'Deployment' {
  return persistenceEnabled(config) || embeddedEtcd(config) ? 'StatefulSet' : 'Deployment'
}
