// 50 `connect --update-current` and 50 `disconnect` processes at once on one kubeconfig (issue 8): the file stays
// valid, every context lands, the user's own content stays byte for byte, mode 0600, no lock or temp file left.
import {readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {
  newNamespace,
  sleep,
  useHostCluster,
  vcluster,
  waitFor,
  waitForStandIn,
  type TestNamespace,
} from '../cluster/index.js'
import {tempDir} from '../helpers/temp.js'

const WRITERS = 50
let ns: TestNamespace
let server: string

beforeAll(async () => {
  ns = await newNamespace('kc-race')
  const created = await vcluster(['create', 'race', '-n', ns.name, '--kubeconfig', ns.userKubeconfig])
  expect(created.exitCode, created.stderr).toBe(0)
  await waitForStandIn(ns.name, 'race')
  // --server: every process writes its context without holding a forward of its own. The address is the stand-in's
  // own loopback listener (what kwok forwards the pod's port to): 50 TLS handshakes at once through one
  // `kubectl port-forward` can end that kubectl ("lost connection to pod"), which is not what this test is about.
  const forward = await useHostCluster().kubectlJson(['-n', ns.name, 'get', 'portforwards.kwok.x-k8s.io', 'race-0'])
  server = `localhost:${forward.spec.forwards[0].target.port as number}`
})

describe(`${WRITERS} connect and ${WRITERS} disconnect processes on one kubeconfig`, () => {
  it('leave a valid file with every context, the foreign content intact, mode 0600, no lock or temp file', async () => {
    const dir = tempDir('kc-race-')
    const file = join(dir, 'config')
    const original = `# team kubeconfig: keep this comment\n${readFileSync(ns.userKubeconfig, 'utf8')}`
    writeFileSync(file, original, {mode: 0o600})
    const previous = parse(original)['current-context'] as string
    const started = Date.now()
    const connecting = Array.from({length: WRITERS}, (_, i) =>
      vcluster(['connect', 'race', '-n', ns.name, '--server', server, '--kube-config-context-name', `race-${i}`], {
        kubeconfig: file,
        timeoutMs: 420_000,
      }),
    )
    // Disconnects need no cluster and would all be done before the first connect writes: they start once the
    // first context has landed, 50 ms apart, so they interleave with the connects still writing.
    await waitFor(() => readFileSync(file, 'utf8').includes('name: race-'), {
      timeoutMs: 300_000,
      intervalMs: 20,
      what: 'the first connect to write',
    })
    const disconnecting = Array.from({length: WRITERS}, (_, i) =>
      sleep(i * 50).then(() => vcluster(['disconnect'], {kubeconfig: file, timeoutMs: 420_000})),
    )
    const [connects, disconnects] = await Promise.all([Promise.all(connecting), Promise.all(disconnecting)])
    process.stderr.write(`[kubeconfig] ${2 * WRITERS} processes on one kubeconfig in ${Date.now() - started} ms\n`)
    for (const r of connects) expect(r.exitCode, r.stderr).toBe(0)
    // A disconnect that ran while the user's own context was current has nothing to switch back from: exit 2.
    for (const r of disconnects) {
      expect([0, 2], r.stderr).toContain(r.exitCode)
      if (r.exitCode === 2) expect(r.stderr).toContain(`is not a vCluster context written by vcluster connect`)
      expect(r.stderr).not.toMatch(/^\s+at /m)
    }
    const switched = disconnects.filter((r) => r.exitCode === 0).length
    process.stderr.write(`[kubeconfig] disconnects that switched back: ${switched} of ${WRITERS}\n`)
    expect(switched).toBeGreaterThan(0)

    const text = readFileSync(file, 'utf8')
    const doc = parse(text)
    const names = (list: string) => (doc[list] as {name: string}[]).map((e) => e.name)
    for (let i = 0; i < WRITERS; i++) expect(names('contexts')).toContain(`race-${i}`)
    expect(names('contexts')).toContain(previous)
    expect(names('contexts')).toContain(doc['current-context'])
    for (const line of original.split('\n').filter((l) => !l.startsWith('current-context:')))
      expect(text).toContain(line)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['config'])

    // Disconnecting from wherever it ended up walks back to the user's own context.
    for (let hops = 0; parse(readFileSync(file, 'utf8'))['current-context'] !== previous; hops++) {
      expect(hops).toBeLessThan(WRITERS)
      const r = await vcluster(['disconnect'], {kubeconfig: file})
      expect(r.exitCode, r.stderr).toBe(0)
    }
  })
})
