import {describe, expect, it} from 'vitest'
import {NotFoundError, UsageError} from '../../../src/lib/errors.js'
import {
  kubeconfigFiles,
  mergeKubeconfigs,
  selectContext,
  type KubeconfigDoc,
} from '../../../src/lib/kubeconfig/resolve.js'

const doc = (current: string | undefined, ...contexts: [string, string?][]): KubeconfigDoc => ({
  'current-context': current,
  contexts: contexts.map(([name, namespace]) => ({
    name,
    context: {cluster: `c-${name}`, user: `u-${name}`, namespace},
  })),
  clusters: contexts.map(([name]) => ({name: `c-${name}`, cluster: {server: `https://127.0.0.1/${name}`}})),
  users: contexts.map(([name]) => ({name: `u-${name}`, user: {}})),
})

describe('kubeconfigFiles', () => {
  it('prefers the flag, then $KUBECONFIG (deduplicated), then ~/.kube/config', () => {
    expect(kubeconfigFiles('/x', {KUBECONFIG: '/a:/b'}, '/home/u')).toEqual(['/x'])
    expect(kubeconfigFiles(undefined, {KUBECONFIG: '/a::/b:/a'}, '/home/u')).toEqual(['/a', '/b'])
    expect(kubeconfigFiles(undefined, {}, '/home/u')).toEqual(['/home/u/.kube/config'])
  })
})

describe('mergeKubeconfigs', () => {
  it('keeps the first definition of a name and the first current-context', () => {
    const first = doc('one', ['one', 'ns1'])
    const second = doc('two', ['one', 'other'], ['two'])
    const merged = mergeKubeconfigs([first, second])
    expect(merged['current-context']).toBe('one')
    expect(merged.contexts?.map((c) => [c.name, c.context?.namespace])).toEqual([
      ['one', 'ns1'],
      ['two', undefined],
    ])
  })
})

describe('selectContext', () => {
  const merged = mergeKubeconfigs([doc('one', ['one', 'team-a'], ['two'])])
  it('uses the current context and its namespace', () => {
    expect(selectContext(merged, ['f'], {})).toMatchObject({
      contextName: 'one',
      namespace: 'team-a',
      namespaceSource: 'context',
      cluster: 'c-one',
    })
  })
  it('uses default when the context has no namespace, and the flag above all', () => {
    expect(selectContext(merged, ['f'], {context: 'two'})).toMatchObject({
      namespace: 'default',
      namespaceSource: 'default',
    })
    expect(selectContext(merged, ['f'], {context: 'two', namespace: 'x'})).toMatchObject({
      namespace: 'x',
      namespaceSource: 'flag',
    })
  })
  it('names the known contexts when one is missing', () => {
    expect(() => selectContext(merged, ['f'], {context: 'nope'})).toThrow(NotFoundError)
    expect(() => selectContext(merged, ['f'], {context: 'nope'})).toThrow(/context "nope" not found in f/)
    expect(() => selectContext(mergeKubeconfigs([doc(undefined, ['a'])]), ['f'], {})).toThrow(UsageError)
  })
})
