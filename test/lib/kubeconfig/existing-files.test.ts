// One rule for which kubeconfig files a command reads (connectKube, create's namespace without a cluster, disconnect).
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {existingKubeconfigFiles} from '../../../src/lib/kubeconfig/resolve.js'
import {tempFiles} from '../../helpers/run-cli.js'

describe('existingKubeconfigFiles', () => {
  const dir = tempFiles({a: 'kind: Config\n', b: 'kind: Config\n'})
  const env = {KUBECONFIG: [join(dir, 'a'), join(dir, 'missing'), join(dir, 'b')].join(':')}

  it('reads --kubeconfig alone, else the files of $KUBECONFIG that exist, else ~/.kube/config', () => {
    expect(existingKubeconfigFiles(join(dir, 'b'), {required: true, env})).toEqual([join(dir, 'b')])
    expect(existingKubeconfigFiles(undefined, {required: true, env})).toEqual([join(dir, 'a'), join(dir, 'b')])
    expect(existingKubeconfigFiles(undefined, {required: false, env: {}, home: dir})).toEqual([])
  })

  it('refuses a missing --kubeconfig, and no kubeconfig at all when one is required', () => {
    expect(() => existingKubeconfigFiles(join(dir, 'nope'), {required: false, env})).toThrow(
      `kubeconfig ${join(dir, 'nope')} does not exist`,
    )
    expect(() => existingKubeconfigFiles(undefined, {required: true, env: {}, home: dir, hint: 'h'})).toThrow(
      'no kubeconfig found',
    )
  })
})
