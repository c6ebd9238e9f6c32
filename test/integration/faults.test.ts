// API server faults (issue 8): the host cluster's kube-apiserver is killed (SIGKILL) and started again while
// create waits, while connect forwards and while delete runs. Each command must converge by itself, or fail
// with a clear message within its bounds; the forward must come back without being restarted.
import {existsSync, statSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {killApiServer, type Outage} from '../cluster/faults.js'
import {
  deferCleanup,
  newNamespace,
  sleep,
  startVcluster,
  useHostCluster,
  vcluster,
  waitFor,
  waitForStandIn,
} from '../cluster/index.js'
import {tempDir} from '../helpers/temp.js'

const report = (line: string) => process.stderr.write(`[faults] ${line}\n`)
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)

/** Kills the API server, keeps it down for downMs, starts it again; always restored, even when the test fails. */
async function outage(downMs: number, during?: (o: Outage) => Promise<void>): Promise<number> {
  const o = await killApiServer(useHostCluster())
  try {
    await sleep(downMs)
    await during?.(o)
  } finally {
    await o.restore()
  }
  const {downMs: total} = await o.restore()
  report(`API server down for ${total} ms`)
  return total
}

/** Everything labelled as the vCluster's in the namespace, as admin (one request per kind). */
async function leftovers(namespace: string, name: string): Promise<string[]> {
  const kinds =
    'statefulsets,deployments,services,serviceaccounts,roles,rolebindings,secrets,configmaps,persistentvolumeclaims,pods'
  const r = await useHostCluster().kubectl(['-n', namespace, 'get', kinds, '-l', `release=${name}`, '-o', 'name'])
  return r.stdout.split('\n').filter(Boolean)
}

/**
 * Leaves the cluster as the next test file expects it: a StatefulSet gets its pod scheduled and running, so the
 * controller-manager, the scheduler and kwok all watch again.
 */
afterAll(async () => {
  const cluster = useHostCluster()
  const name = `settle-${Date.now()}`
  await cluster.kubectl(['create', 'namespace', name])
  try {
    await cluster.kubectl(['-n', name, 'create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: {name},
        spec: {
          replicas: 1,
          serviceName: name,
          selector: {matchLabels: {settle: name}},
          template: {metadata: {labels: {settle: name}}, spec: {containers: [{name: 'c', image: 'none'}]}},
        },
      }),
    })
    const started = Date.now()
    await waitFor(
      async () => (await cluster.kubectlJson(['-n', name, 'get', 'statefulset', name])).status?.readyReplicas === 1,
      {timeoutMs: 240_000, intervalMs: 500, what: 'the host cluster to schedule and run pods again after the outages'},
    )
    report(`cluster working again ${Date.now() - started} ms after the last test`)
  } finally {
    await cluster.kubectl(['delete', 'namespace', name, '--wait=false'])
  }
})

