// connect and disconnect end to end: the CLI port-forwards through the host API server and kwok to the vCluster's
// stand-in API server, and kubectl verifies TLS against the vCluster's own CA.
import {spawn, type ChildProcess} from 'node:child_process'
import {copyFileSync, readFileSync} from 'node:fs'

import {request} from 'node:https'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {
  cliEntry,
  deferCleanup,
  newNamespace,
  portForward,
  useHostCluster,
  vcluster,
  waitFor,
  waitForStandIn,
  type TestNamespace,
} from '../cluster/index.js'
import {tempDir} from '../helpers/temp.js'

const cluster = useHostCluster()
let ns: TestNamespace
let context: string

/** A private copy of the user's kubeconfig, so every test checks its own bytes. */
function kubeconfigCopy(): string {
  const file = join(tempDir('connect-kc-'), 'config')
  copyFileSync(ns.userKubeconfig, file)
  return file
}

const read = (file: string) => parse(readFileSync(file, 'utf8'))
const kubectl = (file: string, args: string[]) =>
  cluster.kubectl(args, {kubeconfig: file, reject: false, timeoutMs: 60_000})

/** GET path as the kubeconfig's context (inline CA and client certificate), waiting as long as the server takes. */
function getAs(file: string, contextName: string, path: string): Promise<{status: number; body: string}> {
  const doc = read(file)
  const ctx = doc.contexts.find((c: {name: string}) => c.name === contextName).context
  const server = doc.clusters.find((c: {name: string}) => c.name === ctx.cluster).cluster
  const user = doc.users.find((u: {name: string}) => u.name === ctx.user).user
  const b64 = (v: string) => Buffer.from(v, 'base64')
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.server}${path}`,
      {
        ca: b64(server['certificate-authority-data']),
        cert: b64(user['client-certificate-data']),
        key: b64(user['client-key-data']),
        timeout: 120_000,
      },
      (res) => {
        let body = ''
        res.on('data', (d: Buffer) => (body += d.toString()))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer from ${server.server} in 120 s`)))
    req.on('error', reject)
    req.end()
  })
}

interface Running {
  child: ChildProcess
  stderr: () => string
  exited: Promise<number | null>
}

/** `vcluster connect` in the foreground, as a person runs it; stopped after the test. */
function connectInForeground(file: string, args: string[] = []): Running {
  const child = spawn(process.execPath, [cliEntry(), 'connect', 'demo', '-n', ns.name, ...args], {
    env: {...cluster.env, KUBECONFIG: file},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  deferCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  return {child, stderr: () => stderr, exited}
}

beforeAll(async () => {
  ns = await newNamespace('connect')
  // The rig's kwok nodes advertise no ephemeral-storage, which the chart's default requests ask for.
  const fits = ['--set', 'controlPlane.statefulSet.resources.requests.ephemeral-storage=0']
  const created = await vcluster(
    [
      'create',
      'demo',
      '-n',
      ns.name,
      '--no-connect',
      '--set',
      'controlPlane.proxy.extraSANs={127.0.0.2,vc.example.com}',
      ...fits,
    ],
    {kubeconfig: ns.userKubeconfig, timeoutMs: 300_000},
  )
  expect(created.exitCode, created.stderr).toBe(0)
  await waitForStandIn(ns.name, 'demo')
  context = `vcluster_demo_${ns.name}_${read(ns.userKubeconfig)['current-context']}`
})

describe('vcluster connect -- COMMAND (the CI path)', () => {
  it("returns the command's exit code and leaves the kubeconfig byte-identical", async () => {
    const file = kubeconfigCopy()
    const before = readFileSync(file, 'utf8')
    const started = Date.now()
    const ok = await vcluster(['connect', 'demo', '-n', ns.name, '--', 'kubectl', 'get', 'namespaces'], {
      kubeconfig: file,
    })
    const wallMs = Date.now() - started
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/^kube-system\s+Active/m)
    process.stderr.write(`[connect] connect -- kubectl get namespaces: ${wallMs} ms\n`)

    const failing = await vcluster(
      ['connect', 'demo', '-n', ns.name, '--', 'kubectl', 'get', 'pod', 'nope', '-n', 'default'],
      {kubeconfig: file},
    )
    expect(failing.exitCode).toBe(1)
    expect(failing.stderr).toContain('pods "nope" not found')
    const custom = await vcluster(
      ['connect', 'demo', '-n', ns.name, '--', 'sh', '-c', 'kubectl config current-context; exit 42'],
      {kubeconfig: file},
    )
    expect(custom.exitCode).toBe(42)
    expect(custom.stdout.trim()).toBe(context)
    expect(readFileSync(file, 'utf8')).toBe(before)
  })

  it('forwards from the same local port each time (kubectl reuses its discovery cache), and --print names it', async () => {
    const file = kubeconfigCopy()
    const server = ['--', 'kubectl', 'config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}']
    const first = await vcluster(['connect', 'demo', '-n', ns.name, ...server], {kubeconfig: file})
    const second = await vcluster(['connect', 'demo', '-n', ns.name, ...server], {kubeconfig: file})
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/^https:\/\/127\.0\.0\.1:2\d{4}$/)
    expect(second.stdout).toBe(first.stdout)
    const printed = await vcluster(['connect', 'demo', '-n', ns.name, '--print'], {kubeconfig: file})
    expect(printed.exitCode, printed.stderr).toBe(0)
    expect(parse(printed.stdout).clusters[0].cluster.server).toBe(first.stdout)
  })
})

