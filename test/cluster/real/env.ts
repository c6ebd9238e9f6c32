// A container's environment as a kubelet computes it from the pod object: the in-cluster variables, envFrom, env
// with fieldRef / secretKeyRef / configMapKeyRef and $(VAR) expansion. Only the API server is read.
import type {CoreV1Api, V1Container, V1EnvVar, V1Pod} from '@kubernetes/client-node'
import {isApiStatus} from '../volumes.js'

/** The image's PATH and HOME (the vCluster image runs as root); a kubelet takes them from the image config. */
const IMAGE_ENV = {PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root'}

/** A pod field as fieldRef (env and downwardAPI volumes) reads it; throws on a path a kubelet would refuse. */
export function podField(pod: V1Pod, path: string): string {
  const m = pod.metadata ?? {}
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path)
  if (keyed) return (keyed[1] === 'labels' ? m.labels : m.annotations)?.[keyed[2] ?? ''] ?? ''
  const fields: Record<string, string | undefined> = {
    'metadata.name': m.name,
    'metadata.namespace': m.namespace,
    'metadata.uid': m.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.hostIP': pod.status?.hostIP,
    'status.podIP': pod.status?.podIP,
    'status.hostIPs': pod.status?.hostIPs?.map((i) => i.ip).join(','),
    'status.podIPs': pod.status?.podIPs?.map((i) => i.ip).join(','),
  }
  if (!(path in fields)) throw new Error(`fieldRef ${path} is not supported by the real-mode sandbox`)
  return fields[path] ?? ''
}

/** Reads Secret / ConfigMap data once per object while one environment is built. */
export class ObjectData {
  private readonly cache = new Map<string, Promise<Record<string, Buffer> | undefined>>()

  constructor(
    private readonly core: CoreV1Api,
    private readonly namespace: string,
  ) {}

  /** Decoded data of a Secret or ConfigMap (bytes: secrets may hold binary keys); undefined when it does not exist. */
  get(kind: 'secret' | 'configMap', name: string): Promise<Record<string, Buffer> | undefined> {
    const key = `${kind}/${name}`
    let hit = this.cache.get(key)
    if (!hit) {
      hit = this.read(kind, name)
      this.cache.set(key, hit)
    }
    return hit
  }

  /** One key; a missing object or key is an error unless optional (then undefined), as for a kubelet. */
  async key(kind: 'secret' | 'configMap', name: string, key: string, optional = false): Promise<string | undefined> {
    const value = (await this.get(kind, name))?.[key]
    if (value === undefined && !optional) throw new Error(`${kind} ${this.namespace}/${name} has no key ${key}`)
    return value?.toString('utf8')
  }

  private async read(kind: 'secret' | 'configMap', name: string): Promise<Record<string, Buffer> | undefined> {
    const decode = (o: Record<string, string> = {}) => Object.entries(o).map(([k, v]) => [k, Buffer.from(v, 'base64')])
    try {
      if (kind === 'configMap') {
        const cm = await this.core.readNamespacedConfigMap({name, namespace: this.namespace})
        const text = Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')])
        return Object.fromEntries([...text, ...decode(cm.binaryData)])
      }
      const secret = await this.core.readNamespacedSecret({name, namespace: this.namespace})
      return Object.fromEntries(decode(secret.data))
    } catch (error) {
      if (isApiStatus(error, 404)) return undefined
      throw error
    }
  }
}

/** $(NAME) is replaced by an earlier variable's value, $$ escapes, unknown references stay as written. */
export function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) =>
    name === undefined ? '$' : (env[name] ?? all),
  )
}

async function envVarValue(v: V1EnvVar, pod: V1Pod, data: ObjectData, env: Record<string, string>) {
  const from = v.valueFrom
  if (!from) return expand(v.value ?? '', env)
  if (from.fieldRef) return podField(pod, from.fieldRef.fieldPath)
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef
    return data.key('secret', ref.name ?? '', ref.key, ref.optional === true)
  }
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef
    return data.key('configMap', ref.name ?? '', ref.key, ref.optional === true)
  }
  throw new Error(`env ${v.name}: ${Object.keys(from).join(', ')} is not supported by the real-mode sandbox`)
}

/**
 * The environment of container c. apiPort: the host API server's port, which the sandbox serves on its own
 * 127.0.0.1 (in-cluster clients read KUBERNETES_SERVICE_HOST/PORT). Service links (enableServiceLinks) are left
 * out: the vCluster reads none of them.
 */
export async function containerEnv(
  core: CoreV1Api,
  pod: V1Pod,
  c: V1Container,
  apiPort: number,
): Promise<Record<string, string>> {
  const data = new ObjectData(core, pod.metadata?.namespace ?? '')
  const env: Record<string, string> = {
    ...IMAGE_ENV,
    HOSTNAME: pod.metadata?.name ?? '',
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: String(apiPort),
    KUBERNETES_SERVICE_PORT_HTTPS: String(apiPort),
    KUBERNETES_PORT: `tcp://127.0.0.1:${apiPort}`,
  }
  for (const source of c.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef
    const kind = source.configMapRef ? 'configMap' : 'secret'
    const values = await data.get(kind, ref?.name ?? '')
    if (!values && ref?.optional !== true) throw new Error(`envFrom: ${kind} ${ref?.name} does not exist`)
    for (const [k, val] of Object.entries(values ?? {})) env[`${source.prefix ?? ''}${k}`] = val.toString('utf8')
  }
  for (const v of c.env ?? []) {
    const value = await envVarValue(v, pod, data, env)
    if (value !== undefined) env[v.name] = value
  }
  return env
}
