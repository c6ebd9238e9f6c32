import {mkdirSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildReport, formatReport, type Release} from '../../../scripts/upstream/bump-report.js'
import {tempDir} from '../../helpers/temp.js'

const closed = (properties: Record<string, unknown>) => ({type: 'object', properties, additionalProperties: false})

function release(version: string, files: Record<string, string>): Release {
  const dir = tempDir(`bump-${version}-`)
  const all = {'pkg/config/validation.go': '', 'config/config.go': '', 'chart/templates/a.yaml': 'a', ...files}
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), text)
  }
  return {version, dir}
}

const pinned = release('0.36.1', {
  'chart/values.schema.json': JSON.stringify(closed({logging: closed({encoding: {type: 'string'}})})),
  'chart/values.yaml': 'logging:\n  encoding: console\n',
  'pkg/config/validation.go': 'errors.New("old rule")',
})
const candidate = release('0.37.0', {
  'chart/values.schema.json': JSON.stringify(
    closed({logging: closed({encoding: {type: 'string'}, file: closed({enabled: {type: 'boolean'}})})}),
  ),
  'chart/values.yaml': 'logging:\n  encoding: json\n  file:\n    enabled: false\n',
  'pkg/config/validation.go': 'errors.New("new rule")',
  'chart/templates/b.yaml': 'b',
})

describe('buildReport', () => {
  it('puts every kind of change of a bump into one report', async () => {
    const render = async (r: Release) =>
      `kind: ConfigMap\nmetadata: {name: x}\ndata: {v: "${r.version === '0.36.1' ? 1 : 2}"}\n`
    const report = await buildReport(pinned, candidate, render)
    expect(report.schema).toEqual({
      counts: {added: 1, removed: 0, type: 0, enum: 0},
      differences: [{path: 'logging.file', kind: 'added', next: 'object'}],
    })
    expect(report.defaults).toEqual([
      {path: 'logging.encoding', kind: 'changed', base: 'console', next: 'json'},
      {path: 'logging.file.enabled', kind: 'added', next: false},
    ])
    expect(report.rules.map((r) => `${r.kind} ${r.message}`)).toEqual(['new new rule', 'gone old rule'])
    expect(report.templates).toEqual([{file: 'templates/b.yaml', kind: 'added'}])
    expect(report.objects).toEqual({
      changes: [
        {object: 'ConfigMap//x', kind: 'changed', fields: [{path: 'data.v', kind: 'changed', base: '1', next: '2'}]},
      ],
    })
    expect(report.nextSteps[0]).toBe("src/lib/versions.ts: VCLUSTER_VERSION = '0.37.0'")
  })

  it('reports no changes between a release and itself, and says why rendering was skipped', async () => {
    const report = await buildReport(pinned, pinned, async () => {
      throw new Error('no oracle here')
    })
    expect([report.schema.differences, report.defaults, report.rules, report.templates]).toEqual([[], [], [], []])
    expect(report.objects).toEqual({skipped: 'no oracle here'})
    expect((await buildReport(pinned, pinned)).objects).toEqual({skipped: 'not asked for (--no-render)'})
  })
})

describe('formatReport', () => {
  it('writes one readable section per kind of change', async () => {
    const text = formatReport(await buildReport(pinned, candidate))
    expect(text).toContain('vCluster release bump: 0.36.1 (pinned) -> 0.37.0 (candidate)')
    expect(text).toContain(
      '== Schema paths, types and enums (chart/values.schema.json; added 1, removed 0, retyped 0, enum 0): 1\nadded    logging.file  (0.37.0: object)\n',
    )
    expect(text).toContain('changed  logging.encoding: "console" -> "json"')
    expect(text).toContain('new   pkg/config/validation.go: "new rule"')
    expect(text).toContain('== Chart templates: 1\nadded    templates/b.yaml\n')
    expect(text).toContain('== Rendered default objects: skipped (not asked for (--no-render))')
    expect(text).toContain("- src/lib/versions.ts: VCLUSTER_VERSION = '0.37.0'")
  })
})