describe('kube-apiserver killed and restarted', () => {
  // After an outage the cluster's own controllers take a while to notice changes again (client-go re-lists with
  // backoff), so these tests allow minutes where a healthy cluster takes seconds.
  it("during create's wait: create converges by itself (watches come back)", async () => {
    const ns = await newNamespace('fault-create')
    // A node label no node has: the pod stays Pending until the test labels a node, after the outage.
    const cluster = useHostCluster()
    const run = startVcluster([
      'create',
      'fx',
      '-n',
      ns.name,
      '--kubeconfig',
      ns.userKubeconfig,
      '--timeout',
      '3m',
      '--set',
      `controlPlane.statefulSet.scheduling.nodeSelector.fault-test=${ns.name}`,
    ])
    // Once the claim is bound, create is only waiting for the pod: the outage hits the wait, not the rig's own
    // volume provisioning (which, cut off mid-way, can leave the cluster's scheduler stuck for minutes).
    await waitFor(() => /volume \S+ bound/.test(run.stderr()), {
      timeoutMs: 60_000,
      what: `create to wait for its pod:\n${run.stderr()}`,
    })
    const downMs = await outage(2000)
    await cluster.kubectl(['label', 'node', 'node-000000', `fault-test=${ns.name}`])
    deferCleanup(() => cluster.kubectl(['label', 'node', 'node-000000', 'fault-test-']))
    const code = await run.exited
    expect(code, run.stderr()).toBe(0)
    expect(run.stderr()).toContain("lost the host cluster's API")
    expect(run.stderr()).toMatch(/vCluster fx created in namespace .* and ready/)
    noStackTrace(run.stderr())
    report(`create waited through a ${downMs} ms outage and finished`)
  })

  it('during a connect forward: the forward comes back by itself once the API server returns', async () => {
    const ns = await newNamespace('fault-connect')
    const created = await vcluster(['create', 'fc', '-n', ns.name, '--kubeconfig', ns.userKubeconfig], {
      timeoutMs: 200_000,
    })
    expect(created.exitCode, created.stderr).toBe(0)
    await waitForStandIn(ns.name, 'fc')
    const flags = tempDir('fault-connect-')
    const [first, resume, back] = ['first', 'resume', 'back'].map((f) => join(flags, f)) as [string, string, string]
    // One kubectl before the outage, then (once told) kubectl until one answers, at most 60 s.
    const script =
      `kubectl get ns >/dev/null && touch ${first} && while [ ! -e ${resume} ]; do sleep 0.1; done; ` +
      `for i in $(seq 1 600); do if kubectl get ns >/dev/null 2>&1; then touch ${back}; echo tries=$i; exit 0; fi; sleep 0.1; done; exit 1`
    const run = startVcluster([
      'connect',
      'fc',
      '-n',
      ns.name,
      '--kubeconfig',
      ns.userKubeconfig,
      '--',
      'sh',
      '-c',
      script,
    ])
    await waitFor(() => existsSync(first), {timeoutMs: 90_000, what: `kubectl through the forward:\n${run.stderr()}`})
    await outage(2000)
    const restoredAt = Date.now()
    writeFileSync(resume, '')
    const code = await run.exited
    expect(code, run.stderr()).toBe(0)
    const tries = Number(/tries=(\d+)/.exec(run.stdout())?.[1])
    const afterMs = statSync(back).mtimeMs - restoredAt
    report(`forward answered ${Math.round(afterMs)} ms after the API server was ready again (kubectl attempt ${tries})`)
    // The forward waits and replays a connection made while it reconnects: the first kubectl after the return works.
    expect(tries).toBe(1)
    noStackTrace(run.stderr())
  })

  it('during delete: delete finishes (retrying with backoff) and nothing is left', async () => {
    const ns = await newNamespace('fault-delete')
    // Not waiting for ready: delete needs the objects, not a running pod (the rig may still be slow to schedule
    // after the previous test's outage).
    const created = await vcluster(['create', 'fd', '-n', ns.name, '--kubeconfig', ns.userKubeconfig, '--no-wait'], {
      timeoutMs: 200_000,
    })
    expect(created.exitCode, created.stderr).toBe(0)
    // A finalizer of the test's own holds the Service, so delete is still waiting for it to go when the API server
    // dies: a fast delete must not finish before the outage it is meant to ride out.
    const cluster = useHostCluster()
    const hold = ['-n', ns.name, 'patch', 'service', 'fd', '--type=merge']
    expect(
      (await cluster.kubectl([...hold, '-p', '{"metadata":{"finalizers":["vcluster-ts.test/hold"]}}'])).exitCode,
    ).toBe(0)
    const run = startVcluster(['delete', 'fd', '-n', ns.name, '--kubeconfig', ns.userKubeconfig])
    const deleting = async () =>
      (await cluster.kubectl(['-n', ns.name, 'get', 'service', 'fd', '-o', 'jsonpath={.metadata.deletionTimestamp}']))
        .stdout !== ''
    await waitFor(async () => (await deleting()) || run.child.exitCode !== null, {
      intervalMs: 20,
      timeoutMs: 60_000,
      what: 'delete to start',
    })
    expect(run.child.exitCode, run.stderr()).toBeNull()
    const downMs = await outage(2000)
    expect((await cluster.kubectl([...hold, '-p', '{"metadata":{"finalizers":null}}'])).exitCode).toBe(0)
    const code = await run.exited
    noStackTrace(run.stderr())
    if (code !== 0) {
      // Allowed by the issue only with a clear message and a re-run that converges.
      expect(code, run.stderr()).toBe(7)
      expect(run.stderr()).toContain('cannot reach the host cluster')
      const again = await vcluster(['delete', 'fd', '-n', ns.name, '--kubeconfig', ns.userKubeconfig])
      expect(again.exitCode, again.stderr).toBe(0)
    }
    report(`delete through a ${downMs} ms outage: exit ${code}`)
    expect(await leftovers(ns.name, 'fd')).toEqual([])
  })

  it('when it stays down: a command fails within its retry budget with a clear message', async () => {
    const ns = await newNamespace('fault-down')
    await outage(0, async () => {
      const started = Date.now()
      const r = await vcluster(['list', '-n', ns.name, '--kubeconfig', ns.userKubeconfig])
      const tookMs = Date.now() - started
      report(`list with the API server down: exit ${r.exitCode} after ${tookMs} ms`)
      expect(r.exitCode).toBe(7)
      expect(r.stderr).toMatch(
        /^error: cannot reach the host cluster at https:\/\/127\.0\.0\.1:\d+: connection refused$/m,
      )
      expect(r.stderr).toContain('Check that the cluster is running')
      noStackTrace(r.stderr)
      expect(tookMs).toBeLessThan(40_000)
    })
  })
})
