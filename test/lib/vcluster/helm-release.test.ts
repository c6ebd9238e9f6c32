import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {ConflictError} from '../../../src/lib/errors.js'
import type {KubeClient} from '../../../src/lib/kube/client.js'
import {
  currentRelease,
  deleteHelmRelease,
  helmReleases,
  installedByHelm,
  parseReleaseSecret,
  refuseHelmOwned,
} from '../../../src/lib/vcluster/helm-release.js'

interface Release {
  name: string
  version: number
  status: string
  chart?: string
  config?: Record<string, unknown> | null
  gzip?: boolean
}

/** A release Secret as helm 3's Secrets driver writes it: Secret data = base64(base64(gzip(JSON))). */
function releaseSecret(r: Release, namespace = 'team') {
  const json = Buffer.from(
    JSON.stringify({
      name: r.name,
      namespace,
      version: r.version,
      info: {status: r.status},
      chart: {metadata: {name: r.chart ?? 'vcluster', version: '0.36.1'}},
      config: r.config === undefined ? {sync: {toHost: {ingresses: {enabled: true}}}} : r.config,
      manifest: '---\n# Source: vcluster/templates/service.yaml\n',
    }),
  )
  const helm = (r.gzip === false ? json : gzipSync(json)).toString('base64')
  return {
    type: 'helm.sh/release.v1',
    metadata: {
      name: `sh.helm.release.v1.${r.name}.v${r.version}`,
      labels: {owner: 'helm', name: r.name, status: r.status, version: String(r.version)},
    },
    data: {release: Buffer.from(helm).toString('base64')},
  }
}

function fakeClient(secrets: unknown[]) {
  const calls: Array<{method: string; path: string; labelSelector?: string}> = []
  const client = {
    request: async (spec: {method?: string; path: string; query?: {labelSelector?: string}}) => {
      calls.push({method: spec.method ?? 'GET', path: spec.path, labelSelector: spec.query?.labelSelector})
      return spec.method === 'DELETE' ? {} : {items: secrets}
    },
  } as unknown as KubeClient
  return {client, calls}
}

describe("helm's record of a vCluster release", () => {
  it('decodes a revision: chart, status, revision, and the values the user gave', () => {
    const r = parseReleaseSecret(releaseSecret({name: 'demo', version: 2, status: 'deployed'}), 'team')
    expect(r).toEqual({
      name: 'demo',
      namespace: 'team',
      revision: 2,
      status: 'deployed',
      chart: {name: 'vcluster', version: '0.36.1'},
      values: {sync: {toHost: {ingresses: {enabled: true}}}},
      secret: 'sh.helm.release.v1.demo.v2',
    })
  })

  it('reads an uncompressed release too, and null values as none', () => {
    const r = parseReleaseSecret(
      releaseSecret({name: 'd', version: 1, status: 'deployed', gzip: false, config: null}),
      'n',
    )
    expect(r?.values).toEqual({})
  })

  it("ignores Secrets that are not a vCluster chart's release", () => {
    expect(parseReleaseSecret(releaseSecret({name: 'demo', version: 1, status: 'deployed', chart: 'redis'}), 't')).toBe(
      undefined,
    )
    const opaque = {...releaseSecret({name: 'demo', version: 1, status: 'deployed'}), type: 'Opaque'}
    expect(parseReleaseSecret(opaque, 't')).toBeUndefined()
    const garbage = {
      ...opaque,
      type: 'helm.sh/release.v1',
      data: {release: Buffer.from('not base64 gzip').toString('base64')},
    }
    expect(parseReleaseSecret(garbage, 't')).toBeUndefined()
  })

  it('lists revisions newest first by their labels; the current one is the newest deployed', async () => {
    const {client, calls} = fakeClient([
      releaseSecret({name: 'demo', version: 1, status: 'superseded'}),
      releaseSecret({name: 'demo', version: 3, status: 'failed'}),
      releaseSecret({name: 'demo', version: 2, status: 'deployed'}),
    ])
    const releases = await helmReleases(client, 'demo', 'team')
    expect(releases.map((r) => r.revision)).toEqual([3, 2, 1])
    expect(currentRelease(releases)?.revision).toBe(2)
    expect(calls).toEqual([
      {method: 'GET', path: '/api/v1/namespaces/team/secrets', labelSelector: 'owner=helm,name=demo'},
    ])
  })

  it('upgrade is refused while helm owns the vCluster, naming the release and both ways forward', async () => {
    const {client} = fakeClient([releaseSecret({name: 'demo', version: 1, status: 'deployed'})])
    const error = await refuseHelmOwned(client, 'demo', 'team').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictError)
    const {message, hint} = error as ConflictError
    expect(message).toContain('owned by helm: release demo revision 1 (deployed, chart vcluster-0.36.1)')
    expect(hint).toContain('vcluster create demo -n team --upgrade')
    expect(hint).toContain('kubectl -n team delete secret -l owner=helm,name=demo')
    await expect(refuseHelmOwned(fakeClient([]).client, 'demo', 'team')).resolves.toBeUndefined()
  })

  it("delete removes every revision of the vCluster's release and nothing of another chart", async () => {
    const {client, calls} = fakeClient([
      releaseSecret({name: 'demo', version: 1, status: 'superseded'}),
      releaseSecret({name: 'demo', version: 2, status: 'deployed'}),
      {...releaseSecret({name: 'demo', version: 3, status: 'deployed', chart: 'redis'})},
    ])
    expect(await deleteHelmRelease(client, 'demo', 'team')).toEqual([
      'sh.helm.release.v1.demo.v2',
      'sh.helm.release.v1.demo.v1',
    ])
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      '/api/v1/namespaces/team/secrets/sh.helm.release.v1.demo.v2',
      '/api/v1/namespaces/team/secrets/sh.helm.release.v1.demo.v1',
    ])
  })

  it("is looked for only on a workload with helm's marks: ours carry none", () => {
    expect(installedByHelm({labels: {app: 'vcluster', release: 'demo', heritage: 'Helm'}})).toBe(true)
    expect(installedByHelm({labels: {'app.kubernetes.io/managed-by': 'Helm'}})).toBe(true)
    expect(installedByHelm({annotations: {'meta.helm.sh/release-name': 'demo'}})).toBe(true)
    expect(
      installedByHelm({labels: {app: 'vcluster', release: 'demo', 'app.kubernetes.io/managed-by': 'vcluster-cli'}}),
    ).toBe(false)
    expect(installedByHelm({})).toBe(false)
  })
})
