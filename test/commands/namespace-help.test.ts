// Every command's -n help says its own namespace default, from the one table that decides it (NAMESPACE_RULES).
import {describe, expect, it} from 'vitest'
import Connect from '../../src/commands/connect.js'
import Create from '../../src/commands/create.js'
import Delete from '../../src/commands/delete.js'
import Describe from '../../src/commands/describe.js'
import List from '../../src/commands/list.js'
import Pause from '../../src/commands/pause.js'
import Resume from '../../src/commands/resume.js'
import Upgrade from '../../src/commands/upgrade.js'
import {NAMESPACE_RULES} from '../../src/lib/vcluster/names.js'

const commands = {
  create: Create,
  connect: Connect,
  delete: Delete,
  describe: Describe,
  list: List,
  pause: Pause,
  resume: Resume,
  upgrade: Upgrade,
}
const expected = {
  create: 'create',
  connect: 'find',
  delete: 'find',
  describe: 'find',
  list: 'list',
  pause: 'find',
  resume: 'find',
  upgrade: 'find',
} as const

describe('-n help text', () => {
  it.each(Object.keys(commands) as (keyof typeof commands)[])('%s: its rule from NAMESPACE_RULES', (id) => {
    const flag = (commands[id].flags as Record<string, {description?: string; char?: string}>).namespace
    expect(flag?.char).toBe('n')
    expect(flag?.description).toBe(NAMESPACE_RULES[expected[id]])
  })

  it('says what each command does without -n', () => {
    expect(NAMESPACE_RULES.create).toContain('vcluster-NAME')
    expect(NAMESPACE_RULES.find).toContain('search every namespace you can list')
    expect(NAMESPACE_RULES.list).toContain('all namespaces')
  })
})
