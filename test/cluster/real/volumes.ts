// A container's volumes as a kubelet would mount them, materialised from the pod object into directories of the
// sandbox's state dir (or, for a claim, its bound PV's path), plus the one init container the vCluster pod has.
import type {CoreV1Api, V1Container, V1Pod, V1Volume, V1VolumeProjection} from '@kubernetes/client-node'
import {copyFileSync, existsSync, linkSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, normalize} from 'node:path'
import {ObjectData, podField} from './env.js'

/** One bind mount inside the sandbox: host source (dir or file) → target path in the container's root. */
export interface Mount {
  source: string
  target: string
  readOnly: boolean
}

export interface VolumeContext {
  core: CoreV1Api
  /** The sandbox's state dir; emptyDir, secret, configMap and projected volumes live under <dir>/volumes. */
  dir: string
  /** What the vCluster's `kubernetes` init container copies to /binaries: name → host file. */
  initBinaries: Record<string, string>
}

type Files = Record<string, string | Buffer>

/** Writes files (relative paths) into a fresh dir: a kubelet rewrites these volumes for every pod start. */
function writeFresh(dir: string, files: Files): void {
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, normalize(path))
    if (!file.startsWith(`${dir}/`)) throw new Error(`volume path ${path} leaves the volume`)
    mkdirSync(dirname(file), {recursive: true})
    writeFileSync(file, content, {mode: 0o644})
  }
}

/** Keys of a Secret/ConfigMap as files, `items` selecting and renaming keys. */
async function keyFiles(
  data: ObjectData,
  kind: 'secret' | 'configMap',
  name: string,
  optional: boolean | undefined,
  items: Array<{key: string; path: string}> | undefined,
): Promise<Files> {
  const values = await data.get(kind, name)
  if (!values) {
    if (optional === true) return {}
    throw new Error(`volume source ${kind} ${name} does not exist (a kubelet would not start the pod)`)
  }
  if (!items) return values
  const out: Files = {}
  for (const item of items) {
    const value = values[item.key]
    if (value === undefined && optional !== true) throw new Error(`${kind} ${name} has no key ${item.key}`)
    if (value !== undefined) out[item.path] = value
  }
  return out
}

/** A bound service-account token for the pod (TokenRequest), as the kubelet mounts it for kube-api-access-*. */
async function token(core: CoreV1Api, pod: V1Pod, audience?: string, seconds?: number): Promise<string> {
  const m = pod.metadata ?? {}
  const res = await core.createNamespacedServiceAccountToken({
    name: pod.spec?.serviceAccountName ?? 'default',
    namespace: m.namespace ?? '',
    body: {
      spec: {
        audiences: audience ? [audience] : [],
        expirationSeconds: seconds ?? 3607,
        boundObjectRef: {apiVersion: 'v1', kind: 'Pod', name: m.name, uid: m.uid},
      },
    },
  })
  return res.status?.token ?? ''
}

async function projectedFiles(ctx: VolumeContext, pod: V1Pod, data: ObjectData, sources: V1VolumeProjection[]) {
  const files: Files = {}
  for (const s of sources) {
    if (s.serviceAccountToken) {
      const t = s.serviceAccountToken
      files[t.path] = await token(ctx.core, pod, t.audience, t.expirationSeconds)
    } else if (s.configMap) {
      Object.assign(
        files,
        await keyFiles(data, 'configMap', s.configMap.name ?? '', s.configMap.optional, s.configMap.items),
      )
    } else if (s.secret) {
      Object.assign(files, await keyFiles(data, 'secret', s.secret.name ?? '', s.secret.optional, s.secret.items))
    } else if (s.downwardAPI) {
      Object.assign(files, downwardFiles(pod, s.downwardAPI.items))
    } else {
      throw new Error(`projected source ${Object.keys(s).join(', ')} is not supported by the real-mode sandbox`)
    }
  }
  return files
}

function downwardFiles(pod: V1Pod, items: Array<{path: string; fieldRef?: {fieldPath: string}}> = []): Files {
  return Object.fromEntries(
    items.map((i) => {
      if (!i.fieldRef) throw new Error(`downwardAPI ${i.path}: only fieldRef is supported by the real-mode sandbox`)
      return [i.path, podField(pod, i.fieldRef.fieldPath)]
    }),
  )
}

