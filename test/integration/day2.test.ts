import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {newNamespace, useHostCluster, vcluster, waitFor} from '../cluster/index.js'

/** The pod template's container images, and the claim's uid (to prove it is never recreated). */
async function snapshot(ns: string) {
  const cluster = useHostCluster()
  const sts = await cluster.kubectlJson(['-n', ns, 'get', 'statefulset', 'demo'])
  const pvc = await cluster.kubectlJson(['-n', ns, 'get', 'pvc', 'data-demo-0'])
  const images = [...sts.spec.template.spec.initContainers, ...sts.spec.template.spec.containers].map(
    (c: {image: string}) => c.image,
  )
  return {images, claimUid: pvc.metadata.uid as string, generation: sts.metadata.generation as number}
}

describe('upgrade, pause, resume, describe, completion', () => {
  it('upgrades safely, refuses unsafe changes with nothing applied, and pauses and resumes', async () => {
    const ns = await newNamespace('day2')
    const user = ['--kubeconfig', ns.userKubeconfig, '-n', ns.name]
    const created = await vcluster([
      'create',
      'demo',
      ...user,
      '--set',
      'controlPlane.distro.k8s.image.tag=v1.33.4',
      '--set',
      'controlPlane.statefulSet.labels.team=a',
    ])
    expect(created.exitCode, created.stderr).toBe(0)
    const before = await snapshot(ns.name)

    const dry = await vcluster([
      'upgrade',
      'demo',
      ...user,
      '--set',
      'controlPlane.distro.k8s.image.tag=v1.34.0',
      '--dry-run',
    ])
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stderr).toContain('update StatefulSet/demo')
    expect(dry.stderr).toMatch(/^\+\s+image: ghcr\.io\/loft-sh\/kubernetes:v1\.34\.0$/m)
    expect(dry.stderr).toMatch(/^-\s+image: ghcr\.io\/loft-sh\/kubernetes:v1\.33\.4$/m)
    expect(dry.stderr).toContain('Dry run: nothing was changed.')
    expect(await snapshot(ns.name)).toEqual(before)

    const up = await vcluster(['upgrade', 'demo', ...user, '--set', 'controlPlane.distro.k8s.image.tag=v1.34.0'])
    expect(up.exitCode, up.stderr).toBe(0)
    const after = await snapshot(ns.name)
    expect(after.images).toContain('ghcr.io/loft-sh/kubernetes:v1.34.0')
    expect(after.claimUid).toBe(before.claimUid)
    const cluster = useHostCluster()
    const sts = await cluster.kubectlJson(['-n', ns.name, 'get', 'statefulset', 'demo'])
    expect(sts.metadata.labels.team).toBe('a') // the stored value survived an upgrade that did not repeat it

    for (const [set, message] of [
      [
        'controlPlane.backingStore.etcd.external.enabled=true',
        'switching the backing store from embedded-database to external-etcd is not supported',
      ],
      ['controlPlane.distro.k8s.image.tag=v1.33.4', 'downgrades are not supported'],
      ['controlPlane.distro.k8s.image.tag=v1.36.0', 'skips a minor version'],
    ] as const) {
      const refused = await vcluster(['upgrade', 'demo', ...user, '--set', set, '--yes'])
      expect(refused.exitCode, refused.stderr).toBe(4)
      expect(refused.stderr).toContain('nothing was applied')
      expect(refused.stderr).toContain(message)
      expect((await snapshot(ns.name)).generation).toBe(after.generation)
    }

    const pdb = await vcluster([
      'upgrade',
      'demo',
      ...user,
      '--set',
      'controlPlane.advanced.podDisruptionBudget.enabled=true',
      '--yes',
    ])
    expect(pdb.exitCode, pdb.stderr).toBe(0)
    await cluster.kubectl(['-n', ns.name, 'get', 'pdb', 'demo'])
    const noPdb = await vcluster([
      'upgrade',
      'demo',
      ...user,
      '--set',
      'controlPlane.advanced.podDisruptionBudget.enabled=false',
      '--yes',
    ])
    expect(noPdb.exitCode, noPdb.stderr).toBe(0)
    expect((await cluster.kubectl(['-n', ns.name, 'get', 'pdb', 'demo'], {reject: false})).exitCode).not.toBe(0)

    const paused = await vcluster(['pause', 'demo', ...user])
    expect(paused.exitCode, paused.stderr).toBe(0)
    await waitFor(
      async () =>
        (await cluster.kubectl(['-n', ns.name, 'get', 'pods', '-l', 'release=demo', '-o', 'name'])).stdout.trim() === ''
          ? true
          : undefined,
      {timeoutMs: 60_000, what: 'pods gone'},
    )
    const listed = JSON.parse((await vcluster(['list', ...user, '-o', 'json'])).stdout)
    expect(listed[0].Status).toBe('Paused')

    const refusedConnect = await vcluster(['connect', 'demo', ...user, '--no-resume', '--', 'kubectl', 'get', 'ns'])
    expect(refusedConnect.exitCode).toBe(7)
    expect(refusedConnect.stderr).toContain('is paused')

    const resumed = await vcluster(['resume', 'demo', ...user])
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(JSON.parse((await vcluster(['list', ...user, '-o', 'json'])).stdout)[0].Status).toBe('Running')

    expect((await vcluster(['pause', 'demo', ...user])).exitCode).toBe(0)
    const connected = await vcluster(['connect', 'demo', ...user, '--', 'kubectl', 'get', 'namespaces'])
    expect(connected.exitCode, connected.stderr).toBe(0)
    expect(connected.stderr).toContain('resume (it was paused)')
    expect(connected.stdout).toContain('kube-system')
    expect(JSON.parse((await vcluster(['list', ...user, '-o', 'json'])).stdout)[0].Status).toBe('Running')
    expect((await snapshot(ns.name)).claimUid).toBe(before.claimUid)

    const text = await vcluster(['describe', 'demo', ...user])
    expect(text.exitCode, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^Name:\s+demo$/m)
    expect(text.stdout).toMatch(/^Kubernetes:\s+v1\.34\.0$/m)
    expect(text.stdout).toMatch(/^Backing store:\s+embedded-database$/m)
    const json = JSON.parse((await vcluster(['describe', 'demo', ...user, '-o', 'json'])).stdout)
    expect(json).toMatchObject({
      name: 'demo',
      namespace: ns.name,
      status: 'Running',
      vclusterVersion: '0.36.1',
      kind: 'StatefulSet',
    })
    const yaml = parse((await vcluster(['describe', 'demo', ...user, '-o', 'yaml'])).stdout)
    expect(yaml.exposure.serviceType).toBe('ClusterIP')
    const config = parse((await vcluster(['describe', 'demo', ...user, '--config-only'])).stdout)
    expect(config.controlPlane.statefulSet.labels).toEqual({team: 'a'})

    const names = await vcluster(['__complete', 'delete', '-n', ns.name, 'de'], {kubeconfig: ns.userKubeconfig})
    expect(names.stdout.split('\n')).toContain('demo')
  })
})
