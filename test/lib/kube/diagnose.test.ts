import {describe, expect, it} from 'vitest'
import {describePod, formatDiagnosis, podStatus} from '../../../src/lib/kube/diagnose.js'

const pod = (status: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({metadata: {name: 'demo-0', ...extra}, status}) as never

describe('podStatus', () => {
  it.each([
    [pod({phase: 'Running', containerStatuses: [{name: 'syncer', ready: true, state: {running: {}}}]}), 'Running'],
    [pod({phase: 'Pending'}), 'Pending'],
    [
      pod({phase: 'Pending', containerStatuses: [{name: 'syncer', state: {waiting: {reason: 'ImagePullBackOff'}}}]}),
      'ImagePullBackOff',
    ],
    [
      pod({phase: 'Running', containerStatuses: [{name: 'syncer', state: {waiting: {reason: 'CrashLoopBackOff'}}}]}),
      'CrashLoopBackOff',
    ],
    [pod({phase: 'Pending', initContainerStatuses: [{name: 'kubernetes', state: {running: {}}}]}), 'Init:0/1'],
    [
      pod({
        phase: 'Pending',
        initContainerStatuses: [{name: 'kubernetes', state: {waiting: {reason: 'ErrImagePull'}}}],
      }),
      'Init:ErrImagePull',
    ],
    [pod({phase: 'Running'}, {deletionTimestamp: '2026-01-01T00:00:00Z'}), 'Terminating'],
  ])('%#', (p, expected) => expect(podStatus(p)).toBe(expected))
})

describe('formatDiagnosis', () => {
  it('names the unscheduled pod, the waiting container, the unbound claim and recent warnings', () => {
    const pods = [
      pod({
        phase: 'Pending',
        conditions: [
          {type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available'},
        ],
        containerStatuses: [{name: 'syncer', state: {waiting: {reason: 'ImagePullBackOff', message: 'pull denied'}}}],
      }),
    ]
    const claims = [{metadata: {name: 'data-demo-0'}, status: {phase: 'Pending'}}]
    const events = [
      {type: 'Normal', reason: 'Scheduled', message: 'ok', involvedObject: {kind: 'Pod', name: 'demo-0'}},
      {
        type: 'Warning',
        reason: 'FailedScheduling',
        message: 'unbound claims',
        involvedObject: {kind: 'Pod', name: 'demo-0'},
        lastTimestamp: '2026-01-01T00:00:01Z',
      },
      {type: 'Warning', reason: 'Other', message: 'not ours', involvedObject: {kind: 'Pod', name: 'else-0'}},
    ]
    expect(formatDiagnosis('demo', pods, claims, events)).toEqual([
      'pod demo-0: Pending; not scheduled (Unschedulable: 0/2 nodes are available); container syncer waiting: ImagePullBackOff (pull denied)',
      'volume claim data-demo-0 is Pending: no PersistentVolume or storage class provides it',
      'event Pod/demo-0: FailedScheduling: unbound claims',
    ])
  })

  it('says when no pod exists', () => {
    expect(formatDiagnosis('demo', [], [], [])).toEqual(['no control-plane pod exists yet'])
    expect(
      describePod(
        pod({phase: 'Running', conditions: [{type: 'Ready', status: 'False', reason: 'ContainersNotReady'}]}),
      ),
    ).toBe('pod demo-0: Running; not ready (ContainersNotReady)')
  })
})