describe('vcluster connect --service-account', () => {
  it('uses a token of that service account instead of the admin certificate', async () => {
    const file = kubeconfigCopy()
    const created = await vcluster(
      ['connect', 'demo', '-n', ns.name, '--', 'kubectl', 'create', 'serviceaccount', 'ci', '-n', 'default'],
      {kubeconfig: file},
    )
    expect(created.exitCode, created.stderr).toBe(0)
    const whoami = await vcluster(
      [
        'connect',
        'demo',
        '-n',
        ns.name,
        '--service-account',
        'default/ci',
        '--',
        'kubectl',
        'auth',
        'whoami',
        '-o',
        'jsonpath={.status.userInfo.username}',
      ],
      {kubeconfig: file},
    )
    expect(whoami.exitCode, whoami.stderr).toBe(0)
    expect(whoami.stdout).toBe('system:serviceaccount:default:ci')
    const missing = await vcluster(
      ['connect', 'demo', '-n', ns.name, '--service-account', 'default/nope', '--', 'true'],
      {kubeconfig: file},
    )
    expect(missing.exitCode).toBe(3)
    expect(missing.stderr).toContain('service account default/nope does not exist in the vCluster')
  })
})

describe('vcluster connect (foreground)', () => {
  it('writes and switches to the context, plus one per extraSAN; kubectl verifies TLS through the forward', async () => {
    const file = kubeconfigCopy()
    const previous = read(file)['current-context']
    const run = connectInForeground(file)
    await waitFor(
      () =>
        run.child.exitCode === null
          ? run.stderr().includes('forwarding until you press Ctrl-C') || undefined
          : Promise.reject(new Error(run.stderr())),
      {timeoutMs: 60_000, what: 'connect to be forwarding'},
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- connect:\n${run.stderr()}`)
    })
    const doc = read(file)
    expect(doc['current-context']).toBe(context)
    expect(doc.contexts.map((c: {name: string}) => c.name)).toEqual(
      expect.arrayContaining([context, `${context}_127.0.0.2`, `${context}_vc.example.com`]),
    )
    expect(doc.clusters.find((c: {name: string}) => c.name === `${context}_vc.example.com`).cluster.server).toBe(
      'https://vc.example.com',
    )
    const main = doc.clusters.find((c: {name: string}) => c.name === context).cluster
    expect(main.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(main['insecure-skip-tls-verify']).toBeUndefined()
    const got = await kubectl(file, ['get', 'namespaces'])
    expect(got.exitCode, got.stderr).toBe(0)
    expect(got.stdout).toMatch(/^kube-system\s+Active/m)

    // The pod goes and comes back (same name, new uid). A request made at once waits in the forward (backoff, new
    // pod) instead of failing. Not kubectl: the real vCluster takes longer to start (~15 s) than client-go's 10 s TLS
    // handshake timeout, which would be measuring kubectl, not the forward.
    const oldUid = (await cluster.kubectlJson(['-n', ns.name, 'get', 'pod', 'demo-0'])).metadata.uid
    await cluster.kubectl(['-n', ns.name, 'delete', 'pod', 'demo-0', '--wait=false'])
    await waitFor(
      async () => {
        const pod = await cluster.kubectlJson(['-n', ns.name, 'get', 'pod', 'demo-0']).catch(() => undefined)
        return pod !== undefined && pod.metadata.uid !== oldUid
      },
      {timeoutMs: 90_000, intervalMs: 100, what: 'the vCluster pod to be recreated'},
    )
    const startedAt = Date.now()
    const again = await getAs(file, context, '/api/v1/namespaces/kube-system')
    expect(again, `--- connect:\n${run.stderr()}`).toMatchObject({status: 200})
    process.stderr.write(
      `[connect] kubectl through the forward right after the pod was deleted: ${Date.now() - startedAt} ms\n`,
    )
    await waitFor(() => run.stderr().includes('was replaced; forwarding to pod demo-0'), {
      timeoutMs: 30_000,
      what: 'connect to say the pod was replaced',
    })

    // Ctrl-C: stop listening, switch back, exit 0.
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(0)
    expect(run.stderr()).toContain(`switched back to context ${previous}`)
    expect(read(file)['current-context']).toBe(previous)
    expect(read(file).contexts.map((c: {name: string}) => c.name)).toContain(context)
  })
})

describe('vcluster connect --server', () => {
  it('accepts a host in the certificate and verifies TLS; refuses a host that is not, with the extraSANs hint', async () => {
    const file = kubeconfigCopy()
    const forward = await portForward(ns.name, 'pod/demo-0', 8443, ns.userKubeconfig)
    const ok = await vcluster(['connect', 'demo', '-n', ns.name, '--server', `localhost:${forward.localPort}`], {
      kubeconfig: file,
    })
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(read(file)['current-context']).toBe(context)
    expect(read(file).contexts.map((c: {name: string}) => c.name)).not.toContain(`${context}_vc.example.com`)
    const got = await kubectl(file, ['get', 'namespaces'])
    expect(got.exitCode, got.stderr).toBe(0)

    const before = readFileSync(file, 'utf8')
    const refused = await vcluster(
      ['connect', 'demo', '-n', ns.name, '--server', `https://127.0.0.3:${forward.localPort}`],
      {kubeconfig: file},
    )
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain("error: the vCluster's certificate is not valid for 127.0.0.3")
    expect(refused.stderr).toContain(
      `vcluster upgrade demo -n ${ns.name} --set 'controlPlane.proxy.extraSANs={127.0.0.2,vc.example.com,127.0.0.3}'`,
    )
    expect(readFileSync(file, 'utf8')).toBe(before)

    const printed = await vcluster(['connect', 'demo', '-n', ns.name, '--server', 'VC.example.com', '--print'], {
      kubeconfig: file,
    })
    expect(printed.exitCode, printed.stderr).toBe(0)
    expect(read(file)).toEqual(parse(before))
    const kc = parse(printed.stdout)
    expect(kc.clusters[0].cluster.server).toBe('https://vc.example.com')
    expect(kc['current-context']).toBe(context)
  })
})

describe('vcluster disconnect', () => {
  it('switches back to the context before connect, and errors clearly on a context that is not a vCluster one', async () => {
    const file = kubeconfigCopy()
    const previous = read(file)['current-context']
    const forward = await portForward(ns.name, 'pod/demo-0', 8443, ns.userKubeconfig)
    expect(
      (
        await vcluster(['connect', 'demo', '-n', ns.name, '--server', `https://127.0.0.1:${forward.localPort}`], {
          kubeconfig: file,
        })
      ).exitCode,
    ).toBe(0)
    expect(read(file)['current-context']).toBe(context)
    const done = await vcluster(['disconnect'], {kubeconfig: file})
    expect(done.exitCode, done.stderr).toBe(0)
    expect(done.stderr).toContain(`Switched back to context ${previous}`)
    expect(read(file)['current-context']).toBe(previous)
    const again = await vcluster(['disconnect'], {kubeconfig: file})
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toContain(`error: the current context "${previous}" is not a vCluster context`)
  })
})