/** The host path of a claim's bound PV (the rig's provisioner makes hostPath PVs): the pod's data lives there. */
async function claimPath(core: CoreV1Api, namespace: string, claimName: string): Promise<string> {
  const pvc = await core.readNamespacedPersistentVolumeClaim({name: claimName, namespace})
  const pvName = pvc.spec?.volumeName
  if (pvc.status?.phase !== 'Bound' || !pvName) throw new Error(`claim ${namespace}/${claimName} is not bound yet`)
  const pv = await core.readPersistentVolume({name: pvName})
  const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path
  if (!path) throw new Error(`PV ${pvName} of claim ${claimName} has no hostPath/local path to mount`)
  mkdirSync(path, {recursive: true}) // hostPath type DirectoryOrCreate, as a kubelet does
  return path
}

/** Host dir (or file) for one volume; secret-like volumes are read-only whatever the mount says. */
async function materialise(
  ctx: VolumeContext,
  pod: V1Pod,
  data: ObjectData,
  v: V1Volume,
): Promise<{source: string; readOnly: boolean}> {
  const dir = join(ctx.dir, 'volumes', v.name)
  if (v.emptyDir) {
    mkdirSync(dir, {recursive: true}) // kept across container restarts, as a kubelet keeps it for the pod's life
    return {source: dir, readOnly: false}
  }
  if (v.persistentVolumeClaim) {
    return {
      source: await claimPath(ctx.core, pod.metadata?.namespace ?? '', v.persistentVolumeClaim.claimName),
      readOnly: v.persistentVolumeClaim.readOnly === true,
    }
  }
  let files: Files
  if (v.secret) files = await keyFiles(data, 'secret', v.secret.secretName ?? '', v.secret.optional, v.secret.items)
  else if (v.configMap) {
    files = await keyFiles(data, 'configMap', v.configMap.name ?? '', v.configMap.optional, v.configMap.items)
  } else if (v.projected) files = await projectedFiles(ctx, pod, data, v.projected.sources ?? [])
  else if (v.downwardAPI) files = downwardFiles(pod, v.downwardAPI.items)
  else
    throw new Error(
      `volume ${v.name} (${Object.keys(v)
        .filter((k) => k !== 'name')
        .join(', ')}) is not supported`,
    )
  writeFresh(dir, files)
  return {source: dir, readOnly: true}
}

/**
 * The vCluster pod's init container `kubernetes` runs `cp -r /kubernetes/. /binaries/` from its image: the same
 * files, from the rig's build, put into the volume it mounts. Any other init container is refused, not skipped.
 */
function runInitContainers(ctx: VolumeContext, pod: V1Pod, sources: Map<string, string>): void {
  for (const init of pod.spec?.initContainers ?? []) {
    const args = [...(init.command ?? []), ...(init.args ?? [])]
    const target = args.at(-1)?.replace(/\/$/, '')
    const mount = init.volumeMounts?.find((m) => m.mountPath.replace(/\/$/, '') === target)
    const dir = mount && sources.get(mount.name)
    if (args[0] !== 'cp' || !args.includes('/kubernetes/.') || !dir) {
      throw new Error(`init container ${init.name} (${args.join(' ')}) cannot be emulated by the real-mode sandbox`)
    }
    for (const [name, file] of Object.entries(ctx.initBinaries)) {
      const to = join(dir, name)
      if (existsSync(to)) continue // already copied for an earlier start of this pod
      try {
        linkSync(file, to) // same filesystem: no copy of ~100 MB per binary
      } catch {
        copyFileSync(file, to)
      }
    }
  }
}

/** Materialises every volume container c mounts and returns the bind mounts, in the container's mount order. */
export async function containerMounts(ctx: VolumeContext, pod: V1Pod, c: V1Container): Promise<Mount[]> {
  const data = new ObjectData(ctx.core, pod.metadata?.namespace ?? '')
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]))
  const sources = new Map<string, string>()
  const readOnly = new Map<string, boolean>()
  const mounted = new Set(
    [...(c.volumeMounts ?? []), ...(pod.spec?.initContainers ?? []).flatMap((i) => i.volumeMounts ?? [])].map(
      (m) => m.name,
    ),
  )
  for (const name of mounted) {
    const v = volumes.get(name)
    if (!v) throw new Error(`volume ${name} is mounted but not in the pod's volumes`)
    const got = await materialise(ctx, pod, data, v)
    sources.set(name, got.source)
    readOnly.set(name, got.readOnly)
  }
  runInitContainers(ctx, pod, sources)
  return (c.volumeMounts ?? []).map((m) => ({
    source: m.subPath ? join(sources.get(m.name) ?? '', normalize(m.subPath)) : (sources.get(m.name) ?? ''),
    target: m.mountPath,
    readOnly: m.readOnly === true || readOnly.get(m.name) === true,
  }))
}
