import {describe, expect, it} from 'vitest'
import {UsageError} from '../../../src/lib/errors.js'
import {forwardEndpoint} from '../../../src/lib/vcluster/connect-endpoint.js'
import {
  DEFAULT_TOKEN_SECONDS,
  bindingName,
  serviceAccountRequest,
} from '../../../src/lib/vcluster/connect-service-account.js'

describe('--service-account, --cluster-role, --token-expiration', () => {
  it('is no request without --service-account, and the other two need it', () => {
    expect(serviceAccountRequest({})).toBeUndefined()
    expect(() => serviceAccountRequest({clusterRole: 'view'})).toThrow(/--cluster-role needs --service-account/)
    expect(() => serviceAccountRequest({tokenExpirationSeconds: 3600})).toThrow(
      /--token-expiration needs --service-account/,
    )
  })

  it("defaults to upstream's ten-year token in kube-system, and takes a role and a lifetime", () => {
    expect(serviceAccountRequest({serviceAccount: 'ci'})).toEqual({
      namespace: 'kube-system',
      name: 'ci',
      clusterRole: undefined,
      expirationSeconds: DEFAULT_TOKEN_SECONDS,
    })
    expect(DEFAULT_TOKEN_SECONDS).toBe(315_360_000)
    expect(
      serviceAccountRequest({serviceAccount: 'dev/ci', clusterRole: 'view', tokenExpirationSeconds: 3600}),
    ).toEqual({namespace: 'dev', name: 'ci', clusterRole: 'view', expirationSeconds: 3600})
  })

  it('refuses a lifetime the API server would refuse (under 10 minutes), and an empty role', () => {
    const short = () => serviceAccountRequest({serviceAccount: 'ci', tokenExpirationSeconds: 599})
    expect(short).toThrow(UsageError)
    expect(short).toThrow(/at least 600 seconds/)
    expect(serviceAccountRequest({serviceAccount: 'ci', tokenExpirationSeconds: 600})?.expirationSeconds).toBe(600)
    expect(() => serviceAccountRequest({serviceAccount: 'ci', clusterRole: ''})).toThrow(/needs a ClusterRole name/)
  })

  it("names the binding as upstream (SafeConcatName of vcluster, sa, name, namespace), so each CLI finds the other's", () => {
    expect(bindingName({namespace: 'default', name: 'ci'})).toBe('vcluster-sa-ci-default')
    const long = bindingName({namespace: 'a-very-long-namespace-name-for-tests', name: 'and-a-long-account'})
    expect(long).toHaveLength(63)
    expect(long.startsWith('vcluster-sa-and-a-long-account-a-very-long-namespace')).toBe(true)
  })
})

describe('--pod and --address: where the forward listens and what the kubeconfig names', () => {
  it('listens on 127.0.0.1 by default, and localhost means the same', () => {
    expect(forwardEndpoint({})).toEqual({kind: 'forward', listen: '127.0.0.1', host: '127.0.0.1', pod: undefined})
    expect(forwardEndpoint({address: 'localhost'})).toMatchObject({listen: '127.0.0.1', host: '127.0.0.1'})
  })

  it('names another IP itself, and reaches a wildcard at 127.0.0.1', () => {
    expect(forwardEndpoint({address: '127.0.0.2'})).toMatchObject({listen: '127.0.0.2', host: '127.0.0.2'})
    expect(forwardEndpoint({address: '::1'})).toMatchObject({listen: '::1', host: '::1'})
    expect(forwardEndpoint({address: '0.0.0.0'})).toMatchObject({listen: '0.0.0.0', host: '127.0.0.1'})
    expect(forwardEndpoint({address: '::'})).toMatchObject({listen: '::', host: '127.0.0.1'})
  })

  it('refuses what is not an IP, and a pod name that cannot be one', () => {
    expect(() => forwardEndpoint({address: 'example.com'})).toThrow(/--address example.com is not an IP address/)
    expect(() => forwardEndpoint({address: '300.1.1.1'})).toThrow(UsageError)
    expect(forwardEndpoint({pod: 'demo-0'}).pod).toBe('demo-0')
    expect(() => forwardEndpoint({pod: 'Demo_0'})).toThrow(/--pod Demo_0 is not a pod name/)
  })
})
