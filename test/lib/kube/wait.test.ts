// The readiness wait reports the one progress event (lib/ui/progress.ts): a wait, its milestones once each, the
// wait again after each (a log prints it once), and the end in the caller's words.
import {describe, expect, it} from 'vitest'
import {UnavailableError} from '../../../src/lib/errors.js'
import type {KubeClient} from '../../../src/lib/kube/client.js'
import {waitForReady} from '../../../src/lib/kube/wait.js'
import type {ProgressEvent} from '../../../src/lib/ui/progress.js'

const READY = {
  metadata: {name: 'demo', generation: 1},
  spec: {replicas: 1},
  status: {observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'r1', updateRevision: 'r1'},
}
const POD = {
  metadata: {name: 'demo-0'},
  spec: {nodeName: 'node-1'},
  status: {containerStatuses: [{state: {waiting: {reason: 'ImagePullBackOff'}}}]},
}
const CLAIM = {metadata: {name: 'data-demo-0'}, status: {phase: 'Bound'}}

/**
 * A client whose watches send these objects (pods and claims twice, as re-listed watches do), the workload ready
 * only once the others were sent; `failFirst` makes the first pod watch fail as a dropped connection does.
 */
function fakeClient(failFirst = false): KubeClient {
  let sent = 0
  let podWatches = 0
  const others = new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (sent >= 2) resolve(clearInterval(check))
    }, 5)
  })
  const until = (signal: AbortSignal) =>
    new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r())))
  return {
    async watch(path, _query, onEvent, signal) {
      if (path.endsWith('/pods')) {
        if (failFirst && podWatches++ === 0) throw new UnavailableError('connection reset by peer\nmore detail')
        onEvent('ADDED', POD)
        onEvent('MODIFIED', POD)
        sent++
      } else if (path.endsWith('/persistentvolumeclaims')) {
        onEvent('ADDED', CLAIM)
        onEvent('MODIFIED', CLAIM)
        sent++
      } else {
        await others
        onEvent('ADDED', READY)
      }
      await until(signal)
    },
  } as KubeClient
}

const options = {namespace: 'ns', name: 'demo', kind: 'StatefulSet' as const, timeoutMs: 30_000}

describe('waitForReady progress', () => {
  it('reports the wait, each milestone once with the wait after it, and ready with its time', async () => {
    const events: ProgressEvent[] = []
    await waitForReady(fakeClient(), {...options, onProgress: (e) => events.push(e)})
    const waiting = {kind: 'wait', message: 'waiting for vCluster demo to be ready'}
    expect(events[0]).toEqual(waiting)
    expect(events.at(-1)?.kind).toBe('done')
    expect(events.at(-1)?.message).toMatch(/^vCluster demo ready after \d+\.\ds$/)
    const milestones = events.slice(1, -1)
    expect(milestones.filter((e) => e.kind !== 'wait')).toEqual(
      expect.arrayContaining([
        {kind: 'done', message: 'pod demo-0 scheduled on node-1'},
        {kind: 'warn', message: 'pod demo-0: ImagePullBackOff'},
        {kind: 'done', message: 'volume data-demo-0 bound'},
      ]),
    )
    expect(milestones).toHaveLength(6)
    for (let i = 1; i < milestones.length; i += 2) expect(milestones[i]).toEqual(waiting)
  })

  it("says it in the caller's words, and warns of a lost watch while it goes on", async () => {
    const events: ProgressEvent[] = []
    await waitForReady(fakeClient(true), {
      ...options,
      words: {waiting: 'waiting for the rollout', ready: 'rolled out'},
      onProgress: (e) => events.push(e),
    })
    expect(events[0]).toEqual({kind: 'wait', message: 'waiting for the rollout'})
    expect(events).toContainEqual({
      kind: 'warn',
      message: "lost the host cluster's API (connection reset by peer); still waiting",
    })
    expect(events.at(-1)?.message).toMatch(/^rolled out after \d+\.\ds$/)
  })
})
