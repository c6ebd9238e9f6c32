import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  diffObjects,
  diffTemplates,
  neutralVersion,
  objectsByKey,
  renderDefaults,
} from '../../../scripts/upstream/chart-diff.js'
import {tempDir} from '../../helpers/temp.js'

function chart(files: Record<string, string>): string {
  const dir = tempDir('chart-diff-')
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), text)
  }
  return dir
}

describe('diffTemplates', () => {
  it('lists added, removed and changed templates with their line counts, and ignores values files', () => {
    const base = chart({
      'Chart.yaml': 'name: v',
      'values.yaml': 'a: 1',
      'templates/role.yaml': 'a\nb\nc',
      'templates/old.yaml': 'x',
    })
    const next = chart({
      'Chart.yaml': 'name: v',
      'values.yaml': 'a: 2',
      'templates/role.yaml': 'a\nB\nc\nd',
      'templates/_new.tpl': 'y',
    })
    expect(diffTemplates(base, next)).toEqual([
      {file: 'templates/_new.tpl', kind: 'added'},
      {file: 'templates/old.yaml', kind: 'removed'},
      {file: 'templates/role.yaml', kind: 'changed', linesAdded: 2, linesRemoved: 1},
    ])
    expect(diffTemplates(base, base)).toEqual([])
  })
})

const config = (yaml: string) => Buffer.from(yaml).toString('base64')
const rendered = (replicas: number, configYaml: string, extra = '') =>
  [
    '---',
    'apiVersion: apps/v1',
    'kind: StatefulSet',
    'metadata: {name: vc, namespace: ns, labels: {chart: vcluster-0.36.1}}',
    `spec: {replicas: ${replicas}, template: {spec: {containers: [{name: syncer, image: "ghcr.io/loft-sh/vcluster-pro:0.36.1"}]}}}`,
    '---',
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: vc-config-vc, namespace: ns}',
    `data: {config.yaml: ${config(configYaml)}}`,
    extra,
  ].join('\n')

describe('rendered objects', () => {
  it('keys objects by kind, namespace and name, with Secret data decoded and YAML parsed', () => {
    const objects = objectsByKey(rendered(1, 'sync:\n  pods: {enabled: true}\n'))
    expect([...objects.keys()]).toEqual(['StatefulSet/ns/vc', 'Secret/ns/vc-config-vc'])
    expect(objects.get('Secret/ns/vc-config-vc')).toMatchObject({
      data: {'config.yaml': {sync: {pods: {enabled: true}}}},
    })
  })

  it('reports added, removed and changed objects field by field, list items by index', () => {
    const base = rendered(1, 'a: 1\n', '---\nkind: Role\nmetadata: {name: old, namespace: ns}\n')
    const next = rendered(2, 'a: 2\n', '---\nkind: Role\nmetadata: {name: new, namespace: ns}\n')
    expect(diffObjects(base, next)).toEqual([
      {
        object: 'StatefulSet/ns/vc',
        kind: 'changed',
        fields: [{path: 'spec.replicas', kind: 'changed', base: 1, next: 2}],
      },
      {
        object: 'Secret/ns/vc-config-vc',
        kind: 'changed',
        fields: [{path: 'data.config.yaml.a', kind: 'changed', base: 1, next: 2}],
      },
      {object: 'Role/ns/old', kind: 'removed'},
      {object: 'Role/ns/new', kind: 'added'},
    ])
  })

  it('hides the release version itself, so a bump does not change every label and image', () => {
    const base = neutralVersion(rendered(1, 'a: 1\n'), '0.36.1')
    const next = neutralVersion(rendered(1, 'a: 1\n').replaceAll('0.36.1', '0.37.0'), 'v0.37.0')
    expect(diffObjects(base, next)).toEqual([])
    expect(diffObjects(rendered(1, 'a: 1\n'), rendered(1, 'a: 1\n').replaceAll('0.36.1', '0.37.0'))).toHaveLength(1)
  })
})

describe('renderDefaults', () => {
  it("asks the oracle for helm's install of the chart with default values and returns its manifests", async () => {
    const dir = chart({})
    const oracle = join(dir, 'oracle')
    // A stand-in oracle: echoes its arguments and the request back as the manifests.
    writeFileSync(oracle, '#!/bin/sh\nread -r line\nprintf \'{"id":"1","ok":true,"manifests":"%s"}\\n\' "$*"\n')
    chmodSync(oracle, 0o755)
    const manifests = await renderDefaults(oracle, {chartDir: '/charts/x', version: '0.37.0'})
    expect(manifests).toBe('-chart /charts/x -chart-version 0.37.0')
  })

  it("says why when helm refuses the chart's defaults", async () => {
    const dir = chart({})
    const oracle = join(dir, 'oracle')
    writeFileSync(
      oracle,
      '#!/bin/sh\nread -r line\necho \'{"id":"1","ok":false,"stage":"helm","error":"schema says no"}\'\n',
    )
    chmodSync(oracle, 0o755)
    await expect(renderDefaults(oracle, {chartDir: '/c', version: '1.0.0'})).rejects.toThrow(/schema says no/)
  })
})
