import {describe, expect, it} from 'vitest'
import {parseArgs} from '../../../scripts/upstream/diff.js'
import {moduleVersion} from '../../../scripts/upstream/fetch.js'

describe('upstream:diff arguments', () => {
  it('takes a release version, --json, --no-render, or a local checkout with --dir', () => {
    expect(parseArgs(['0.37.0'])).toEqual({version: '0.37.0', json: false, render: true})
    expect(parseArgs(['v0.37.0', '--json', '--no-render'])).toEqual({version: 'v0.37.0', json: true, render: false})
    expect(parseArgs(['--dir', '/src/vcluster', '--version', '0.38.0-dev'])).toEqual({
      dir: '/src/vcluster',
      version: '0.38.0-dev',
      json: false,
      render: true,
    })
  })

  it('refuses a call without a release and unknown flags', () => {
    expect(() => parseArgs([])).toThrow(/name a release/)
    expect(() => parseArgs(['0.37.0', '--yaml'])).toThrow(/unknown argument --yaml/)
  })
})

describe('moduleVersion', () => {
  it('gives the Go module version of an exact release', () => {
    expect(moduleVersion('0.37.0')).toBe('v0.37.0')
    expect(moduleVersion('v0.37.0-rc.1')).toBe('v0.37.0-rc.1')
  })

  it('refuses ranges and names, which the proxy would not resolve anyway', () => {
    for (const bad of ['latest', '0.37', '>=0.36.1', '0.37.x'])
      expect(() => moduleVersion(bad)).toThrow(/not an exact release version/)
  })
})
