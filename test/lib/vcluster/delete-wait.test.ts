import {describe, expect, it} from 'vitest'
import {TimeoutError} from '../../../src/lib/errors.js'
import type {KubeClient, RequestSpec} from '../../../src/lib/kube/client.js'
import type {DeleteRights} from '../../../src/lib/vcluster/delete-rights.js'
import {waitUntilGone} from '../../../src/lib/vcluster/delete-wait.js'

type Obj = {metadata: {name: string; resourceVersion: string; deletionTimestamp?: string}}
const obj = (name: string, rv = '1', deletionTimestamp?: string): Obj => ({
  metadata: {name, resourceVersion: rv, deletionTimestamp},
})

/**
 * A host whose lists answer from `lists` (by path, the query's selector included) and whose watches play `events`
 * (by path) and end; every request is recorded as `verb path?selector`.
 */
function fakeHost(lists: Record<string, () => Obj[]>, events: Record<string, [string, Obj][]> = {}) {
  const sent: string[] = []
  const key = (path: string, query: Record<string, unknown> = {}) =>
    `${path}?${query.labelSelector ?? query.fieldSelector ?? ''}`
  const client = {
    async request(spec: RequestSpec) {
      const k = key(spec.path, spec.query)
      sent.push(`${spec.method ?? 'GET'} ${k}`)
      if (spec.method === 'DELETE') return undefined
      const items = lists[k]?.() ?? []
      return {metadata: {resourceVersion: '1'}, items}
    },
    async watch(path: string, query: Record<string, string>, onEvent: (t: string, o: unknown) => void) {
      sent.push(`WATCH ${key(path, query)} from ${query.resourceVersion}`)
      for (const [type, o] of events[key(path, query)] ?? []) onEvent(type, o)
    },
  } as unknown as KubeClient
  return {client, sent}
}

function rights(denied: string[] = []): DeleteRights {
  return {
    may: async (kind, verb) => !denied.includes(`${verb} ${kind}`),
    mayOwnNamespace: async () => true,
  }
}

const NS = '/api/v1/namespaces?metadata.name=team'
const PC = '/apis/scheduling.k8s.io/v1/priorityclasses?vcluster.loft.sh/managed-by=team-x-demo'
const MARKED_NS = '/api/v1/namespaces?vcluster.loft.sh/managed-by=team-x-demo'
const PODS = '/api/v1/namespaces/team/pods?release=demo'
const options = {name: 'demo', namespace: 'team', keptClaims: false, timeoutMs: 60_000}

describe("delete's wait until everything is gone", () => {
  it('with the namespace deleted: one list and one watch of the namespace however long it takes, then one look outside', async () => {
    const terminating = obj('team', '2', 'now')
    const {client, sent} = fakeHost(
      {[NS]: () => [terminating]},
      {
        [NS]: [
          ...Array.from({length: 50}, (_, i) => ['MODIFIED', obj('team', String(i + 3), 'now')] as [string, Obj]),
          ['DELETED', obj('team', '99')],
        ],
      },
    )
    await waitUntilGone(client, {...options, namespaceDeleted: true, rights: rights()})
    expect(sent).toEqual([`GET ${NS}`, `WATCH ${NS} from 1`, `GET ${PC}`, `GET ${MARKED_NS}`])
  })

  it('keeping the namespace: a watch only for the kinds with something left; a PriorityClass made anew is deleted', async () => {
    const {client, sent} = fakeHost(
      {[PODS]: () => [obj('demo-0'), obj('coredns-1')], [PC]: () => [obj('high-x-team-x-demo')]},
      {
        [PODS]: [
          ['DELETED', obj('demo-0', '5')],
          ['MODIFIED', obj('coredns-1', '6')],
          ['DELETED', obj('coredns-1', '7')],
        ],
      },
    )
    await waitUntilGone(client, {...options, namespaceDeleted: false, rights: rights()})
    expect(sent.filter((s) => s.startsWith('WATCH'))).toEqual([`WATCH ${PODS} from 1`])
    expect(sent.filter((s) => s.startsWith('GET'))).toHaveLength(8) // six kinds in the namespace, two outside
    expect(sent).toContain('DELETE /apis/scheduling.k8s.io/v1/priorityclasses/high-x-team-x-demo?')
  })

  it('lists nothing the user may not list, and lists again what is left where it may not watch', async () => {
    let polls = 0
    const {client, sent} = fakeHost({[PODS]: () => (++polls < 3 ? [obj('demo-0')] : [])})
    const denied = ['watch Pod', 'list PriorityClass', 'list Namespace', 'watch Namespace']
    await waitUntilGone(client, {...options, namespaceDeleted: true, rights: rights(denied)})
    expect(sent.filter((s) => s === `GET ${PODS}`)).toHaveLength(3)
    expect(sent.some((s) => s.includes('priorityclasses') || s.includes('/api/v1/namespaces?'))).toBe(false)
  })

  it('names what is still going away when the time is up', async () => {
    const {client} = fakeHost({[PODS]: () => [obj('demo-0')]})
    const waiting = waitUntilGone(client, {...options, timeoutMs: 50, namespaceDeleted: false, rights: rights()})
    await expect(waiting).rejects.toThrow(TimeoutError)
    await expect(waiting).rejects.toThrow('these are still going away: Pod/demo-0')
  })
})
