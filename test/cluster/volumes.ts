// A tiny external provisioner: the cluster has no storage driver, and a vCluster StatefulSet's claim stays Pending
// without a PersistentVolume. The default StorageClass names this provisioner; for each claim the PV controller hands
// to it, a hostPath PV pre-bound to that claim is created (nothing mounts it: kwok runs no containers).
import {
  ApiException,
  type CoreV1Api,
  type StorageV1Api,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
} from '@kubernetes/client-node'
import {join} from 'node:path'

export const STORAGE_CLASS = 'standard'
export const PROVISIONER = 'vcluster-ts.test/hostpath'
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by'

export function isApiStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code
}

/** The default StorageClass (Immediate binding: kwok pods need no node-local volume). */
export async function ensureStorageClass(storage: StorageV1Api): Promise<void> {
  try {
    await storage.createStorageClass({
      body: {
        metadata: {name: STORAGE_CLASS, annotations: {'storageclass.kubernetes.io/is-default-class': 'true'}},
        provisioner: PROVISIONER,
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'Immediate',
      },
    })
  } catch (error) {
    if (!isApiStatus(error, 409)) throw error
  }
}

function wantsUs(pvc: V1PersistentVolumeClaim): boolean {
  const a = pvc.metadata?.annotations ?? {}
  const by = a['volume.kubernetes.io/storage-provisioner'] ?? a['volume.beta.kubernetes.io/storage-provisioner']
  return (
    by === PROVISIONER && pvc.status?.phase === 'Pending' && !pvc.spec?.volumeName && !pvc.metadata?.deletionTimestamp
  )
}

function volumeFor(pvc: V1PersistentVolumeClaim, volumesDir: string): V1PersistentVolume {
  const name = `pvc-${pvc.metadata?.uid}`
  return {
    metadata: {name, annotations: {[PROVISIONED_BY]: PROVISIONER}},
    spec: {
      capacity: {storage: pvc.spec?.resources?.requests?.storage ?? '1Gi'},
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      storageClassName: pvc.spec?.storageClassName ?? STORAGE_CLASS,
      persistentVolumeReclaimPolicy: 'Delete',
      hostPath: {path: join(volumesDir, name), type: 'DirectoryOrCreate'},
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: pvc.metadata?.namespace,
        name: pvc.metadata?.name,
        uid: pvc.metadata?.uid,
      },
    },
  }
}

/** A PV for a claim waiting on us (from the watcher's cache: a request only when one is needed). */
export async function provisionClaim(
  core: CoreV1Api,
  pvc: V1PersistentVolumeClaim,
  volumesDir: string,
  log: (m: string) => void,
): Promise<void> {
  if (!wantsUs(pvc)) return
  try {
    await core.createPersistentVolume({body: volumeFor(pvc, volumesDir)})
    log(`provisioned pvc-${pvc.metadata?.uid} for ${pvc.metadata?.namespace}/${pvc.metadata?.name}`)
  } catch (error) {
    if (!isApiStatus(error, 409)) throw error
  }
}

/** Deletes one of our PVs once Released (reclaim policy Delete). */
export async function reclaimVolume(core: CoreV1Api, pv: V1PersistentVolume, log: (m: string) => void): Promise<void> {
  const ours = pv.metadata?.annotations?.[PROVISIONED_BY] === PROVISIONER
  const released = pv.status?.phase === 'Released' || pv.status?.phase === 'Failed'
  if (!ours || !released || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata?.deletionTimestamp) {
    return
  }
  try {
    await core.deletePersistentVolume({name: pv.metadata?.name ?? ''})
    log(`deleted released ${pv.metadata?.name}`)
  } catch (error) {
    if (!isApiStatus(error, 404)) throw error
  }
}
