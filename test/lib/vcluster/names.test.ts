import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {UsageError} from '../../../src/lib/errors.js'
import {contextNameFor, parseContextName} from '../../../src/lib/kubeconfig/names.js'
import {isWorkloadReady} from '../../../src/lib/kube/wait.js'
import {checkVClusterName, createNamespace, defaultNamespace} from '../../../src/lib/vcluster/names.js'
import {tempFiles} from '../../helpers/run-cli.js'

describe('vCluster names', () => {
  it.each(['demo', 'a', 'team-a-1', 'x'.repeat(52)])('accepts %s', (n) =>
    expect(() => checkVClusterName(n)).not.toThrow(),
  )
  it.each(['Demo', '-a', 'a-', 'a_b', 'a.b', 'x'.repeat(53), ''])('rejects %j', (n) =>
    expect(() => checkVClusterName(n)).toThrow(UsageError),
  )

  it('defaults the namespace as upstream does', () => {
    expect(defaultNamespace('demo', {namespace: 'x', namespaceSource: 'flag'})).toBe('x')
    expect(defaultNamespace('demo', {namespace: 'default', namespaceSource: 'flag'})).toBe('default')
    expect(defaultNamespace('demo', {namespace: 'team', namespaceSource: 'context'})).toBe('team')
    expect(defaultNamespace('demo', {namespace: 'default', namespaceSource: 'context'})).toBe('vcluster-demo')
    expect(defaultNamespace('demo', {namespace: 'default', namespaceSource: 'default'})).toBe('vcluster-demo')
  })

  it("decides create's namespace without a cluster from the kubeconfig, or without one", async () => {
    const dir = tempFiles({
      config: 'contexts: [{name: a, context: {namespace: team-a}}]\ncurrent-context: a\n',
      empty: '',
    })
    const noFiles = {KUBECONFIG: '', HOME: join(dir, 'nowhere')}
    expect(await createNamespace('demo', {kubeconfig: join(dir, 'config')})).toBe('team-a')
    expect(await createNamespace('demo', {}, {KUBECONFIG: join(dir, 'config')})).toBe('team-a')
    expect(await createNamespace('demo', {kubeconfig: join(dir, 'config'), namespace: 'x'})).toBe('x')
    expect(await createNamespace('demo', {}, noFiles)).toBe('vcluster-demo')
    expect(await createNamespace('demo', {kubeconfig: join(dir, 'empty')})).toBe('vcluster-demo')
    await expect(createNamespace('demo', {kubeconfig: join(dir, 'missing')})).rejects.toThrow(UsageError)
    await expect(createNamespace('demo', {kubeconfig: join(dir, 'config'), context: 'nope'})).rejects.toThrow(
      'context "nope" not found',
    )
  })

  it('builds and parses context names, host contexts with underscores included', () => {
    expect(contextNameFor('demo', 'ns', 'kind_a')).toBe('vcluster_demo_ns_kind_a')
    expect(parseContextName('vcluster_test_vcluster-test_minikube_test')).toEqual({
      name: 'test',
      namespace: 'vcluster-test',
      hostContext: 'minikube_test',
    })
    expect(parseContextName('vcluster_a_b')).toBeUndefined()
    expect(parseContextName('kind-kind')).toBeUndefined()
  })
})

describe('isWorkloadReady', () => {
  const sts = (spec: number, status: Record<string, unknown>, generation = 1) => ({
    metadata: {name: 'x', generation},
    spec: {replicas: spec},
    status,
  })
  it.each([
    [
      sts(1, {observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'a'}),
      true,
    ],
    [
      sts(1, {observedGeneration: 1, readyReplicas: 0, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'a'}),
      false,
    ],
    [
      sts(1, {observedGeneration: 0, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'a'}),
      false,
    ],
    [
      sts(1, {observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b'}),
      false,
    ],
    [sts(0, {observedGeneration: 1}), true],
  ])('statefulset %#', (w, ready) => expect(isWorkloadReady('StatefulSet', w)).toBe(ready))
  it('deployment', () => {
    expect(
      isWorkloadReady('Deployment', sts(2, {observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2})),
    ).toBe(true)
    expect(
      isWorkloadReady('Deployment', sts(2, {observedGeneration: 1, updatedReplicas: 2, availableReplicas: 1})),
    ).toBe(false)
  })
})
