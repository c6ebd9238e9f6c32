// Smoke test of the local host cluster itself (test/cluster): the Kubernetes behaviour the CLI relies on is real.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {createServer, connect as tcpConnect, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {connect as tlsConnect, type PeerCertificate} from 'node:tls'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {
  VCLUSTER_ROLE_RULES,
  createPersistentVolume,
  deferCleanup,
  newNamespace,
  portForward,
  useHostCluster,
  waitFor,
  waitForKubectl,
  waitForStandIn,
  withServer,
} from '../cluster/index.js'

const cluster = useHostCluster()

function statefulSet(name: string, labels: Record<string, string>, withClaim = true): string {
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {name, labels},
    spec: {
      serviceName: `${name}-headless`,
      replicas: 1,
      selector: {matchLabels: labels},
      // The vCluster chart's requests: kwok nodes must advertise ephemeral-storage for these to schedule.
      template: {
        metadata: {labels},
        spec: {
          containers: [
            {
              name: 'main',
              image: 'example.invalid/none:1',
              resources: {requests: {cpu: '200m', memory: '256Mi', 'ephemeral-storage': '1Gi'}},
            },
          ],
        },
      },
      volumeClaimTemplates: withClaim
        ? [{metadata: {name: 'data'}, spec: {accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '5Gi'}}}}]
        : [],
    },
  })
}

/** A TCP server on 127.0.0.1 that answers every chunk with "echo:" + chunk. */
async function echoServer(): Promise<number> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s.on('close', () => sockets.delete(s)))
    s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d])))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  deferCleanup(
    () =>
      new Promise((resolve) => {
        server.close(resolve)
        for (const s of sockets) s.destroy() // kwok keeps its side open after the port-forward ends
      }),
  )
  const addr = server.address()
  if (!addr || typeof addr === 'string') throw new Error('no address')
  return addr.port
}

function roundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(payload))
    let got = ''
    socket.on('data', (d) => {
      got += d.toString()
      if (got.length >= payload.length + 5) socket.end(() => resolve(got))
    })
    socket.on('error', reject)
    // kubectl drops the connection when kwok cannot forward yet (it has not seen the new PortForward): retry.
    socket.on('close', () => reject(new Error(`connection closed after "${got}"`)))
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no echo, got "${got}"`)))
  })
}

/** Connects with TLS verification against ca and servername; resolves the peer cert or rejects with the TLS error. */
function verifiedCert(port: number, ca: string, servername: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({host: '127.0.0.1', port, servername, ca, rejectUnauthorized: true}, () => {
      const cert = s.getPeerCertificate()
      s.end()
      resolve(cert)
    })
    s.on('error', reject)
  })
}

describe('local host cluster', () => {
  it('applies a StatefulSet with a claim template server-side; it becomes Ready on a pre-created PV', async () => {
    const ns = await newNamespace('smoke-sts')
    const pv = await createPersistentVolume({capacity: '5Gi', claim: {namespace: ns.name, name: 'data-web-0'}})
    await ns.kubectl(['apply', '--server-side', '-f', '-'], {input: statefulSet('web', {app: 'web'})})
    await ns.kubectl(['rollout', 'status', 'statefulset/web', '--timeout=60s'])
    const pvc = await cluster.kubectlJson(['-n', ns.name, 'get', 'pvc', 'data-web-0'])
    expect(pvc.status.phase).toBe('Bound')
    expect(pvc.spec.volumeName).toBe(pv)
    const pod = await cluster.kubectlJson(['-n', ns.name, 'get', 'pod', 'web-0'])
    expect(pod.status.conditions).toContainEqual(expect.objectContaining({type: 'Ready', status: 'True'}))
  })

  it('port-forward carries bytes both ways, and deleting the StatefulSet garbage-collects its pods', async () => {
    const ns = await newNamespace('smoke-pf')
    const echoPort = await echoServer()
    await ns.kubectl(['apply', '--server-side', '-f', '-'], {input: statefulSet('echo', {app: 'echo'}, false)})
    await ns.kubectl(['rollout', 'status', 'statefulset/echo', '--timeout=60s'])
    // PortForward is kwok's CRD; the admin creates it. Its target must be loopback.
    await cluster.kubectl(['apply', '--server-side', '-f', '-'], {
      input: stringify({
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'PortForward',
        metadata: {name: 'echo-0', namespace: ns.name},
        spec: {forwards: [{ports: [9000], target: {address: '127.0.0.1', port: echoPort}}]},
      }),
    })
    const pf = await portForward(ns.name, 'pod/echo-0', 9000, ns.userKubeconfig)
    const payload = `hello-${Math.random().toString(36).slice(2)}`
    expect(await waitFor(() => roundTrip(pf.localPort, payload), {timeoutMs: 15_000, what: 'echo'})).toBe(
      `echo:${payload}`,
    )
    await pf.stop()

    await ns.kubectl(['delete', 'statefulset', 'echo', '--wait=true'])
    await ns.kubectl(['wait', '--for=delete', 'pod/echo-0', '--timeout=60s'])
    const pods = await cluster.kubectlJson(['-n', ns.name, 'get', 'pods'])
    expect(pods.items).toEqual([])
  })

  it('deletes a namespace with content to completion', async () => {
    const name = `smoke-nsdel-${Date.now().toString(36)}`
    await cluster.kubectl(['create', 'namespace', name])
    await cluster.kubectl(['-n', name, 'create', 'configmap', 'c', '--from-literal=a=b'])
    await cluster.kubectl(['-n', name, 'apply', '--server-side', '-f', '-'], {
      input: statefulSet('gone', {app: 'gone'}, false),
    })
    await cluster.kubectl(['-n', name, 'rollout', 'status', 'statefulset/gone', '--timeout=60s'])
    await cluster.kubectl(['delete', 'namespace', name, '--timeout=90s'])
    const r = await cluster.kubectl(['get', 'namespace', name], {reject: false})
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr).toMatch(/NotFound/)
  })

  it('leaves no default kubeconfig, so a command without --kubeconfig reaches no cluster', async () => {
    expect(process.env.KUBECONFIG).toMatch(/no-default-kubeconfig$/)
    const r = await execa('kubectl', ['get', 'namespaces'], {env: cluster.env, reject: false, timeout: 30_000})
    expect(r.exitCode).not.toBe(0)
    expect(String(r.stderr)).toMatch(/localhost:8080|refused/)
  })

  it('confines the namespace user to its namespace, yet lets it create the vCluster Role', async () => {
    const ns = await newNamespace('smoke-rbac')
    const can = async (...args: string[]) =>
      (await ns.kubectl(['auth', 'can-i', ...args], {reject: false})).stdout.trim()
    expect(await can('create', 'statefulsets', '-n', ns.name)).toBe('yes')
    expect(await can('create', 'pods/portforward', '-n', ns.name)).toBe('yes')
    expect(await can('update', 'endpoints', '-n', ns.name)).toBe('yes')
    expect(await can('get', 'pods', '-n', 'default')).toBe('no')
    // Real requests, not can-i: can-i would evaluate cluster-scoped resources in the context's namespace.
    for (const args of [
      ['-n', 'kube-system', 'get', 'secrets'],
      ['get', 'namespaces'],
      ['get', 'nodes'],
      ['get', 'clusterroles'],
      ['get', 'pods', '--all-namespaces'],
    ]) {
      const denied = await ns.kubectl(args, {reject: false})
      expect(denied.exitCode, args.join(' ')).not.toBe(0)
      expect(denied.stderr).toMatch(/forbidden/i)
    }

    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: {name: 'vc-smoke'},
      rules: VCLUSTER_ROLE_RULES,
    }
    await ns.kubectl(['apply', '--server-side', '-f', '-'], {input: stringify(role)})
    await ns.kubectl(['create', 'serviceaccount', 'vc-smoke'])
    await ns.kubectl(['create', 'rolebinding', 'vc-smoke', '--role=vc-smoke', `--serviceaccount=${ns.name}:vc-smoke`])
    // The escalation check is real: a right the user lacks cannot be handed out.
    const escalate = await ns.kubectl(['create', 'role', 'too-much', '--verb=get', '--resource=nodes'], {reject: false})
    expect(escalate.exitCode).not.toBe(0)
    expect(escalate.stderr).toMatch(/escalat|forbidden/i)
  })

  it('gives a vCluster a stand-in control plane reachable through port-forward with TLS verified', async () => {
    // The stand-in itself is under test here (a bare StatefulSet, no vCluster to run).
    const ns = await newNamespace('smoke-vc', {mode: 'standin'})
    const name = 'vc'
    const extraSan = 'vc.smoke.example.test'
    await ns.kubectl([
      'create',
      'secret',
      'generic',
      `vc-config-${name}`,
      `--from-literal=config.yaml=${stringify({controlPlane: {proxy: {extraSANs: [extraSan]}}})}`,
    ])
    await ns.kubectl(['create', 'service', 'clusterip', name, '--tcp=443:8443'])
    await ns.kubectl(['apply', '--server-side', '-f', '-'], {
      input: statefulSet(name, {app: 'vcluster', release: name}),
    })
    const secret = await waitForStandIn(ns.name, name)
    expect(secret.labels).toEqual({app: 'vcluster', 'vcluster-name': name})
    const kc = parse(secret.kubeconfig)
    expect(kc.clusters).toHaveLength(1)
    expect(kc.clusters[0].cluster.server).toBe('https://localhost:8443')
    expect(kc['current-context']).toBe('kubernetes-super-admin@kubernetes')
    expect(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(
      secret.certificateAuthority,
    )

    // As `vcluster connect` does: port-forward to the pod's 8443 and swap the port in the secret's server URL.
    const pf = await portForward(ns.name, `pod/${name}-0`, 8443, ns.userKubeconfig)
    const dir = mkdtempSync(join(cluster.dir, 'smoke-')) // removed with the cluster
    for (const host of ['localhost', '127.0.0.1']) {
      const file = join(dir, `${host}.yaml`)
      writeFileSync(file, withServer(secret.kubeconfig, `https://${host}:${pf.localPort}`))
      const r = await waitForKubectl(['get', 'namespaces', '-o', 'name'], {kubeconfig: file, timeoutMs: 20_000})
      expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system']))
    }
    const cert = await verifiedCert(pf.localPort, secret.certificateAuthority, extraSan)
    expect(cert.subjectaltname).toContain(`DNS:${extraSan}`)
    expect(cert.subjectaltname).toContain(`DNS:${name}.${ns.name}`)
    expect(cert.subjectaltname).toContain('IP Address:127.0.0.1')
    await expect(verifiedCert(pf.localPort, secret.certificateAuthority, 'not-a-san.example.test')).rejects.toThrow(
      /altnames|not in the cert/i,
    )

    // An upgrade that adds an extraSAN gets a new serving certificate (same CA, same forward target).
    await pf.stop()
    const added = 'vc2.smoke.example.test'
    const config = stringify({controlPlane: {proxy: {extraSANs: [extraSan, added]}}})
    await ns.kubectl([
      'patch',
      'secret',
      `vc-config-${name}`,
      '--type=merge',
      '-p',
      JSON.stringify({stringData: {'config.yaml': config}}),
    ])
    await waitFor(
      async () => {
        const again = await portForward(ns.name, `pod/${name}-0`, 8443, ns.userKubeconfig)
        try {
          return (await verifiedCert(again.localPort, secret.certificateAuthority, added)).subjectaltname
        } finally {
          await again.stop()
        }
      },
      {timeoutMs: 60_000, intervalMs: 1000, what: `a serving certificate with ${added}`},
    )

    // When the vCluster goes, so does its stand-in; vc-<name> follows its owner, Service <name>, as upstream.
    await ns.kubectl(['delete', 'statefulset', name])
    await waitFor(
      async () => (await cluster.kubectlJson(['-n', ns.name, 'get', 'portforwards.kwok.x-k8s.io'])).items.length === 0,
      {timeoutMs: 30_000, what: 'PortForward removal'},
    )
    await ns.kubectl(['delete', 'service', name])
    await waitFor(async () => (await ns.kubectl(['get', 'secret', `vc-${name}`], {reject: false})).exitCode !== 0, {
      timeoutMs: 60_000,
      what: `vc-${name} garbage collection`,
    })
  })
})
