import {describe, expect, it} from 'vitest'
import {podStatus} from '../../../src/lib/kube/pod-status.js'

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
