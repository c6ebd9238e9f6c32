import {describe, expect, it} from 'vitest'
import {diagnose, formatDiagnosis, LOG_TAIL_LINES} from '../../../src/lib/kube/diagnose.js'
import {describePod} from '../../../src/lib/kube/pod-status.js'

const pod = (status: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({metadata: {name: 'demo-0', ...extra}, status}) as never

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

describe('diagnose: a crash-looping vCluster', () => {
  const crashing = pod({
    phase: 'Running',
    containerStatuses: [
      {
        name: 'syncer',
        restartCount: 2,
        state: {waiting: {reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container'}},
        lastState: {terminated: {exitCode: 1, reason: 'Error'}},
      },
    ],
  })
  const unstartable = pod({
    phase: 'Running',
    containerStatuses: [
      {
        name: 'syncer',
        restartCount: 1,
        lastState: {
          terminated: {exitCode: 128, reason: 'StartError', message: 'cannot mount secret vc-config-demo\npassword=x1'},
        },
      },
    ],
  })
  const log = [
    'I1207 start-up',
    'error: dial mysql://vc:hunter2@tcp(127.0.0.1:1)/db: connection refused',
    'Authorization: Bearer abcdefghijklmnop',
    '2026-12-07 06:31:30\t\x1b[31mERROR\x1b[0m\tsetup/initialize.go:97\tError running k8s\x07',
  ].join('\n')

  /** A client answering the lists, and the log only with previous=true (the current start has written nothing). */
  function fakeClient(options: {logDelayMs?: number; currentLog?: string} = {}) {
    const requests: Array<{path: string; query?: Record<string, unknown>; responseType?: string}> = []
    const client = {
      request: async (spec: {path: string; query?: Record<string, unknown>; responseType?: string}) => {
        requests.push(spec)
        if (spec.path.endsWith('/pods')) return {items: [crashing]}
        if (spec.path.endsWith('/log')) {
          await new Promise((r) => setTimeout(r, options.logDelayMs ?? 0))
          if (spec.query?.previous === true) return log
          if (options.currentLog !== undefined) return options.currentLog
          throw new Error('container "syncer" in pod "demo-0" is waiting to start: CrashLoopBackOff')
        }
        return {items: []}
      },
    }
    return {client: client as never, requests}
  }

  it('shows the restarts, the previous start last log lines with secrets masked, and the next steps', async () => {
    const {client, requests} = fakeClient()
    const lines = await diagnose(client, 'team-a', 'demo')
    expect(lines[0]).toBe(
      'pod demo-0: Running; container syncer waiting: CrashLoopBackOff (back-off 20s restarting failed container)',
    )
    expect(lines[1]).toBe('container syncer restarted 2 times; the last start ended with exit code 1 (Error)')
    expect(lines[2]).toBe(
      [
        'last 4 log lines of demo-0/syncer (its previous start, secrets masked):',
        '      I1207 start-up',
        '      error: dial mysql://vc:***@tcp(127.0.0.1:1)/db: connection refused',
        '      Authorization: Bearer ***',
        '      2026-12-07 06:31:30\tERROR\tsetup/initialize.go:97\tError running k8s',
      ].join('\n'),
    )
    expect(lines.join('\n')).not.toContain('hunter2')
    expect(lines[3]).toContain('kubectl logs -n team-a demo-0 -c syncer --previous')
    expect(lines[3]).toContain('vcluster describe demo -n team-a')
    expect(lines[3]).toContain('vcluster delete demo -n team-a')
    const logReads = requests.filter((r) => r.path.endsWith('/log'))
    expect(logReads.map((r) => [r.path, r.query?.previous, r.responseType])).toEqual([
      ['/api/v1/namespaces/team-a/pods/demo-0/log', undefined, 'text'],
      ['/api/v1/namespaces/team-a/pods/demo-0/log', true, 'text'],
    ])
    expect(logReads[0]?.query).toMatchObject({container: 'syncer', tailLines: LOG_TAIL_LINES})
  })

  it('prefers the current log when it has lines: a waiting container has its last start there', async () => {
    const {client, requests} = fakeClient({currentLog: 'still starting\n'})
    const lines = await diagnose(client, 'team-a', 'demo')
    expect(lines).toContain('last 1 log lines of demo-0/syncer (its last start, secrets masked):\n      still starting')
    expect(requests.filter((r) => r.query?.previous === true)).toEqual([])
  })

  it("names the kubelet's message when the container could not start at all", () => {
    expect(formatDiagnosis('demo', [unstartable], [], [])[1]).toBe(
      'container syncer restarted 1 time; the last start ended with exit code 128 (StartError): cannot mount secret vc-config-demo / password=***',
    )
  })

  it('keeps to its budget: a log the API server does not send in time is named, the rest still shown', async () => {
    const {client} = fakeClient({logDelayMs: 5_000})
    const lines = await diagnose(client, 'team-a', 'demo', 200)
    expect(lines[1]).toContain('restarted 2 times')
    expect(lines[2]).toBe('log of demo-0/syncer: not readable (the API server did not answer in time)')
  })
})
