/** The control plane's volumes, mounts and volume claim templates. */
import type {VClusterConfig} from '../config/schema/index.js'
import {configSecretName} from './names.js'
import {hasPlugins} from './plugins.js'
import {persistenceEnabled} from './store.js'
import type {RenderInput} from './types.js'
import {copy, isSet} from './util.js'

type Obj = Record<string, unknown>

/** `persistence.volumeClaimTemplates` replaces the generated `data` claim completely. */
export function volumeClaimTemplates(config: VClusterConfig): Obj[] {
  const persistence = config.controlPlane?.statefulSet?.persistence
  if (isSet(persistence?.volumeClaimTemplates)) return copy(persistence?.volumeClaimTemplates ?? [])
  if (!persistenceEnabled(config)) return []
  const claim = persistence?.volumeClaim
  return [
    {
      metadata: {name: 'data'},
      spec: {
        accessModes: copy(claim?.accessModes ?? ['ReadWriteOnce']),
        ...(isSet(claim?.storageClass) ? {storageClassName: claim?.storageClass} : {}),
        resources: {requests: {storage: claim?.size ?? '5Gi'}},
      },
    },
  ]
}

/** The `data` volume when it does not come from a claim: `dataVolume`, else an emptyDir when nothing is persistent. */
function dataVolumes(config: VClusterConfig): Obj[] {
  const persistence = config.controlPlane?.statefulSet?.persistence
  if (isSet(persistence?.dataVolume)) return copy(persistence?.dataVolume ?? [])
  return persistenceEnabled(config) ? [] : [{name: 'data', emptyDir: {}}]
}

export function volumes(input: RenderInput): Obj[] {
  const config = input.config
  const persistence = config.controlPlane?.statefulSet?.persistence
  return [
    ...(hasPlugins(config) ? [{name: 'plugins', emptyDir: {}}] : []),
    {name: 'helm-cache', emptyDir: {}},
    ...copy(persistence?.binariesVolume ?? [{name: 'binaries', emptyDir: {}}]),
    {name: 'tmp', emptyDir: {}},
    {name: 'certs', emptyDir: {}},
    {name: 'vcluster-config', secret: {secretName: configSecretName(input.name)}},
    ...dataVolumes(config),
    ...copy(persistence?.addVolumes ?? []),
  ]
}

/** Mount paths the syncer expects: /data (state, PKI), /binaries, /pki, /var/lib/vcluster/config.yaml, ... */
export function volumeMounts(config: VClusterConfig): Obj[] {
  return [
    ...(hasPlugins(config) ? [{mountPath: '/plugins', name: 'plugins'}] : []),
    {name: 'data', mountPath: '/data'},
    {name: 'binaries', mountPath: '/binaries'},
    {name: 'certs', mountPath: '/pki'},
    {name: 'helm-cache', mountPath: '/.cache/helm'},
    {name: 'vcluster-config', mountPath: '/var/lib/vcluster'},
    {name: 'tmp', mountPath: '/tmp'},
    ...copy((config.controlPlane?.statefulSet?.persistence?.addVolumeMounts ?? []) as Obj[]),
  ]
}
