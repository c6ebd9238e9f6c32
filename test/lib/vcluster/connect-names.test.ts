import {describe, expect, it} from 'vitest'
import {splitCommand} from '../../../src/commands/connect.js'
import {UnavailableError, UsageError} from '../../../src/lib/errors.js'
import {
  canonicalIp,
  certificateNames,
  extraSans,
  hostCovered,
  hostOf,
} from '../../../src/lib/vcluster/certificate-names.js'
import {normaliseServer} from '../../../src/lib/vcluster/connect-endpoint.js'
import {accessFromKubeconfig} from '../../../src/lib/vcluster/connect-target.js'
import {parseServiceAccount} from '../../../src/lib/vcluster/connect-service-account.js'

describe('hostCovered (Go x509 rules)', () => {
  const names = [
    'localhost',
    '127.0.0.1',
    'VC.Example.com',
    '*.apps.example.com',
    '10.0.0.5',
    '2001:db8::1',
    'trailing.example.org.',
  ]

  it('matches DNS names case-insensitively and ignores a trailing dot', () => {
    expect(hostCovered('vc.example.com', names)).toBe(true)
    expect(hostCovered('VC.EXAMPLE.COM.', names)).toBe(true)
    expect(hostCovered('trailing.example.org', names)).toBe(true)
    expect(hostCovered('example.com', names)).toBe(false)
    expect(hostCovered('', names)).toBe(false)
  })

  it('lets a wildcard stand for exactly one leftmost label', () => {
    expect(hostCovered('vc.apps.example.com', names)).toBe(true)
    expect(hostCovered('a.b.apps.example.com', names)).toBe(false)
    expect(hostCovered('apps.example.com', names)).toBe(false)
    expect(hostCovered('vc.apps.example.com.evil', names)).toBe(false)
  })

  it('compares IPs as addresses, and only with IP names', () => {
    expect(hostCovered('127.0.0.1', names)).toBe(true)
    expect(hostCovered('127.0.0.2', names)).toBe(false)
    expect(hostCovered('[2001:db8:0:0:0:0:0:1]', names)).toBe(true)
    expect(hostCovered('2001:DB8::1', names)).toBe(true)
    expect(hostCovered('::ffff:10.0.0.5', names)).toBe(true)
    expect(hostCovered('10.0.0.5', ['*.0.0.5', '10.0.0.5.nip.io'])).toBe(false)
    expect(hostCovered('localhost', ['127.0.0.1'])).toBe(false)
  })

  it('canonicalises IPv6 forms', () => {
    expect(canonicalIp('::1')).toBe('0:0:0:0:0:0:0:1')
    expect(canonicalIp('0:0::1')).toBe('0:0:0:0:0:0:0:1')
    expect(canonicalIp('::ffff:7f00:1')).toBe('127.0.0.1')
    expect(canonicalIp('example.com')).toBeUndefined()
  })
})

describe('certificateNames', () => {
  it("lists the vCluster's default names, the extraSANs, ingress host, endpoint and service addresses", () => {
    const config = {
      controlPlane: {
        proxy: {extraSANs: ['vc.example.com', ' 127.0.0.2 ', 42]},
        ingress: {enabled: true, host: 'ing.example.com'},
        endpoint: 'https://ep.example.com:443',
      },
      networking: {advanced: {clusterDomain: 'corp.local'}},
    }
    const names = certificateNames({
      name: 'demo',
      namespace: 'team',
      config,
      serviceAddresses: ['10.96.0.10', 'lb.example.com'],
    })
    expect(names).toEqual(
      expect.arrayContaining([
        'kubernetes.default.svc.corp.local',
        'kubernetes.default.svc',
        'kubernetes.default',
        'kubernetes',
        'localhost',
        '127.0.0.1',
        'demo',
        'demo.team',
        '*.nodes.vcluster.com',
        '*.demo.team.nodes.vcluster.com',
        'vc.example.com',
        '127.0.0.2',
        'ing.example.com',
        'ep.example.com',
        '10.96.0.10',
        'lb.example.com',
      ]),
    )
    expect(extraSans(config)).toEqual(['vc.example.com', '127.0.0.2'])
  })

  it('leaves out the ingress host unless the ingress is enabled', () => {
    expect(
      certificateNames({name: 'd', namespace: 'n', config: {controlPlane: {ingress: {host: 'my-host.com'}}}}),
    ).not.toContain('my-host.com')
    expect(certificateNames({name: 'd', namespace: 'n'})).toContain('kubernetes.default.svc.cluster.local')
  })
})

describe('connect input parsing', () => {
  it('normalises --server to an https URL and refuses http', () => {
    expect(normaliseServer('vc.example.com')).toBe('https://vc.example.com')
    expect(normaliseServer('https://vc.example.com:8443/')).toBe('https://vc.example.com:8443')
    expect(hostOf('https://[::1]:8443')).toBe('::1')
    expect(() => normaliseServer('http://vc.example.com')).toThrow(UsageError)
  })

  it('parses --service-account as NS/NAME or NAME in kube-system', () => {
    expect(parseServiceAccount('dev/ci')).toEqual({namespace: 'dev', name: 'ci'})
    expect(parseServiceAccount('ci')).toEqual({namespace: 'kube-system', name: 'ci'})
    expect(() => parseServiceAccount('a/b/c')).toThrow(UsageError)
    expect(() => parseServiceAccount('a/')).toThrow(UsageError)
  })

  it('takes everything after the first -- as the command, untouched', () => {
    expect(splitCommand(['demo', '-n', 'x', '--', 'kubectl', '-n', 'y', '--', 'z'])).toEqual({
      argv: ['demo', '-n', 'x'],
      command: ['kubectl', '-n', 'y', '--', 'z'],
    })
    expect(splitCommand(['demo', '--update-current=false'])).toEqual({argv: ['demo', '--no-update-current']})
  })

  it("reads the CA and the current context's user from the vCluster's kubeconfig", () => {
    const text =
      'clusters:\n- name: k\n  cluster: {server: "https://localhost:8443", certificate-authority-data: Q0E=}\n' +
      'users:\n- name: other\n  user: {token: x}\n- name: admin\n  user: {client-certificate-data: Qw==, client-key-data: Sw==}\n' +
      'contexts:\n- name: c\n  context: {cluster: k, user: admin}\ncurrent-context: c\n'
    expect(accessFromKubeconfig(text, {name: 'demo'})).toEqual({
      certificateAuthorityData: 'Q0E=',
      user: {'client-certificate-data': 'Qw==', 'client-key-data': 'Sw=='},
    })
    expect(() => accessFromKubeconfig('clusters: []\n', {name: 'demo'})).toThrow(UnavailableError)
  })
})
