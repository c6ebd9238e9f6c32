import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {UsageError} from '../../../src/lib/errors.js'
import {KubeconfigText} from '../../../src/lib/kubeconfig/text.js'
import {FOREIGN} from './fixtures/foreign.js'

const cluster = (name: string, server = 'https://127.0.0.1:10443') => ({
  name,
  cluster: {server, 'certificate-authority-data': 'Q0E='},
})
const user = (name: string) => ({name, user: {token: 't'}})
const context = (name: string) => ({name, context: {cluster: name, user: name}})

function addAll(t: KubeconfigText, name: string): void {
  t.upsert('clusters', cluster(name))
  t.upsert('users', user(name))
  t.upsert('contexts', context(name))
}

describe('KubeconfigText', () => {
  it('adds entries without changing one byte of the rest, and removing them gives the file back exactly', () => {
    const t = new KubeconfigText(FOREIGN, 'config')
    addAll(t, 'vc')
    t.setCurrentContext('vc')
    expect(parse(t.text)).toMatchObject({
      'current-context': 'vc',
      clusters: [{name: 'office'}, {name: 'lab'}, cluster('vc')],
      contexts: [{name: 'office'}, context('vc')],
    })
    for (const line of FOREIGN.split('\n').filter((l) => !l.startsWith('current-context')))
      expect(t.text).toContain(line)
    expect(t.text).toContain('current-context: vc   # keep me\n')
    for (const list of ['clusters', 'users', 'contexts'] as const) t.remove(list, 'vc')
    t.setCurrentContext('office')
    expect(t.text).toBe(FOREIGN)
  })

  it("writes new entries in kubectl's style, at the list's own indentation", () => {
    const indented = 'apiVersion: v1\nclusters:\n  - name: a\n    cluster: {server: x}\ncontexts: []\nusers: []\n'
    const t = new KubeconfigText(indented, 'config')
    t.upsert('clusters', cluster('b'))
    expect(t.text).toBe(
      `apiVersion: v1\nclusters:\n  - name: a\n    cluster: {server: x}\n  - cluster:\n      certificate-authority-data: Q0E=\n      server: https://127.0.0.1:10443\n    name: b\ncontexts: []\nusers: []\n`,
    )
  })

  it('replaces an entry it owns in place, keeping its neighbours', () => {
    const t = new KubeconfigText(FOREIGN, 'config')
    addAll(t, 'vc')
    t.upsert('users', user('z'))
    t.upsert('clusters', cluster('vc', 'https://127.0.0.1:2'))
    const doc = parse(t.text)
    expect(doc.clusters.map((c: {name: string}) => c.name)).toEqual(['office', 'lab', 'vc'])
    expect(doc.clusters[2].cluster.server).toBe('https://127.0.0.1:2')
    expect(doc.users.map((u: {name: string}) => u.name)).toEqual(['me', 'vc', 'z'])
  })

  it('fills null and empty lists, keeping a comment on that line, and adds missing keys', () => {
    const t = new KubeconfigText('apiVersion: v1\nclusters: null   # none yet\ncontexts: []\nkind: Config\n', 'config')
    addAll(t, 'vc')
    t.setCurrentContext('vc')
    expect(t.text.startsWith('apiVersion: v1\nclusters:   # none yet\n- cluster:\n')).toBe(true)
    expect(parse(t.text)).toMatchObject({
      clusters: [cluster('vc')],
      contexts: [context('vc')],
      users: [user('vc')],
      'current-context': 'vc',
      kind: 'Config',
    })
  })

  it("starts an empty or comments-only file from kubectl's skeleton, keeping the comments", () => {
    const empty = new KubeconfigText('', 'config')
    addAll(empty, 'vc')
    expect(parse(empty.text)).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      'current-context': '',
      clusters: [cluster('vc')],
      users: [user('vc')],
      contexts: [context('vc')],
    })
    const comments = new KubeconfigText('# managed by hand\n', 'config')
    comments.setCurrentContext('x')
    expect(comments.text.startsWith('# managed by hand\napiVersion: v1\n')).toBe(true)
  })

  it('handles a file without a final newline', () => {
    const t = new KubeconfigText('clusters:\n- name: a\n  cluster: {server: x}', 'config')
    t.upsert('clusters', cluster('b'))
    expect(parse(t.text).clusters.map((c: {name: string}) => c.name)).toEqual(['a', 'b'])
  })

  it('edits a JSON kubeconfig through the document (no text splicing possible)', () => {
    const t = new KubeconfigText(
      JSON.stringify({apiVersion: 'v1', clusters: [cluster('a')], contexts: [], users: []}),
      'config',
    )
    addAll(t, 'vc')
    t.setCurrentContext('vc')
    expect(parse(t.text)).toMatchObject({clusters: [cluster('a'), cluster('vc')], 'current-context': 'vc'})
  })

  it('reads names, entries and the current context; removes every entry of a name', () => {
    const t = new KubeconfigText(
      'contexts:\n- name: a\n  context: {cluster: c}\n- name: b\n- name: a\n  context: {}\ncurrent-context: b\n',
      'config',
    )
    expect(t.names('contexts')).toEqual(['a', 'b', 'a'])
    expect(t.entry('contexts', 'a')).toEqual({name: 'a', context: {cluster: 'c'}})
    expect(t.currentContext()).toBe('b')
    expect(t.remove('contexts', 'a')).toBe(true)
    expect(t.text).toBe('contexts:\n- name: b\ncurrent-context: b\n')
    expect(t.remove('contexts', 'zz')).toBe(false)
  })

  it('refuses text that is not a kubeconfig', () => {
    expect(() => new KubeconfigText('a: [unclosed\n', 'config')).toThrow(UsageError)
    expect(() => new KubeconfigText('- just\n- a list\n', 'config')).toThrow(/not a mapping/)
  })
})
