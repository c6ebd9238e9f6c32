// Interrupts (issue 8): SIGINT/SIGTERM during create, upgrade, delete and connect. Exit code 130 (a command run
// by connect reports its own), a message saying how to finish, no half-written kubeconfig, the previous context
// restored after connect, and a re-run that converges.
import {existsSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {
  deferCleanup,
  newNamespace,
  startVcluster,
  useHostCluster,
  vcluster,
  waitFor,
  waitForStandIn,
  type RunningCli,
} from '../cluster/index.js'
import {tempDir} from '../helpers/temp.js'

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)

async function interrupt(run: RunningCli, signal: NodeJS.Signals, when: RegExp): Promise<number> {
  await waitFor(() => when.test(run.stderr()) || run.child.exitCode !== null, {
    timeoutMs: 90_000,
    intervalMs: 20,
    what: `${when} in:\n${run.stderr()}`,
  })
  expect(run.child.exitCode, run.stderr()).toBeNull()
  run.child.kill(signal)
  return run.exited
}

/** Labels a node so a pod with `nodeSelector fault-test=<value>` can be scheduled; removed after the test. */
async function allowScheduling(value: string): Promise<void> {
  const cluster = useHostCluster()
  await cluster.kubectl(['label', 'node', 'node-000001', `fault-test=${value}`, '--overwrite'])
  deferCleanup(() => cluster.kubectl(['label', 'node', 'node-000001', 'fault-test-']))
}

/** A copy of the user's kubeconfig with a comment and a foreign context, to check byte for byte afterwards. */
function kubeconfigWithForeignContent(userKubeconfig: string): string {
  const dir = tempDir('intr-kc-')
  const file = join(dir, 'config')
  writeFileSync(file, `# my kubeconfig, keep this comment\n${readFileSync(userKubeconfig, 'utf8')}`, {mode: 0o600})
  return file
}

/** A ready vCluster (its stand-in answering) and a kubeconfig copy with foreign content, as read before the test. */
async function servingVCluster(prefix: string, name: string) {
  const ns = await newNamespace(prefix)
  const created = await vcluster(['create', name, '-n', ns.name, '--kubeconfig', ns.userKubeconfig])
  expect(created.exitCode, created.stderr).toBe(0)
  await waitForStandIn(ns.name, name)
  const file = kubeconfigWithForeignContent(ns.userKubeconfig)
  return {ns, file, before: readFileSync(file, 'utf8')}
}

