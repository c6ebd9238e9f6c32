// The peer rig (test/upstream/peer.ts): upstream's CLI, built from the pinned release, runs in a network namespace
// with nothing but `lo`, bridged to the host API server only. What the interoperability tests and the benchmark
// rely on is checked here: the versions, the isolation, the bridge, and that nothing outlives a run.
import {readFileSync, readdirSync, readlinkSync} from 'node:fs'
import {createServer, type Socket} from 'node:net'
import {beforeAll, describe, expect, it} from 'vitest'
import {freePort, newNamespace, useHostCluster} from '../cluster/index.js'
import {runPeer, runUpstream, startPeer, upstreamCliDir} from '../upstream/peer.js'

const cluster = useHostCluster()

/** Host pids of `sleep 313` (the test's marker process). */
function sleepers(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\x00313\x00'
      } catch {
        return false // ended meanwhile
      }
    })
    .map(Number)
}

// First run on a machine builds upstream's CLI and helm (build-cli.sh; minutes on 2 cores), then it is a cache check.
beforeAll(() => upstreamCliDir(), 1_800_000)

describe('upstream CLI peer', () => {
  it('is upstream vcluster 0.36.1 with helm v3.21.4', async () => {
    const version = await runUpstream(['--version'])
    expect(version.exitCode, version.stderr).toBe(0)
    expect(version.stdout.trim()).toBe('vcluster version 0.36.1')
    const helm = await runPeer('helm', ['version', '--template', '{{.Version}}'])
    expect(helm.exitCode, helm.stderr).toBe(0)
    expect(helm.stdout).toBe('v3.21.4')
  })

  it('runs in its own network namespace with only lo; telemetry off and no version check', async () => {
    const links = await runPeer('ip', ['-o', 'link', 'show'])
    expect(links.exitCode, links.stderr).toBe(0)
    expect(
      links.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':')[1]?.trim()),
    ).toEqual(['lo'])
    const ns = await runPeer('readlink', ['/proc/self/ns/net'])
    expect(ns.stdout.trim()).toMatch(/^net:\[\d+\]$/)
    expect(ns.stdout.trim()).not.toBe(readlinkSync('/proc/self/ns/net'))
    const env = await runPeer('sh', ['-c', 'cat "$HOME/.vcluster/config.json"; echo "$VCLUSTER_SKIP_VERSION_CHECK"'])
    expect(env.stdout).toBe('{"telemetryDisabled":true}\ntrue\n')
  })

  it('reaches the host API server through the bridge, and no other host port', async () => {
    const ns = await newNamespace('peer')
    const pods = await runPeer('kubectl', ['get', 'serviceaccounts', '-o', 'name'], {
      kubeconfig: ns.userKubeconfig,
      binDir: cluster.binDir,
    })
    expect(pods.exitCode, pods.stderr).toBe(0)
    expect(pods.stdout).toContain('serviceaccount/default')

    // A listener on the host's loopback that the peer is not bridged to: nothing arrives. Bridged, the probe reads
    // the listener's greeting: proof that the connection reached it, not only the namespace's end of the bridge
    // (which accepts before the host side dials, so counting connections at the probe's exit was a race).
    const port = await freePort()
    const seen: Socket[] = []
    const server = createServer((s) => seen.push(s.end('hello')))
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    const probe = `exec 3<>/dev/tcp/127.0.0.1/${port} && head -c 5 <&3`
    try {
      const refused = await runPeer('bash', ['-c', probe])
      expect(refused.exitCode).not.toBe(0)
      expect(refused.stderr).toContain('Connection refused')
      expect(seen.length).toBe(0)
      const bridged = await runPeer('bash', ['-c', probe], {ports: [port]})
      expect(bridged.exitCode, bridged.stderr).toBe(0)
      expect(bridged.stdout).toBe('hello')
      expect(seen.length).toBe(1)
    } finally {
      server.close()
    }
  })

  it("reports the command's exit code and stats; stop() ends the whole namespace", async () => {
    const failed = await runPeer('sh', ['-c', 'exit 7'])
    expect(failed.exitCode).toBe(7)
    expect(failed.stats?.maxRssKiB).toBeGreaterThan(0)

    // A grandchild that would outlive its parent: it goes with the namespace.
    const running = await startPeer('sh', ['-c', 'sleep 313 & wait'])
    await expect.poll(() => sleepers().length, {timeout: 10_000}).toBe(1)
    const stopped = await running.stop(2000)
    expect(stopped.exitCode).toBe(128 + 15)
    await expect.poll(() => sleepers().length, {timeout: 10_000}).toBe(0)
  })
})
