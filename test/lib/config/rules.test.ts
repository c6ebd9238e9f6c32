/**
 * The start-up rules of the pinned release (pkg/config/validation.go and the chart's templates), one case that
 * breaks each and one that keeps it, checked through checkRules with real YAML positions.
 */
import {describe, expect, it} from 'vitest'
import {checkRules} from '../../../src/lib/config/rules.js'
import {INTEGRATION_SWITCH_DEFAULTS} from '../../../src/lib/config/rules-custom-resources.js'
import {hostPortProblem, requirementProblem} from '../../../src/lib/config/rules-private-nodes.js'
import {tolerationProblem} from '../../../src/lib/config/rules-policies.js'
import {isLabelKey, isNamespaceName} from '../../../src/lib/config/rules-k8s.js'
import {getPath} from '../../../src/lib/config/merge.js'
import {parseYamlSource} from '../../../src/lib/config/yaml-source.js'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parse} from 'yaml'
import {NS, RULE_CASES, ns, y} from './rule-cases.js'

function check(yaml: string, name?: string) {
  const parsed = parseYamlSource('vcluster.yaml', yaml)
  expect(parsed.problems).toEqual([])
  const locate = (path: string) => {
    for (let p = path; p !== ''; p = p.slice(0, Math.max(p.lastIndexOf('.'), p.lastIndexOf('['), 0))) {
      const hit = parsed.keyPositions.get(p)
      if (hit !== undefined) return hit
    }
    return undefined
  }
  return checkRules(parsed.values, locate, name === undefined ? {} : {name}).problems
}

const errors = (yaml: string) => check(yaml).filter((p) => p.severity === 'error')

for (const title of new Set(RULE_CASES.map((c) => c.group))) {
  describe(title, () => {
    for (const {what, bad, path, hint, good} of RULE_CASES.filter((c) => c.group === title)) {
      it(`${what}: refused at ${path}`, () => {
        const found = errors(bad)
        expect(
          found.map((p) => p.path),
          JSON.stringify(found),
        ).toContain(path)
        const problem = found.find((p) => p.path === path)
        expect(problem?.message).toMatch(hint)
        expect(problem?.line, 'positioned in the file').toBeGreaterThan(0)
      })
      it(`${what}: the fixed config passes`, () => {
        expect(errors(good)).toEqual([])
      })
    }
  })
}

describe('rules: details', () => {
  it('reports every problem at once, each at its line', () => {
    const found = errors(
      y(
        'policies:',
        '  podSecurityStandard: strict',
        'controlPlane:',
        '  endpoint: x:1',
        '  advanced:',
        '    virtualScheduler: {enabled: true}',
      ),
    )
    expect(found.map((p) => [p.path, p.line])).toEqual([
      ['policies.podSecurityStandard', 2],
      ['controlPlane.advanced.virtualScheduler.enabled', 6],
      ['controlPlane.endpoint', 4],
    ])
  })

  it('warns (not refuses) when hybrid scheduling has no effect', () => {
    const found = check(
      y(
        'controlPlane:',
        '  advanced:',
        '    virtualScheduler: {enabled: true}',
        'sync:',
        '  fromHost:',
        '    nodes: {enabled: true}',
        '  toHost:',
        '    pods:',
        '      hybridScheduling: {enabled: true}',
      ),
    )
    expect(found.map((p) => [p.path, p.severity])).toEqual([['sync.toHost.pods.hybridScheduling.enabled', 'warning']])
  })

  it('uses the vCluster name for ${name} when it is known', () => {
    const yaml = ns('{"a": "${name}-abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"}')
    expect(check(yaml, 'x').filter((p) => p.severity === 'error')).toEqual([])
    expect(check(yaml, 'a-long-vcluster-name').map((p) => p.path)).toEqual([`${NS}.a`])
  })

  it('the integration switches it assumes are the chart defaults of the release', () => {
    const chart = parse(
      readFileSync(join(import.meta.dirname, '../../../src/lib/config/release/values.yaml'), 'utf8'),
    ) as Record<string, unknown>
    for (const {path, on} of INTEGRATION_SWITCH_DEFAULTS) expect(getPath(chart, path) ?? false, path).toBe(on)
  })

  it('ParseToleration, SplitHostPort, requirements and names as the Go code reads them', () => {
    expect(
      ['key', 'key=value', 'key:NoSchedule', 'key=value:NoSchedule', '*', '=', ':', ''].map(tolerationProblem),
    ).toEqual(Array(8).fill(undefined))
    expect(['a:b:c', 'a=b=c', 'a=b=c:d', 'a=-b'].map((t) => tolerationProblem(t) !== undefined)).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(['a:1', ':1', '[::1]:1', 'a:'].map(hostPortProblem)).toEqual([undefined, undefined, undefined, undefined])
    expect(['a', 'a:1:2', '[::1]', '::1', '[a]b:1'].map((t) => hostPortProblem(t) !== undefined)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ])
    expect(requirementProblem({property: 'p', operator: 'Gt'})).toMatch(/needs value/)
    expect(requirementProblem({property: 'p', operator: 'Gt', value: '3'})).toBeUndefined()
    expect(requirementProblem({property: 'p', operator: 'Exists', values: ['a']})).toMatch(/takes no value/)
    expect(requirementProblem({operator: 'Exists'})).toMatch(/property/)
    expect(isNamespaceName('ab-', true)).toBe(true)
    expect(isNamespaceName('ab-', false)).toBe(false)
    expect(isNamespaceName('a'.repeat(64))).toBe(false)
    expect(isLabelKey('example.com/Name_1')).toBe(true)
    expect(isLabelKey('/a')).toBe(false)
    expect(isLabelKey('a/b/c')).toBe(false)
  })
})