describe('interrupted commands', () => {
  it('create, SIGTERM while waiting: exit 130, says how to finish or remove it; the re-run converges', async () => {
    const ns = await newNamespace('intr-create')
    const args = [
      'create',
      'ic',
      '-n',
      ns.name,
      '--kubeconfig',
      ns.userKubeconfig,
      '--set',
      `controlPlane.statefulSet.scheduling.nodeSelector.fault-test=${ns.name}`,
    ]
    const run = startVcluster(args)
    expect(await interrupt(run, 'SIGTERM', /applied \d+ objects/)).toBe(130)
    expect(run.stderr()).toContain('interrupted: vcluster create stopped by SIGTERM before it finished.')
    expect(run.stderr()).toContain(`To finish, run the same command again (it converges):  vcluster ${args.join(' ')}`)
    expect(run.stderr()).toContain('To remove what it made:  vcluster delete ic')
    noStackTrace(run.stderr())
    await allowScheduling(ns.name)
    const again = await vcluster(args)
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/vCluster ic (created|is up to date) in namespace .* and ready/)
  })

  it('upgrade, SIGINT during the rollout: exit 130; the re-run waits for the rollout and converges', async () => {
    const ns = await newNamespace('intr-upgrade')
    const created = await vcluster(['create', 'iu', '-n', ns.name, '--kubeconfig', ns.userKubeconfig])
    expect(created.exitCode, created.stderr).toBe(0)
    const args = [
      'upgrade',
      'iu',
      '-n',
      ns.name,
      '--kubeconfig',
      ns.userKubeconfig,
      '--set',
      `controlPlane.statefulSet.scheduling.nodeSelector.fault-test=${ns.name}`,
    ]
    const run = startVcluster(args)
    expect(await interrupt(run, 'SIGINT', /waiting for the rollout/)).toBe(130)
    expect(run.stderr()).toContain('interrupted: vcluster upgrade stopped by SIGINT before it finished.')
    expect(run.stderr()).toContain(`run the same command again (it converges):  vcluster ${args.join(' ')}`)
    noStackTrace(run.stderr())
    await allowScheduling(ns.name)
    const again = await vcluster(args)
    expect(again.exitCode, again.stderr).toBe(0)
    const sts = await useHostCluster().kubectlJson(['-n', ns.name, 'get', 'statefulset', 'iu'])
    expect(sts.spec.template.spec.nodeSelector).toEqual({'fault-test': ns.name})
    expect(sts.status.readyReplicas).toBe(1)
    expect(sts.status.updateRevision).toBe(sts.status.currentRevision)
  })

  it('delete, SIGINT mid-way: exit 130; the re-run finds what is left and removes it', async () => {
    const ns = await newNamespace('intr-delete')
    const cluster = useHostCluster()
    const created = await vcluster(['create', 'id', '-n', ns.name, '--kubeconfig', ns.userKubeconfig])
    expect(created.exitCode, created.stderr).toBe(0)
    const args = ['delete', 'id', '-n', ns.name, '--kubeconfig', ns.userKubeconfig]
    const run = startVcluster(args)
    // As soon as the workload is gone: the rest (Secrets, claims) is still there.
    await waitFor(
      async () => (await cluster.kubectl(['-n', ns.name, 'get', 'statefulset', 'id'], {reject: false})).exitCode !== 0,
      {intervalMs: 10, timeoutMs: 60_000, what: 'the StatefulSet to go'},
    )
    const code = await (run.child.exitCode === null ? (run.child.kill('SIGINT'), run.exited) : run.exited)
    noStackTrace(run.stderr())
    if (code === 130) {
      expect(run.stderr()).toContain(
        `Some objects may be left. To finish, run the same command again:  vcluster ${args.join(' ')}`,
      )
    } else {
      // The delete was quicker than the signal; the re-run below still has to be clean.
      expect(code, run.stderr()).toBe(0)
    }
    const again = await vcluster([...args, '--ignore-not-found'])
    expect(again.exitCode, again.stderr).toBe(0)
    const left = await cluster.kubectl([
      '-n',
      ns.name,
      'get',
      'statefulsets,services,secrets,persistentvolumeclaims,pods,roles,rolebindings,serviceaccounts',
      '-l',
      'app=vcluster,release=id',
      '-o',
      'name',
    ])
    expect(left.stdout.trim()).toBe('')
    expect(
      (await cluster.kubectl(['-n', ns.name, 'get', 'secret', 'vc-config-id'], {reject: false})).exitCode,
    ).not.toBe(0)
  })

  describe('connect', () => {
    it('SIGINT while waiting for the vCluster: exit 130, kubeconfig untouched', async () => {
      const ns = await newNamespace('intr-connect')
      const created = await vcluster([
        'create',
        'iw',
        '-n',
        ns.name,
        '--kubeconfig',
        ns.userKubeconfig,
        '--no-wait',
        '--set',
        `controlPlane.statefulSet.scheduling.nodeSelector.fault-test=${ns.name}`,
      ])
      expect(created.exitCode, created.stderr).toBe(0)
      const file = kubeconfigWithForeignContent(ns.userKubeconfig)
      const before = readFileSync(file, 'utf8')
      const run = startVcluster(['connect', 'iw', '-n', ns.name, '--kubeconfig', file])
      expect(await interrupt(run, 'SIGINT', /waiting/)).toBe(130)
      expect(run.stderr()).toContain('interrupted: vcluster connect stopped by SIGINT before it finished.')
      expect(run.stderr()).toContain('Your kubeconfig was not changed.')
      expect(readFileSync(file, 'utf8')).toBe(before)
      expect(readdirSync(join(file, '..'))).toEqual(['config'])
    })

    it('SIGTERM while forwarding: the previous context is restored, foreign content byte for byte, exit 0', async () => {
      const {ns, file, before} = await servingVCluster('intr-fwd', 'if')
      const previous = parse(before)['current-context']
      const run = startVcluster(['connect', 'if', '-n', ns.name, '--kubeconfig', file])
      await waitFor(() => run.stderr().includes('forwarding until you press Ctrl-C'), {
        timeoutMs: 90_000,
        what: `connect to forward:\n${run.stderr()}`,
      })
      expect(parse(readFileSync(file, 'utf8'))['current-context']).not.toBe(previous)
      run.child.kill('SIGTERM')
      expect(await run.exited, run.stderr()).toBe(0)
      const after = readFileSync(file, 'utf8')
      expect(parse(after)['current-context']).toBe(previous)
      // Our context stays (delete removes it); every line the user had is still there.
      for (const line of before.split('\n')) expect(after).toContain(line)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(readdirSync(join(file, '..'))).toEqual(['config'])
    })

    it('SIGTERM to `connect -- cmd`: the command gets it, its exit code is ours, nothing is left behind', async () => {
      const {ns, file, before} = await servingVCluster('intr-cmd', 'ix')
      const marker = join(tempDir('intr-cmd-'), 'kubeconfig-path')
      const script = `echo "$KUBECONFIG" > ${marker}; trap 'echo got-term; exit 143' TERM; while :; do sleep 0.1; done`
      const run = startVcluster(['connect', 'ix', '-n', ns.name, '--kubeconfig', file, '--', 'sh', '-c', script])
      await waitFor(() => existsSync(marker) && readFileSync(marker, 'utf8').trim() !== '', {
        timeoutMs: 90_000,
        what: `the command to start:\n${run.stderr()}`,
      })
      const privateKubeconfig = readFileSync(marker, 'utf8').trim()
      expect(existsSync(privateKubeconfig)).toBe(true)
      run.child.kill('SIGTERM')
      expect(await run.exited, run.stderr()).toBe(143)
      expect(run.stdout()).toContain('got-term')
      expect(existsSync(privateKubeconfig)).toBe(false)
      expect(readFileSync(file, 'utf8')).toBe(before)
      noStackTrace(run.stderr())
    })
  })
})
