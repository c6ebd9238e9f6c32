import {readFileSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {NotFoundError, UsageError} from '../../../src/lib/errors.js'
import {
  disconnectContext,
  readConnectInfo,
  removeVClusterContexts,
  restoreContext,
  standaloneKubeconfig,
  writeVClusterContexts,
  type VClusterContext,
} from '../../../src/lib/kubeconfig/contexts.js'
import {FOREIGN} from './fixtures/foreign.js'
import {tempDir} from '../../helpers/temp.js'

const vc = (contextName: string, extra: Partial<VClusterContext['info']> = {}): VClusterContext => ({
  contextName,
  server: 'https://127.0.0.1:10443',
  certificateAuthorityData: 'Q0E=',
  user: {'client-certificate-data': 'Qw==', 'client-key-data': 'Sw=='},
  info: {name: 'demo', namespace: 'ns', hostContext: 'office', ...extra},
})

function kubeconfigFile(text = FOREIGN): string {
  const file = join(tempDir('kc-ctx-'), 'config')
  writeFileSync(file, text)
  return file
}

const read = (file: string) => parse(readFileSync(file, 'utf8'))
const MAIN = 'vcluster_demo_ns_office'

describe('writeVClusterContexts', () => {
  it('writes cluster, user and context under one name, switches, and remembers the previous context', async () => {
    const file = kubeconfigFile()
    expect(
      await writeVClusterContexts(
        [file],
        [vc(MAIN), {...vc(`${MAIN}_vc.example.com`), server: 'https://vc.example.com'}],
        true,
      ),
    ).toEqual({previousContext: 'office'})
    const doc = read(file)
    expect(doc['current-context']).toBe(MAIN)
    expect(doc.clusters.find((c: {name: string}) => c.name === MAIN).cluster).toEqual({
      server: 'https://127.0.0.1:10443',
      'certificate-authority-data': 'Q0E=',
    })
    expect(doc.clusters.find((c: {name: string}) => c.name === `${MAIN}_vc.example.com`).cluster.server).toBe(
      'https://vc.example.com',
    )
    const main = doc.contexts.find((c: {name: string}) => c.name === MAIN)
    expect(main.context).toMatchObject({cluster: MAIN, user: MAIN})
    expect(readConnectInfo(main)).toEqual({
      name: 'demo',
      namespace: 'ns',
      hostContext: 'office',
      previousContext: 'office',
    })
    expect(
      readConnectInfo(doc.contexts.find((c: {name: string}) => c.name === `${MAIN}_vc.example.com`))?.previousContext,
    ).toBeUndefined()
  })

  it('quotes names a YAML 1.1 reader (kubectl, client-go) would not read as strings: vCluster yes in namespace 0123', async () => {
    const file = kubeconfigFile()
    const name = 'vcluster_yes_0123_office'
    await writeVClusterContexts([file], [vc(name, {name: 'yes', namespace: '0123', hostContext: 'on'})], true)
    const text = readFileSync(file, 'utf8')
    const info = (parse(text, {version: '1.1'}) as {contexts: {name: string}[]}).contexts.find((c) => c.name === name)
    expect(readConnectInfo(info), text).toEqual({
      name: 'yes',
      namespace: '0123',
      hostContext: 'on',
      previousContext: 'office',
    })
  })

  it('keeps the remembered context when connecting again while connected, and writes insecure without the CA', async () => {
    const file = kubeconfigFile()
    await writeVClusterContexts([file], [vc(MAIN)], true)
    await writeVClusterContexts([file], [{...vc(MAIN), insecure: true}], true)
    const doc = read(file)
    expect(readConnectInfo(doc.contexts.find((c: {name: string}) => c.name === MAIN))?.previousContext).toBe('office')
    expect(doc.clusters.find((c: {name: string}) => c.name === MAIN).cluster).toEqual({
      server: 'https://127.0.0.1:10443',
      'insecure-skip-tls-verify': true,
    })
    expect(doc.contexts.filter((c: {name: string}) => c.name === MAIN)).toHaveLength(1)
  })

  it('with switchTo=false writes without switching', async () => {
    const file = kubeconfigFile()
    await writeVClusterContexts([file], [vc(MAIN)], false)
    expect(read(file)['current-context']).toBe('office')
  })
})

describe('restoreContext and disconnectContext', () => {
  it('restores only while the vCluster context is still current and still points at this forward', async () => {
    const file = kubeconfigFile()
    await writeVClusterContexts([file], [vc(MAIN)], true)
    expect(await restoreContext([file], MAIN, 'office', 'https://127.0.0.1:1')).toBe(false)
    expect(await restoreContext([file], MAIN, 'office', 'https://127.0.0.1:10443')).toBe(true)
    expect(read(file)['current-context']).toBe('office')
    expect(await restoreContext([file], MAIN, 'lab', 'https://127.0.0.1:10443')).toBe(false)
    expect(read(file)['current-context']).toBe('office')
  })

  it('switches back to the remembered context, which may differ from the host context', async () => {
    const file = kubeconfigFile(
      FOREIGN.replace('contexts:\n', 'contexts:\n- name: lab\n  context: {cluster: lab, user: me}\n').replace(
        'current-context: office',
        'current-context: lab',
      ),
    )
    await writeVClusterContexts([file], [vc(MAIN)], true)
    expect(await disconnectContext([file])).toEqual({from: MAIN, to: 'lab'})
    expect(read(file)['current-context']).toBe('lab')
  })

  it("falls back to the host context named in an upstream-style context's name", async () => {
    const file = kubeconfigFile(
      FOREIGN.replace(
        'contexts:\n',
        'contexts:\n- name: vcluster_a_b_office\n  context: {cluster: office, user: me}\n',
      ).replace('current-context: office', 'current-context: vcluster_a_b_office'),
    )
    expect(await disconnectContext([file])).toEqual({from: 'vcluster_a_b_office', to: 'office'})
  })

  it('errors clearly on a context that is not a vCluster one, or when the way back is gone', async () => {
    const file = kubeconfigFile()
    await expect(disconnectContext([file])).rejects.toThrow(UsageError)
    await expect(disconnectContext([file])).rejects.toThrow('the current context "office" is not a vCluster context')
    await writeVClusterContexts([file], [vc(MAIN, {hostContext: 'gone'})], true)
    writeFileSync(file, readFileSync(file, 'utf8').replace('previous-context: office', 'previous-context: gone-too'))
    await expect(disconnectContext([file])).rejects.toThrow(NotFoundError)
  })
})

describe('removeVClusterContexts', () => {
  it("removes this vCluster's contexts reached through this host, keeps entries still used, switches to the host", async () => {
    const file = kubeconfigFile()
    await writeVClusterContexts([file], [vc(MAIN), vc(`${MAIN}_vc.example.com`)], true)
    await writeVClusterContexts([file], [vc('vcluster_demo_ns_other', {hostContext: 'other'})], false)
    await writeVClusterContexts([file], [vc('custom-name')], false)
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '-   context: {cluster: office, user: me}',
        `-   context: {cluster: ${MAIN}, user: me}`,
      ),
    )
    const removed = await removeVClusterContexts([file], {name: 'demo', namespace: 'ns', hostContext: 'office'})
    expect(removed.sort()).toEqual([MAIN, `${MAIN}_vc.example.com`, 'custom-name'].sort())
    const doc = read(file)
    expect(doc.contexts.map((c: {name: string}) => c.name)).toEqual(['office', 'vcluster_demo_ns_other'])
    // The cluster entry MAIN is still used by the user's own context "office", so it stays.
    expect(doc.clusters.map((c: {name: string}) => c.name)).toEqual(['office', 'lab', MAIN, 'vcluster_demo_ns_other'])
    expect(doc['current-context']).toBe('office')
    expect(await removeVClusterContexts([file], {name: 'demo', namespace: 'ns', hostContext: 'office'})).toEqual([])
  })
})

describe('standaloneKubeconfig', () => {
  it('holds exactly the one context, current', () => {
    const kc = standaloneKubeconfig(vc(MAIN))
    expect(kc).toMatchObject({apiVersion: 'v1', kind: 'Config', 'current-context': MAIN})
    expect((kc.contexts as unknown[]).length).toBe(1)
  })
})
