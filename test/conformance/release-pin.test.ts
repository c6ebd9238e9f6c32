// One pinned release decides everything: the version constant, the wrapper module the oracle is built from, and the
// vendored chart files our defaults and schema come from must all be the same release.
import {readFileSync, readlinkSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, inject, it} from 'vitest'
import {VCLUSTER_VERSION} from '../../src/lib/versions.js'
import {startOracle} from '../upstream/oracle.js'

const root = join(import.meta.dirname, '../..')
const upstreamDir = inject('upstreamDir')

describe('the pinned release', () => {
  it('is the version the wrapper module requires and the oracle was built from', () => {
    const goMod = readFileSync(join(root, 'test/upstream/go.mod'), 'utf8')
    expect(goMod).toMatch(new RegExp(`github\\.com/loft-sh/vcluster v${VCLUSTER_VERSION.replaceAll('.', '\\.')}\\n`))
    expect(readFileSync(join(upstreamDir, 'VERSION'), 'utf8').trim()).toBe(`v${VCLUSTER_VERSION}`)
  })

  it.each(['values.yaml', 'values.schema.json'])('vendors the release chart %s byte for byte', (file) => {
    const vendored = readFileSync(join(root, 'src/lib/config/release', file))
    const released = readFileSync(join(upstreamDir, 'chart', file))
    expect(vendored.equals(released), `src/lib/config/release/${file} differs from the release's chart/${file}`).toBe(
      true,
    )
  })

  it('runs the oracle without a network: only loopback exists where upstream code runs', async () => {
    const oracle = startOracle(upstreamDir)
    try {
      // The chart's own values are what a plain `helm install` stores; the release must start with them.
      const values = readFileSync(join(upstreamDir, 'chart/values.yaml'), 'utf8')
      const answer = await oracle.parse('demo', values)
      // unshare execs the oracle in place, so its pid is the oracle's; a network namespace of its own has only lo.
      expect(readlinkSync(`/proc/${oracle.pid}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'))
      expect(readFileSync(`/proc/${oracle.pid}/net/dev`, 'utf8')).not.toMatch(/^\s*(?!lo:)[\w.-]+:/m)
      expect(answer.error).toBeUndefined()
      expect(answer.ok).toBe(true)
    } finally {
      await oracle.close()
    }
  })
})
