// The watcher's view of the cluster: one list+watch cache per kind (client-node's ListWatch: a list, then a watch
// from its resourceVersion, re-listed only after a 410 Gone), so reading an object costs no request and only a
// change costs work. Each change is handed on as the object (new, or the last known one when deleted).
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  ListWatch,
  type V1Deployment,
  type V1Namespace,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Secret,
  type V1Service,
  type V1StatefulSet,
  Watch,
} from '@kubernetes/client-node'

export const VCLUSTER_SELECTOR = 'app=vcluster'

export type Kind = 'statefulsets' | 'deployments' | 'pods' | 'namespaces' | 'secrets' | 'services' | 'pvcs' | 'pvs'

export interface Objects {
  statefulsets: V1StatefulSet
  deployments: V1Deployment
  pods: V1Pod
  namespaces: V1Namespace
  secrets: V1Secret
  services: V1Service
  pvcs: V1PersistentVolumeClaim
  pvs: V1PersistentVolume
}

type List = Promise<{items: KubernetesObject[]; metadata?: {resourceVersion?: string}}>

function sources(kc: KubeConfig): Record<Kind, {path: string; selector?: string; list: () => List}> {
  const core = kc.makeApiClient(CoreV1Api)
  const apps = kc.makeApiClient(AppsV1Api)
  const labelSelector = VCLUSTER_SELECTOR
  return {
    statefulsets: {
      path: '/apis/apps/v1/statefulsets',
      selector: labelSelector,
      list: () => apps.listStatefulSetForAllNamespaces({labelSelector}),
    },
    deployments: {
      path: '/apis/apps/v1/deployments',
      selector: labelSelector,
      list: () => apps.listDeploymentForAllNamespaces({labelSelector}),
    },
    pods: {path: '/api/v1/pods', selector: labelSelector, list: () => core.listPodForAllNamespaces({labelSelector})},
    namespaces: {path: '/api/v1/namespaces', list: () => core.listNamespace()},
    // By name (vc-config-<name>, vc-<name>), labelled or not: a test may write either by hand.
    secrets: {path: '/api/v1/secrets', list: () => core.listSecretForAllNamespaces()},
    services: {path: '/api/v1/services', list: () => core.listServiceForAllNamespaces()},
    pvcs: {path: '/api/v1/persistentvolumeclaims', list: () => core.listPersistentVolumeClaimForAllNamespaces()},
    pvs: {path: '/api/v1/persistentvolumes', list: () => core.listPersistentVolume()},
  }
}

export class Caches {
  private readonly informers = new Map<Kind, ListWatch<KubernetesObject>>()
  private stopped = false

  constructor(
    private readonly kc: KubeConfig,
    private readonly log: (m: string) => void,
  ) {}

  /** Lists every kind (resolves once all are listed), then watches; onChange gets every change after that. */
  async start(onChange: <K extends Kind>(kind: K, obj: Objects[K]) => void): Promise<void> {
    const watch = new Watch(this.kc)
    const all = Object.entries(sources(this.kc)) as [Kind, {path: string; selector?: string; list: () => List}][]
    await Promise.all(
      all.map(async ([kind, s]) => {
        const lw = new ListWatch<KubernetesObject>(s.path, watch, s.list as never, false, s.selector)
        const changed = (obj: KubernetesObject) => onChange(kind, obj as Objects[typeof kind])
        for (const verb of ['add', 'update', 'delete'] as const) lw.on(verb, changed)
        // A failed list or watch ends the ListWatch; start it again (it re-lists, and reports what changed).
        lw.on('error', (error: unknown) => {
          if (this.stopped) return
          this.log(`watch ${s.path}: ${(error as Error)?.message ?? error}; again in 1 s`)
          setTimeout(() => void (this.stopped || lw.start().catch(() => undefined)), 1000)
        })
        this.informers.set(kind, lw)
        await lw.start()
      }),
    )
  }

  async stop(): Promise<void> {
    this.stopped = true
    await Promise.all([...this.informers.values()].map((lw) => lw.stop()))
  }

  list<K extends Kind>(kind: K, namespace?: string): Objects[K][] {
    return (this.informers.get(kind)?.list(namespace) ?? []) as Objects[K][]
  }

  get<K extends Kind>(kind: K, name: string, namespace?: string): Objects[K] | undefined {
    return this.informers.get(kind)?.get(name, namespace) as Objects[K] | undefined
  }
}
