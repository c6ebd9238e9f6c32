// How a pod is doing, in words: the one-word status `list` shows, and the sentence the timeout diagnosis gives.

export interface Pod {
  metadata: {name: string}
  spec?: {nodeName?: string}
  status?: {
    phase?: string
    conditions?: {type: string; status: string; reason?: string; message?: string}[]
    containerStatuses?: ContainerStatus[]
    initContainerStatuses?: ContainerStatus[]
  }
}

export interface Terminated {
  reason?: string
  exitCode?: number
  /** Set by the kubelet when the container could not start (StartError), or from its termination message file. */
  message?: string
}

export interface ContainerStatus {
  name: string
  ready?: boolean
  restartCount?: number
  state?: {waiting?: {reason?: string; message?: string}; running?: object; terminated?: Terminated}
  lastState?: {terminated?: Terminated}
}

export function describePod(pod: Pod): string {
  const phase = pod.status?.phase ?? 'Pending'
  const parts = [`pod ${pod.metadata.name}: ${phase}`]
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status !== 'True')
  if (unscheduled !== undefined) parts.push(`not scheduled (${unscheduled.reason ?? ''}: ${unscheduled.message ?? ''})`)
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = c.state?.waiting
    if (waiting?.reason !== undefined)
      parts.push(`container ${c.name} waiting: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`)
    const terminated = c.state?.terminated
    if (terminated !== undefined && terminated.exitCode !== 0)
      parts.push(`container ${c.name} exited ${terminated.exitCode ?? '?'} (${terminated.reason ?? ''})`)
  }
  const notReady = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status !== 'True')
  if (notReady !== undefined && parts.length === 1)
    parts.push(`not ready${notReady.reason ? ` (${notReady.reason})` : ''}`)
  return parts.join('; ')
}

/** kubectl-style one-word status of a pod: Running, Pending, Init:0/1, CrashLoopBackOff, Terminating, ... */
export function podStatus(pod: Pod & {metadata: {deletionTimestamp?: string}}): string {
  if (pod.metadata.deletionTimestamp !== undefined) return 'Terminating'
  const inits = pod.status?.initContainerStatuses ?? []
  const initWaiting = inits.find(
    (c) => c.state?.waiting?.reason !== undefined && c.state.waiting.reason !== 'PodInitializing',
  )
  if (initWaiting !== undefined) return `Init:${initWaiting.state?.waiting?.reason}`
  const initDone = inits.filter((c) => c.state?.terminated?.exitCode === 0).length
  if (inits.length > 0 && initDone < inits.length && pod.status?.phase === 'Pending')
    return `Init:${initDone}/${inits.length}`
  const waiting = (pod.status?.containerStatuses ?? []).find((c) => c.state?.waiting?.reason !== undefined)
  if (waiting !== undefined) return waiting.state?.waiting?.reason ?? 'Waiting'
  return pod.status?.phase ?? 'Pending'
}
