import {mkdirSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  chartFailMessages,
  diffRules,
  formatRuleChanges,
  goErrorMessages,
  ruleMessages,
} from '../../../scripts/upstream/rules-diff.js'
import {tempDir} from '../../helpers/temp.js'

describe('message extraction', () => {
  it('finds fmt.Errorf and errors.New format strings, quoted or raw, and unescapes them', () => {
    const source = [
      'var errA = errors.New("a \\"quoted\\" word")',
      'return fmt.Errorf("unsupported scope %s for %q", s, k)',
      'return fmt.Errorf(`raw %d`, n)',
      'return fmt.Errorf(errMsg, name) // a variable: not a literal',
      'log.Printf("not an error %s", x)',
    ].join('\n')
    expect(goErrorMessages(source)).toEqual(['a "quoted" word', 'unsupported scope %s for %q', 'raw %d'])
  })

  it("finds the chart's fail messages, plain and printf", () => {
    const template = '{{- fail "x was removed" }}\n{{ fail (printf "bad %s" .Values.y) }}\n{{ include "failure" . }}'
    expect(chartFailMessages(template)).toEqual(['x was removed', 'bad %s'])
  })
})

function release(files: Record<string, string>): string {
  const dir = tempDir('rules-diff-')
  for (const [path, text] of Object.entries({'config/config.go': '', ...files})) {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), text)
  }
  return dir
}

describe('ruleMessages and diffRules', () => {
  it('reads pkg/config and config (not tests, not subpackages) and the chart templates', () => {
    const dir = release({
      'pkg/config/validation.go': 'errors.New("one")\nfmt.Errorf("two %s", x)',
      'pkg/config/validation_test.go': 'errors.New("test only")',
      'config/legacyconfig/x.go': 'errors.New("legacy")',
      'config/config.go': 'errors.New("one")',
      'chart/templates/_validate.tpl': '{{ fail "three" }}',
    })
    const messages = ruleMessages(dir)
    expect([...messages.keys()].sort()).toEqual(['one', 'three', 'two %s'])
    expect(messages.get('one')?.files).toEqual(['pkg/config/validation.go', 'config/config.go'])
  })

  it('reports new and gone messages', () => {
    const base = ruleMessages(release({'pkg/config/validation.go': 'errors.New("kept")\nerrors.New("old wording")'}))
    const next = ruleMessages(release({'pkg/config/validation.go': 'errors.New("kept")\nerrors.New("new wording")'}))
    const changes = diffRules(base, next)
    expect(changes).toEqual([
      {kind: 'new', message: 'new wording', files: ['pkg/config/validation.go']},
      {kind: 'gone', message: 'old wording', files: ['pkg/config/validation.go']},
    ])
    expect(formatRuleChanges(changes)).toBe(
      'new   pkg/config/validation.go: "new wording"\ngone  pkg/config/validation.go: "old wording"',
    )
    expect(diffRules(base, base)).toEqual([])
  })
})
