import {describe, expect, it} from 'vitest'
import {resolveValues} from '../../../src/lib/config/load.js'
import {
  checkUpgrade,
  compareVersions,
  parseVersion,
  type UpgradeSide,
} from '../../../src/lib/vcluster/upgrade-checks.js'

const side = (values: Record<string, unknown>, kubernetesTag = 'v1.33.4', vclusterTag = '0.36.1'): UpgradeSide => ({
  config: resolveValues(values).config,
  kubernetesTag,
  vclusterTag,
})
const etcd = (store: string) => ({controlPlane: {backingStore: {etcd: {[store]: {enabled: true}}}}})
const db = (store: string) => ({
  controlPlane: {
    backingStore: {database: {[store]: {enabled: true, ...(store === 'external' ? {dataSource: 'x'} : {})}}},
  },
})

describe('checkUpgrade', () => {
  it.each([
    ['sqlite → embedded etcd', {}, etcd('embedded'), true],
    ['sqlite → deployed etcd', {}, etcd('deploy'), true],
    ['sqlite → external database', {}, db('external'), true],
    ['deployed etcd → embedded etcd', etcd('deploy'), etcd('embedded'), true],
    ['external etcd → deployed etcd', etcd('external'), etcd('deploy'), true],
    ['embedded etcd → sqlite', etcd('embedded'), {}, false],
    ['external database → sqlite', db('external'), {}, false],
    ['embedded etcd → external database', etcd('embedded'), db('external'), false],
    ['deployed etcd → external etcd', etcd('deploy'), etcd('external'), false],
  ])('store %s', (_n, from, to, allowed) => {
    const refusals = checkUpgrade(side(from), side(to), false)
    expect(refusals.filter((r) => r.kind === 'store').length === 0).toBe(allowed)
  })

  it('refuses namespace sync changes, even with --force', () => {
    const refusals = checkUpgrade(
      side({}),
      side({sync: {toHost: {namespaces: {enabled: true, mappings: {byName: {'team-*': 'vc-team-*'}}}}}}),
      true,
    )
    expect(refusals.map((r) => r.kind)).toEqual(['namespace-sync'])
    expect(refusals[0]?.message).toContain('sync.toHost.namespaces.enabled')
  })

  it.each([
    ['v1.33.4', 'v1.34.0', '0.36.1', '0.36.1', []],
    ['v1.33.4', 'v1.33.4', '0.36.1', '0.37.0', []],
    ['v1.33.4', 'v1.32.1', '0.36.1', '0.36.1', ['Kubernetes v1.32.1 is older than the running v1.33.4']],
    ['v1.31.1', 'v1.33.4', '0.36.1', '0.36.1', ['Kubernetes v1.31.1 → v1.33.4 skips a minor version']],
    ['v1.33.4', 'v1.33.4', '0.36.1', '0.35.0', ['vCluster 0.35.0 is older than the running 0.36.1']],
  ])('versions %s → %s, %s → %s', (k1, k2, v1, v2, expected) => {
    const refusals = checkUpgrade(side({}, k1, v1), side({}, k2, v2), false)
    expect(refusals.map((r) => r.message.split(';')[0]?.replace(/ \(--force.*$/, ''))).toEqual(expected)
    expect(checkUpgrade(side({}, k1, v1), side({}, k2, v2), true)).toEqual([])
  })
})

describe('versions', () => {
  it('parses and compares', () => {
    expect(parseVersion('v1.33.4')).toEqual([1, 33, 4])
    expect(parseVersion('0.36.1-rc.1')).toEqual([0, 36, 1])
    expect(parseVersion('latest')).toBeUndefined()
    expect(compareVersions([1, 33, 4], [1, 33, 10])).toBeLessThan(0)
  })
})
