// The readiness wait reports the one progress event (lib/ui/progress.ts): a wait, its milestones once each, the
// wait again after each (a log prints it once), and the end in the caller's words.
import {describe, expect, it} from 'vitest'
import {TimeoutError, UnavailableError} from '../../../src/lib/errors.js'
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

/** A vCluster that never gets ready: watches send nothing; the diagnosis lists this pod, and its log. */
function neverReady(pod: object): KubeClient {
  return {
    async watch(_path, _query, _onEvent, signal) {
      await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r())))
    },
    async request({path}: {path: string}) {
      if (path.endsWith('/log')) return 'level=fatal msg="configure external database: unsupported"\n'
      return {items: path.endsWith('/pods') ? [pod] : []}
    },
  } as KubeClient
}

const pending = {metadata: {name: 'demo-0'}, status: {phase: 'Pending'}}
const syncer = (status: object) => ({
  metadata: {name: 'demo-0'},
  spec: {nodeName: 'node-1'},
  status: {phase: 'Running', containerStatuses: [{name: 'syncer', ready: false, ...status}]},
})

async function hintOf(client: KubeClient, extra: {waitLonger?: string} = {}): Promise<string> {
  const error = await waitForReady(client, {...options, timeoutMs: 50, ...extra}).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TimeoutError)
  return (error as TimeoutError).hint ?? ''
}

describe('the timeout hint', () => {
  it("says to wait longer while nothing is failing (it converges), in the caller's command", async () => {
    expect(await hintOf(neverReady(pending))).toBe(
      'Wait longer: vcluster create demo -n ns --timeout 10m (it converges)\nOr remove it:  vcluster delete demo -n ns',
    )
    expect(await hintOf(neverReady(pending), {waitLonger: 'vcluster connect demo -n ns --timeout 10m'})).toMatch(
      /^Wait longer: vcluster connect demo -n ns --timeout 10m\n/,
    )
  })

  it.each([
    ['a restart', {restartCount: 1, state: {running: {}}}],
    ['CrashLoopBackOff', {restartCount: 0, state: {waiting: {reason: 'CrashLoopBackOff'}}}],
    ['a non-zero exit', {restartCount: 0, state: {terminated: {exitCode: 1, reason: 'Error'}}}],
    ['a non-zero exit before', {restartCount: 0, state: {}, lastState: {terminated: {exitCode: 2}}}],
  ])('points at the log and the config, not at waiting, after %s', async (_what, status) => {
    for (const waitLonger of [undefined, 'vcluster connect demo -n ns --timeout 10m']) {
      const hint = await hintOf(neverReady(syncer(status)), {waitLonger})
      expect(hint).not.toContain('Wait longer')
      expect(hint).not.toContain('--timeout')
      expect(hint).toContain('Its log above says why')
      expect(hint).toContain('vcluster upgrade demo -n ns -f vcluster.yaml')
      // The diagnosis's next steps (kubectl logs, describe, delete) are not repeated.
      expect(hint).not.toMatch(/kubectl logs|vcluster describe|vcluster delete/)
    }
  })

  it('does not call a clean exit failing', async () => {
    const hint = await hintOf(neverReady(syncer({restartCount: 0, state: {terminated: {exitCode: 0}}})))
    expect(hint).toMatch(/^Wait longer/)
  })
})
