// Made by upstream, handled by us: a real vCluster created by upstream's own CLI (v0.36.1, `vcluster create` running
// helm 3.21.4 on the release's chart, no internet; test/upstream/peer.ts), then driven by vcluster-ts as the
// namespace user: list, describe, connect, pause/resume and delete work, delete also removes helm's record of the
// release, and upgrade refuses while helm owns the vCluster (docs/decisions.md, "vCluster made by helm").
import {writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {newNamespace, useHostCluster, vcluster, waitFor, type TestNamespace} from '../cluster/index.js'
import {REAL_NAMESPACE_LABEL} from '../cluster/watcher.js'
import {runPeer, runUpstream, upstreamChartDir, upstreamCliDir} from '../upstream/peer.js'
import {tempDir} from '../helpers/temp.js'

const cluster = useHostCluster()
const started = Date.now()
/** Progress on stderr: this scenario runs a real vCluster through many steps. */
const step = (what: string) =>
  process.stderr.write(`[interop-upstream ${((Date.now() - started) / 1000).toFixed(1)}s] ${what}\n`)
const NAME = 'theirs'
// What the user gives upstream's create with -f; helm stores it as the release's user-supplied values.
const VALUES = 'controlPlane:\n  proxy:\n    extraSANs: [theirs.example.com]\n'

beforeAll(() => upstreamCliDir(), 1_800_000)

async function ours(ns: TestNamespace, args: string[]) {
  return vcluster([...args.slice(0, 1), '--kubeconfig', ns.userKubeconfig, '-n', ns.name, ...args.slice(1)])
}

async function must(ns: TestNamespace, args: string[]) {
  const r = await ours(ns, args)
  if (r.exitCode !== 0) throw new Error(`vcluster ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`)
  return r
}

/** Every namespaced object in the namespace, as kind/name (events aside: they are records, and expire). */
async function everything(namespace: string): Promise<string[]> {
  const kinds = (await cluster.kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name'])).stdout
    .split('\n')
    .filter((k) => k !== '' && !/^events(\.|$)/.test(k))
  const r = await cluster.kubectl(['-n', namespace, 'get', kinds.join(','), '-o', 'name'])
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .sort()
}

/** Waits until the namespace holds exactly what it held before the vCluster (deletion is asynchronous). */
async function nothingLeft(namespace: string, before: string[]): Promise<void> {
  await waitFor(async () => JSON.stringify(await everything(namespace)) === JSON.stringify(before), {
    timeoutMs: 60_000,
    what: 'nothing of the vCluster left in the namespace',
  }).catch(async (error: Error) => {
    const now = await everything(namespace)
    throw new Error(`${error.message}; left: ${now.filter((o) => !before.includes(o)).join(', ')}`)
  })
}

/** Waits for our list to say Running; on a timeout, says what the pods and events showed. */
async function running(ns: TestNamespace): Promise<void> {
  await waitFor(async () => (await ourStatus(ns)) === 'Running', {timeoutMs: 180_000, what: `${NAME} Running`}).catch(
    async (error: Error) => {
      const pods = await cluster.kubectl(['-n', ns.name, 'get', 'pods,statefulsets', '-o', 'wide'], {reject: false})
      const events = await cluster.kubectl(['-n', ns.name, 'get', 'events', '--sort-by=.lastTimestamp'], {
        reject: false,
      })
      throw new Error(`${error.message}; status ${await ourStatus(ns)}\n${pods.stdout}\n${events.stdout}`)
    },
  )
}

async function helmSecrets(namespace: string): Promise<string[]> {
  const r = await cluster.kubectl(['-n', namespace, 'get', 'secrets', '-l', `owner=helm,name=${NAME}`, '-o', 'name'])
  return r.stdout.split('\n').filter((l) => l !== '')
}

async function ourStatus(ns: TestNamespace): Promise<string | undefined> {
  const r = await must(ns, ['list', '-o', 'json'])
  return (JSON.parse(r.stdout) as Array<{Name: string; Status: string}>).find((x) => x.Name === NAME)?.Status
}

/** upstream `vcluster create` with helm and the release's local chart, as the namespace user. */
async function createWithUpstream(ns: TestNamespace): Promise<void> {
  const values = join(tempDir('interop-values-'), 'vcluster.yaml')
  writeFileSync(values, VALUES)
  const created = await runUpstream(
    [
      'create',
      NAME,
      '-n',
      ns.name,
      '--connect=false',
      '--local-chart-dir',
      await upstreamChartDir(),
      '--add=false',
      '--create-namespace=false',
      '-f',
      values,
    ],
    {kubeconfig: ns.userKubeconfig, binDir: cluster.binDir, timeoutMs: 300_000},
  )
  expect(created.exitCode, created.stderr).toBe(0)
}

describe('a vCluster made by upstream vcluster 0.36.1 with helm, handled by vcluster-ts', () => {
  it("list, describe, connect, pause/resume work; upgrade refuses while helm owns it; delete removes helm's record too", async () => {
    const ns = await newNamespace('interop-up')
    await cluster.kubectl(['label', 'namespace', ns.name, `${REAL_NAMESPACE_LABEL}=true`])
    const before = await everything(ns.name)
    step('upstream create')
    await createWithUpstream(ns)
    expect(await helmSecrets(ns.name)).toEqual([`secret/sh.helm.release.v1.${NAME}.v1`])

    await running(ns)
    step('describe')
    const described = JSON.parse((await must(ns, ['describe', NAME, '-o', 'json'])).stdout)
    expect(described).toMatchObject({name: NAME, namespace: ns.name, status: 'Running', vclusterVersion: '0.36.1'})
    // The values upstream's user gave (helm's record), not the whole resolved config; upstream's create adds
    // telemetry.enabled=false itself, as its own telemetry is off (the peer's ~/.vcluster/config.json).
    expect(described.config).toEqual({
      controlPlane: {proxy: {extraSANs: ['theirs.example.com']}},
      telemetry: {enabled: false},
    })
    expect(described.helm).toEqual({
      release: NAME,
      revision: 1,
      status: 'deployed',
      chart: {name: 'vcluster', version: '0.36.1'},
    })

    step('connect')
    const inside = await must(ns, ['connect', NAME, '--', 'kubectl', 'get', 'namespaces', '-o', 'name'])
    expect(inside.stdout).toContain('namespace/kube-system')

    step('upgrade')
    // upgrade: refused, naming helm's release and the ways forward; nothing is changed.
    const generation = (await cluster.kubectlJson(['-n', ns.name, 'get', 'statefulset', NAME])).metadata.generation
    const upgrade = await ours(ns, ['upgrade', NAME, '--set', 'sync.toHost.ingresses.enabled=true'])
    expect(upgrade.exitCode, upgrade.stderr).toBe(4)
    expect(upgrade.stderr).toContain(`vCluster ${NAME} is owned by helm: release ${NAME} revision 1 (deployed`)
    expect(upgrade.stderr).toContain(`vcluster create ${NAME} -n ${ns.name} --upgrade`)
    expect((await cluster.kubectlJson(['-n', ns.name, 'get', 'statefulset', NAME])).metadata.generation).toBe(
      generation,
    )

    step('pause')
    await must(ns, ['pause', NAME, '--timeout', '2m'])
    expect(await ourStatus(ns)).toBe('Paused')
    const theirList = await runUpstream(['list', '-n', ns.name, '--output', 'json'], {kubeconfig: ns.userKubeconfig})
    expect(JSON.parse(theirList.stdout)).toMatchObject([{Name: NAME, Status: 'Paused'}])
    step('resume')
    await must(ns, ['resume', NAME, '--timeout', '5m'])
    expect(await ourStatus(ns)).toBe('Running')

    step('delete')
    const deleted = await must(ns, ['delete', NAME])
    expect(deleted.exitCode).toBe(0)
    expect(await helmSecrets(ns.name)).toEqual([])
    const helmList = await runPeer('helm', ['list', '-n', ns.name, '-a', '-o', 'json'], {
      kubeconfig: ns.userKubeconfig,
    })
    expect(helmList.exitCode, helmList.stderr).toBe(0)
    expect(JSON.parse(helmList.stdout)).toEqual([])
    step('nothing left?')
    await nothingLeft(ns.name, before)
  })

  it('handed over as the refusal says (helm record removed), upgrade starts from the config it runs with', async () => {
    const ns = await newNamespace('interop-hand')
    await cluster.kubectl(['label', 'namespace', ns.name, `${REAL_NAMESPACE_LABEL}=true`])
    const before = await everything(ns.name)
    step('upstream create')
    await createWithUpstream(ns)
    await running(ns)
    const refused = await ours(ns, ['upgrade', NAME])
    expect(refused.exitCode, refused.stderr).toBe(4)
    // The hand-over command the hint gives, as the namespace user.
    const handOver = /kubectl -n \S+ delete secret -l [^\s)]+/.exec(refused.stderr)?.[0]
    expect(handOver).toBe(`kubectl -n ${ns.name} delete secret -l owner=helm,name=${NAME}`)
    await ns.kubectl((handOver ?? '').split(' ').slice(1))

    step('upgrade after the hand-over')
    const upgraded = await ours(ns, ['upgrade', NAME, '--set', 'sync.toHost.ingresses.enabled=true', '--timeout', '5m'])
    expect(upgraded.exitCode, upgraded.stderr).toBe(0)
    const secret = await cluster.kubectlJson(['-n', ns.name, 'get', 'secret', `vc-config-${NAME}`])
    const config = parse(Buffer.from(secret.data['config.yaml'], 'base64').toString('utf8'))
    expect(config.controlPlane.proxy.extraSANs).toEqual(['theirs.example.com'])
    expect(config.sync.toHost.ingresses.enabled).toBe(true)
    const inside = await must(ns, ['connect', NAME, '--', 'kubectl', 'get', 'namespaces', '-o', 'name'])
    expect(inside.stdout).toContain('namespace/kube-system')

    step('delete')
    await must(ns, ['delete', NAME])
    await nothingLeft(ns.name, before)
  })
})
