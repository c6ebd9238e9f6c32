// Pod status as a kubelet writes it, for the pods kwok cannot judge: vCluster pods (app=vcluster). kwok's stage
// (stages.yaml, vcluster-pod-started) makes them Running and not Ready; from then on kwok leaves their status alone,
// and these writes are the only ones.
import type {CoreV1Api, V1ContainerStatus, V1Pod, V1PodCondition} from '@kubernetes/client-node'
import {isApiStatus} from '../volumes.js'

export type ContainerChange = (c: V1ContainerStatus) => void

/** kwok's stage has run: writing earlier would be overwritten by it. */
export function started(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp
}

export function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
}

function setCondition(pod: V1Pod, type: string, ready: boolean): void {
  const conditions = pod.status?.conditions ?? []
  const old = conditions.find((c) => c.type === type)
  const status = ready ? 'True' : 'False'
  if (old?.status === status) return
  const next: V1PodCondition = {
    type,
    status,
    lastTransitionTime: new Date(),
    ...(ready
      ? {}
      : {reason: 'ContainersNotReady', message: `containers with unready status: [${containerNames(pod)}]`}),
  }
  pod.status = {...pod.status, conditions: [...conditions.filter((c) => c.type !== type), next]}
}

function containerNames(pod: V1Pod): string {
  return (pod.spec?.containers ?? []).map((c) => c.name).join(' ')
}

/**
 * Sets Ready (pod and containers) and applies change to the named container's status (all when undefined), on the
 * pod with this uid, once kwok has started it. Retries on conflicts; false when the pod is gone or not started yet.
 */
export async function writePodStatus(
  core: CoreV1Api,
  ref: {namespace: string; name: string; uid: string},
  ready: boolean,
  change?: ContainerChange,
  container?: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    let pod: V1Pod
    try {
      pod = await core.readNamespacedPod({name: ref.name, namespace: ref.namespace})
    } catch (error) {
      if (isApiStatus(error, 404)) return false
      throw error
    }
    if (pod.metadata?.uid !== ref.uid || !started(pod)) return false
    setCondition(pod, 'Ready', ready)
    setCondition(pod, 'ContainersReady', ready)
    for (const c of pod.status?.containerStatuses ?? []) {
      if (container !== undefined && c.name !== container) continue
      c.ready = ready
      change?.(c)
    }
    try {
      await core.replaceNamespacedPodStatus({name: ref.name, namespace: ref.namespace, body: pod})
      return true
    } catch (error) {
      if (isApiStatus(error, 404)) return false
      if (!isApiStatus(error, 409)) throw error
    }
  }
  throw new Error(`pod ${ref.namespace}/${ref.name}: status kept changing under us (5 conflicts)`)
}

/** What a kubelet does last for a deleted pod: removes the object (grace 0), if it is still this uid's. */
export async function removePod(core: CoreV1Api, ref: {namespace: string; name: string; uid: string}): Promise<void> {
  try {
    await core.deleteNamespacedPod({
      name: ref.name,
      namespace: ref.namespace,
      gracePeriodSeconds: 0,
      body: {gracePeriodSeconds: 0, preconditions: {uid: ref.uid}},
    })
  } catch (error) {
    // Gone already, or another pod of that name now (the precondition failed): nothing of ours to remove.
    if (!isApiStatus(error, 404) && !isApiStatus(error, 409)) throw error
  }
}
