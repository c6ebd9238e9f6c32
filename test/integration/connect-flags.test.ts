// connect's flags taken from upstream (issue 15): --service-account with --cluster-role and --token-expiration,
// --pod and --address, on a real vCluster (upstream's `vcluster start`, the rig's default mode) as the namespace
// user. Only loopback addresses.
import {beforeAll, describe, expect, it} from 'vitest'
import {newNamespace, vcluster, type TestNamespace} from '../cluster/index.js'

const NAME = 'flags'
let ns: TestNamespace

/** `vcluster connect NAME -n NS [flags] -- args...` as the namespace user. */
const connect = (flags: string[], command: string[] = ['true']) =>
  vcluster(['connect', NAME, '-n', ns.name, ...flags, '--', ...command], {kubeconfig: ns.userKubeconfig})

/** kubectl inside the vCluster with its admin certificate. */
async function admin(args: string[]): Promise<string> {
  const r = await connect([], ['kubectl', ...args])
  expect(r.exitCode, r.stderr).toBe(0)
  return r.stdout
}

/** The claims of a JWT (not verified: the API server did that when it answered with the token). */
function claims(token: string): {exp: number; iat: number; sub: string} {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
}

beforeAll(async () => {
  ns = await newNamespace('cflags', {mode: 'real'})
  const created = await vcluster(
    [
      'create',
      NAME,
      '-n',
      ns.name,
      '--connect=false',
      '--timeout',
      '5m',
      '--set',
      'controlPlane.proxy.extraSANs={127.0.0.2}',
    ],
    {kubeconfig: ns.userKubeconfig, timeoutMs: 360_000},
  )
  expect(created.exitCode, created.stderr).toBe(0)
})

