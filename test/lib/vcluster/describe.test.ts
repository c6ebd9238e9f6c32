// describe never prints a secret of the config unless asked (--show-secrets): against a loopback API server holding
// one running vCluster whose stored values carry an external database's data source with its password.
import {writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {describeVCluster} from '../../../src/lib/vcluster/describe.js'
import {runCli, tempFiles} from '../../helpers/run-cli.js'

const PASSWORD = 'hunter2-not-for-eyes'
const DATA_SOURCE = `mysql://vc:${PASSWORD}@tcp(db.example.com:3306)/vcluster`
const VALUES = {
  controlPlane: {backingStore: {database: {external: {enabled: true, dataSource: DATA_SOURCE}}}},
  sync: {toHost: {secrets: {all: true}}},
}
const DATA_SOURCE_KEY = 'controlPlane.backingStore.database.external.dataSource'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64')
const labels = {app: 'vcluster', release: 'demo'}
const ANSWERS: Record<string, unknown> = {
  '/apis/apps/v1/namespaces/team-a/statefulsets': {items: []},
  '/apis/apps/v1/namespaces/team-a/deployments': {
    items: [
      {
        metadata: {name: 'demo', namespace: 'team-a', labels, creationTimestamp: '2026-01-01T00:00:00Z'},
        spec: {
          replicas: 1,
          template: {spec: {containers: [{name: 'syncer', image: 'ghcr.io/loft-sh/vcluster:0.36.1'}]}},
        },
      },
    ],
  },
  '/api/v1/namespaces/team-a/pods': {items: [{metadata: {name: 'demo-abc', labels}, status: {phase: 'Running'}}]},
  // JSON is YAML: the stored config reads the same.
  '/api/v1/namespaces/team-a/secrets/vc-config-demo': {
    data: {'config.yaml': b64(VALUES), 'user-values.yaml': b64(VALUES)},
  },
  '/api/v1/namespaces/team-a/services/demo': {spec: {type: 'ClusterIP'}},
}

let server: Server
let kubeconfig: string

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer = ANSWERS[new URL(req.url ?? '/', 'http://x').pathname]
    res.writeHead(answer === undefined ? 404 : 200, {'content-type': 'application/json'})
    res.end(JSON.stringify(answer ?? {kind: 'Status', code: 404, reason: 'NotFound'}))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const {port} = server.address() as AddressInfo
  kubeconfig = join(tempFiles({}), 'kubeconfig')
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]\n` +
      'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: team-a}}]\ncurrent-context: x\n',
  )
})

afterAll(async () => {
  await new Promise((r) => server.close(r))
})

describe('describeVCluster', () => {
  it('masks the data source in the values it returns, keeping the key, and says where', async () => {
    const d = await describeVCluster({kubeconfig, namespace: 'team-a'}, 'demo')
    expect(d.status).toBe('Running')
    expect(d.backingStore).toBe('external-database')
    expect(d.config).toEqual({
      controlPlane: {backingStore: {database: {external: {enabled: true, dataSource: '***'}}}},
      sync: {toHost: {secrets: {all: true}}},
    })
    expect(d.secretsMasked).toEqual([DATA_SOURCE_KEY])
  })

  it('returns them as stored when asked', async () => {
    const d = await describeVCluster({kubeconfig, namespace: 'team-a'}, 'demo', {showSecrets: true})
    expect(d.config).toEqual(VALUES)
    expect(d.secretsMasked).toBeUndefined()
  })
})

describe('vcluster describe', () => {
  const run = (...args: string[]) => runCli(['describe', 'demo', '-n', 'team-a', '--kubeconfig', kubeconfig, ...args])

  it.each(
    [[], ['-o', 'json'], ['-o', 'yaml'], ['--config-only'], ['--config-only', '-o', 'json']].map((args) => ({args})),
  )('$args prints *** for the password and says on stderr how to see it', async ({args}) => {
    const r = await run(...args)
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).not.toContain(PASSWORD)
    expect(r.stderr).not.toContain(PASSWORD)
    expect(r.stdout).toMatch(/dataSource: ['"]?\*\*\*|"dataSource": "\*\*\*"/)
    expect(r.stderr).toContain(`note: 1 secret value shown as *** (${DATA_SOURCE_KEY}); --show-secrets prints them`)
  })

  it('--show-secrets prints the values as stored, ready to reuse with -f', async () => {
    const r = await run('--config-only', '--show-secrets')
    expect(r.exitCode, r.stderr).toBe(0)
    expect(parse(r.stdout)).toEqual(VALUES)
    expect(r.stderr).toBe('')
  })
})
