import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {removeVClusterContexts, upsertContext} from '../../../src/lib/kubeconfig/edit.js'
import {emptyKubeconfig, readKubeconfigFile, updateKubeconfigFile} from '../../../src/lib/kubeconfig/file.js'
import {UsageError} from '../../../src/lib/errors.js'

const entry = (name: string) => ({name, server: 'https://127.0.0.1:10443', certificateAuthorityData: 'Q0E=', user: {'client-certificate-data': 'Qw==', 'client-key-data': 'Sw=='}})

describe('upsertContext / removeVClusterContexts', () => {
  it('adds cluster, user and context under one name, replacing an old one', () => {
    const doc = emptyKubeconfig()
    upsertContext(doc, entry('vcluster_demo_ns_host'))
    upsertContext(doc, {...entry('vcluster_demo_ns_host'), server: 'https://127.0.0.1:11000'})
    expect(doc.clusters).toEqual([{name: 'vcluster_demo_ns_host', cluster: {server: 'https://127.0.0.1:11000', 'certificate-authority-data': 'Q0E='}}])
    expect(doc.contexts).toEqual([{name: 'vcluster_demo_ns_host', context: {cluster: 'vcluster_demo_ns_host', user: 'vcluster_demo_ns_host'}}])
    expect(doc.users).toHaveLength(1)
  })

  it('removes only this vCluster, and switches back to the host context', () => {
    const doc = emptyKubeconfig()
    for (const n of ['vcluster_demo_ns_host', 'vcluster_demo_ns_host_vc.example.com', 'vcluster_demo_other_host', 'vcluster_demo2_ns_host']) upsertContext(doc, entry(n))
    doc['current-context'] = 'vcluster_demo_ns_host'
    expect(removeVClusterContexts(doc, 'demo', 'ns')).toEqual(['vcluster_demo_ns_host', 'vcluster_demo_ns_host_vc.example.com'])
    expect(doc.contexts?.map((c) => c.name)).toEqual(['vcluster_demo_other_host', 'vcluster_demo2_ns_host'])
    expect(doc.clusters?.map((c) => c.name)).toEqual(['vcluster_demo_other_host', 'vcluster_demo2_ns_host'])
    expect(doc['current-context']).toBe('host')
    expect(removeVClusterContexts(doc, 'demo', 'ns')).toEqual([])
  })
})

describe('updateKubeconfigFile', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'kc-'))

  it('creates a new file with mode 0600 and keeps an existing mode', async () => {
    const file = join(dir(), 'sub', 'config')
    await updateKubeconfigFile(file, (doc) => upsertContext(doc, entry('a')))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(parse(readFileSync(file, 'utf8')).contexts[0].name).toBe('a')
  })

  it('loses no write when 25 writers run at once', async () => {
    const file = join(dir(), 'config')
    await Promise.all(Array.from({length: 25}, (_, i) => updateKubeconfigFile(file, (doc) => upsertContext(doc, entry(`ctx-${i}`)))))
    const doc = await readKubeconfigFile(file)
    expect(doc.contexts?.map((c) => c.name).sort()).toEqual(Array.from({length: 25}, (_, i) => `ctx-${i}`).sort())
  })

  it('refuses to touch a file that is not a kubeconfig', async () => {
    const file = join(dir(), 'config')
    writeFileSync(file, 'a: [unclosed\n')
    await expect(updateKubeconfigFile(file, () => undefined)).rejects.toThrow(UsageError)
    expect(readFileSync(file, 'utf8')).toBe('a: [unclosed\n')
  })
})