describe('connect --service-account --cluster-role --token-expiration', () => {
  it('creates the account, binds the role as upstream names it, and writes a token that lives as long as asked', async () => {
    const sa = ['--service-account', 'ci', '--cluster-role', 'view', '--token-expiration', '1h']
    const whoami = await connect(sa, ['kubectl', 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])
    expect(whoami.exitCode, whoami.stderr).toBe(0)
    expect(whoami.stdout).toBe('system:serviceaccount:kube-system:ci')
    expect(whoami.stderr).toContain('created service account kube-system/ci in the vCluster')
    expect(whoami.stderr).toContain('bound cluster role view to it (ClusterRoleBinding vcluster-sa-ci-kube-system)')
    expect(
      await admin(['get', 'clusterrolebinding', 'vcluster-sa-ci-kube-system', '-o', 'jsonpath={.roleRef.name}']),
    ).toBe('view')

    // view: may read, may not write.
    const canList = await connect(sa, ['kubectl', 'auth', 'can-i', 'list', 'pods', '-A'])
    expect(canList.stdout.trim()).toBe('yes')
    const canCreate = await connect(sa, ['kubectl', 'auth', 'can-i', 'create', 'pods', '-n', 'default'])
    expect(canCreate.stdout.trim()).toBe('no')

    // The token in the kubeconfig lives one hour.
    const printed = await vcluster(['connect', NAME, '-n', ns.name, ...sa, '--print'], {kubeconfig: ns.userKubeconfig})
    expect(printed.exitCode, printed.stderr).toBe(0)
    const token = /token: (\S+)/.exec(printed.stdout)?.[1] ?? ''
    expect(printed.stdout).not.toContain('client-key-data')
    const {exp, iat, sub} = claims(token)
    expect(sub).toBe('system:serviceaccount:kube-system:ci')
    expect(exp - iat).toBe(3600)
  })

  it('replaces the binding when the role changes (roleRef is immutable), as upstream does', async () => {
    const sa = ['--service-account', 'kube-system/ci', '--cluster-role', 'edit']
    const r = await connect(sa, ['kubectl', 'auth', 'can-i', 'create', 'pods', '-n', 'default'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout.trim()).toBe('yes')
    expect(r.stderr).toContain('ClusterRoleBinding vcluster-sa-ci-kube-system, was view')
  })

  it('refuses the flags alone, a lifetime under 10 minutes, and a missing account without a role', async () => {
    const alone = await connect(['--cluster-role', 'view'])
    expect(alone.exitCode).toBe(2)
    expect(alone.stderr).toContain('--cluster-role needs --service-account')
    const short = await connect(['--service-account', 'ci', '--token-expiration', '60'])
    expect(short.exitCode).toBe(2)
    expect(short.stderr).toContain('a token lives at least 600 seconds')
    const missing = await connect(['--service-account', 'default/nobody'])
    expect(missing.exitCode).toBe(3)
    expect(missing.stderr).toContain('service account default/nobody does not exist in the vCluster')
  })
})

describe('connect --pod', () => {
  it('forwards to the pod named, and names the pods when there is no such one', async () => {
    const r = await connect(['--pod', `${NAME}-0`], ['kubectl', 'get', 'namespace', 'default', '-o', 'name'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout.trim()).toBe('namespace/default')
    expect(r.stderr).toContain(`to pod ${NAME}-0 port 8443`)
    const wrong = await connect(['--pod', `${NAME}-7`])
    expect(wrong.exitCode).toBe(3)
    expect(wrong.stderr).toContain(`vCluster ${NAME} has no pod ${NAME}-7 in namespace ${ns.name}`)
    expect(wrong.stderr).toContain(`Its pods: ${NAME}-0.`)
  })
})

describe('connect --address', () => {
  it('listens on the address and writes it into the kubeconfig; kubectl verifies TLS against the extraSAN', async () => {
    const server = await connect(
      ['--address', '127.0.0.2'],
      [
        'sh',
        '-c',
        'kubectl config view --minify -o jsonpath={.clusters[0].cluster.server} && kubectl get ns default -o name',
      ],
    )
    expect(server.exitCode, server.stderr).toBe(0)
    expect(server.stdout).toMatch(/^https:\/\/127\.0\.0\.2:\d+namespace\/default$/)
    expect(server.stderr).toMatch(/forwarding 127\.0\.0\.2:\d+ to pod/)
  })

  it('refuses an address the certificate does not cover (with the extraSANs way forward), and one that is no IP', async () => {
    const uncovered = await connect(['--address', '127.0.0.3'])
    expect(uncovered.exitCode).toBe(2)
    expect(uncovered.stderr).toContain("the vCluster's certificate is not valid for 127.0.0.3")
    expect(uncovered.stderr).toContain('controlPlane.proxy.extraSANs')
    const name = await connect(['--address', 'example.com'])
    expect(name.exitCode).toBe(2)
    expect(name.stderr).toContain('--address example.com is not an IP address')
    const withServer = await connect(['--address', '127.0.0.2', '--server', 'https://127.0.0.2:1'])
    expect(withServer.exitCode).toBe(2)
    expect(withServer.stderr).toContain('--address applies to the port-forward, which --server replaces')
  })
})

describe("upstream's other flags, on the command line", () => {
  it('create --print converges and prints the kubeconfig under the context name asked; --driver helm and --background-proxy=false are accepted', async () => {
    const r = await vcluster(
      [
        'create',
        NAME,
        '-n',
        ns.name,
        '--driver',
        'helm',
        '--background-proxy=false',
        '--print',
        '--kube-config-context-name',
        'flags-ctx',
        '--set',
        'controlPlane.proxy.extraSANs={127.0.0.2}',
      ],
      {kubeconfig: ns.userKubeconfig},
    )
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain('current-context: flags-ctx')
    expect(r.stdout).toMatch(/server: https:\/\/127\.0\.0\.1:\d+/)
    expect(r.stderr).toContain('answers only while a forward runs there')
  })

  it('refuses platform flags and other drivers with exit 2 and the way forward', async () => {
    const project = await vcluster(['pause', NAME, '-n', ns.name, '--project', 'p'], {kubeconfig: ns.userKubeconfig})
    expect(project.exitCode).toBe(2)
    expect(project.stderr).toContain('--project is a vCluster Platform flag')
    const driver = await connect(['--driver', 'platform'])
    expect(driver.exitCode).toBe(2)
    expect(driver.stderr).toContain('--driver platform: this CLI manages vClusters in a host namespace')
    const list = await vcluster(['list', '-n', ns.name, '--log-output', 'json'], {kubeconfig: ns.userKubeconfig})
    expect(list.exitCode).toBe(2)
    expect(list.stderr).toContain('--log-output')
    expect(list.stderr).toContain('--json')
  })
})
