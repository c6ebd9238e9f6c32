import type {KubeClient} from './client.js'
import type {ForwardEvent} from './port-forward.js'
import {collectionPath} from './resources.js'
import {compareStrings} from '../compare.js'

export interface PodRef {
  name: string
  uid: string
}

export interface PodItem {
  metadata: {name: string; uid?: string; creationTimestamp?: string; deletionTimestamp?: string}
  status?: {phase?: string; conditions?: {type: string; status: string}[]}
}

/** The newest Ready, not terminating pod. */
export function pickReadyPod(items: readonly PodItem[]): PodRef | undefined {
  const pod = items
    .filter(
      (p) =>
        p.metadata.uid !== undefined && p.metadata.deletionTimestamp === undefined && p.status?.phase === 'Running',
    )
    .filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true)
    .sort((a, b) => compareStrings(b.metadata.creationTimestamp ?? '', a.metadata.creationTimestamp ?? ''))[0]
  return pod === undefined ? undefined : {name: pod.metadata.name, uid: pod.metadata.uid as string}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Which pod the forward's connections go to. A watch notices a replaced pod (and says so) before any connection
 * fails; a connection whose stream fails asks for a fresh lookup (one at a time, with backoff).
 */
export class PodTracker {
  private current: PodRef = {name: '', uid: ''}
  private lookup: Promise<PodRef> | undefined
  private degraded = false
  private gone = false
  private readonly abort = new AbortController()

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly labelSelector: string,
    private readonly onEvent?: (event: ForwardEvent) => void,
    /** `metadata.name=POD` to follow one pod by name (connect --pod). */
    private readonly fieldSelector?: string,
  ) {}

  private get query(): Record<string, string> {
    return this.fieldSelector === undefined
      ? {labelSelector: this.labelSelector}
      : {labelSelector: this.labelSelector, fieldSelector: this.fieldSelector}
  }

  get name(): string {
    return this.current.name
  }

  failed(reason: string): void {
    if (!this.degraded) this.onEvent?.({type: 'retrying', pod: this.current.name, reason})
    this.degraded = true
  }

  succeeded(): void {
    if (this.degraded) this.onEvent?.({type: 'recovered', pod: this.current.name})
    this.degraded = false
  }

  /** Adopts the newest Ready pod of a list read elsewhere; false when none is Ready. */
  seed(items: readonly PodItem[]): boolean {
    const pod = pickReadyPod(items)
    if (pod !== undefined) this.adopt(pod)
    return pod !== undefined
  }

  /** Looks the pod up again, waiting with backoff until the deadline for one to be Ready. */
  refresh(deadline: number): Promise<PodRef> {
    this.lookup ??= this.find(deadline).finally(() => (this.lookup = undefined))
    return this.lookup
  }

  /** Starts following the pods until stop(). */
  follow(): void {
    void this.watchLoop()
  }

  stop(): void {
    this.abort.abort()
  }

  private adopt(pod: PodRef): void {
    if (pod.uid === this.current.uid) return
    if (this.current.uid !== '') this.onEvent?.({type: 'pod-changed', pod: pod.name, replaced: this.current.name})
    this.current = pod
    this.gone = false
  }

  private async find(deadline: number): Promise<PodRef> {
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      const list = await this.client
        .request<{items: PodItem[]}>({
          path: collectionPath('Pod', this.namespace),
          query: this.query,
        })
        .catch(() => undefined)
      const pod = list === undefined ? undefined : pickReadyPod(list.items)
      if (pod !== undefined) {
        this.adopt(pod)
        return pod
      }
      if (Date.now() + delay > deadline) throw new Error(`no ready vCluster pod (${this.labelSelector})`)
      await sleep(delay)
    }
  }

  private async watchLoop(): Promise<void> {
    const path = collectionPath('Pod', this.namespace)
    while (!this.abort.signal.aborted) {
      // A watch without a resourceVersion starts with an ADDED event per existing pod: the map is rebuilt each time.
      const pods = new Map<string, PodItem>()
      await this.client
        .watch(
          path,
          this.query,
          (type, obj) => {
            const pod = obj as PodItem
            const uid = pod.metadata?.uid
            if (uid === undefined) return // bookmarks carry no pod
            if (type === 'DELETED') pods.delete(uid)
            else pods.set(uid, pod)
            this.consider([...pods.values()])
          },
          this.abort.signal,
        )
        .catch(() => undefined)
      if (!this.abort.signal.aborted) await sleep(1000)
    }
  }

  private consider(pods: PodItem[]): void {
    const ready = pickReadyPod(pods)
    if (ready !== undefined) return this.adopt(ready)
    if (this.gone || this.current.uid === '') return
    this.gone = true
    this.onEvent?.({type: 'pod-gone', pod: this.current.name})
  }
}
