// The real-mode sandbox's reading of a pod object (env and volumes as a kubelet makes them), against a fake API.
import {readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {ApiException, type CoreV1Api, type V1Pod} from '@kubernetes/client-node'
import {describe, expect, it} from 'vitest'
import {containerEnv, expand} from './env.js'
import {containerMounts} from './volumes.js'
import {tempDir} from '../../helpers/temp.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')

/** The few CoreV1Api calls the sandbox makes, over fixed objects; records TokenRequests. */
function fakeCore(pvDir: string) {
  const tokenRequests: unknown[] = []
  const notFound = () => Promise.reject(new ApiException(404, 'not found', {}, {}))
  const secrets: Record<string, Record<string, string>> = {
    'vc-config-demo': {'config.yaml': b64('a: 1\n')},
    creds: {user: b64('alice'), pass: b64('s3cret')},
  }
  const configMaps: Record<string, Record<string, string>> = {
    'kube-root-ca.crt': {'ca.crt': 'CA PEM'},
    settings: {mode: 'fast', extra: 'x'},
  }
  const core = {
    readNamespacedSecret: ({name}: {name: string}) =>
      secrets[name] ? Promise.resolve({data: secrets[name]}) : notFound(),
    readNamespacedConfigMap: ({name}: {name: string}) =>
      configMaps[name] ? Promise.resolve({data: configMaps[name]}) : notFound(),
    createNamespacedServiceAccountToken: (req: unknown) => {
      tokenRequests.push(req)
      return Promise.resolve({status: {token: 'TOKEN'}})
    },
    readNamespacedPersistentVolumeClaim: () => Promise.resolve({spec: {volumeName: 'pv-1'}, status: {phase: 'Bound'}}),
    readPersistentVolume: () => Promise.resolve({spec: {hostPath: {path: pvDir}}}),
  }
  return {core: core as unknown as CoreV1Api, tokenRequests}
}

function pod(): V1Pod {
  return {
    metadata: {name: 'demo-0', namespace: 'ns1', uid: 'u-1', labels: {release: 'demo'}},
    spec: {
      nodeName: 'node-1',
      serviceAccountName: 'vc-demo',
      volumes: [
        {name: 'data', persistentVolumeClaim: {claimName: 'data-demo-0'}},
        {name: 'binaries', emptyDir: {}},
        {name: 'config', secret: {secretName: 'vc-config-demo'}},
        {
          name: 'api',
          projected: {
            sources: [
              {serviceAccountToken: {path: 'token', expirationSeconds: 3607}},
              {configMap: {name: 'kube-root-ca.crt', items: [{key: 'ca.crt', path: 'ca.crt'}]}},
              {downwardAPI: {items: [{path: 'namespace', fieldRef: {fieldPath: 'metadata.namespace'}}]}},
            ],
          },
        },
      ],
      initContainers: [
        {
          name: 'kubernetes',
          image: 'ghcr.io/loft-sh/kubernetes:v1.36.0',
          command: ['cp'],
          args: ['-r', '/kubernetes/.', '/binaries/'],
          volumeMounts: [{name: 'binaries', mountPath: '/binaries'}],
        },
      ],
      containers: [
        {
          name: 'syncer',
          image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1',
          envFrom: [{configMapRef: {name: 'settings'}, prefix: 'S_'}],
          env: [
            {name: 'POD_NAME', valueFrom: {fieldRef: {fieldPath: 'metadata.name'}}},
            {name: 'REL', valueFrom: {fieldRef: {fieldPath: "metadata.labels['release']"}}},
            {name: 'NODE_IP', valueFrom: {fieldRef: {fieldPath: 'status.hostIP'}}},
            {name: 'USER', valueFrom: {secretKeyRef: {name: 'creds', key: 'user'}}},
            {name: 'MODE', valueFrom: {configMapKeyRef: {name: 'settings', key: 'mode'}}},
            {name: 'GONE', valueFrom: {secretKeyRef: {name: 'missing', key: 'k', optional: true}}},
            {name: 'GREETING', value: 'hi $(USER) at $(POD_NAME), $$(POD_NAME) and $(UNKNOWN)'},
          ],
          volumeMounts: [
            {name: 'data', mountPath: '/data'},
            {name: 'binaries', mountPath: '/binaries'},
            {name: 'config', mountPath: '/var/lib/vcluster'},
            {name: 'api', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true},
          ],
        },
      ],
    },
    status: {podIP: '10.0.0.7', hostIP: '192.0.2.1'},
  }
}

describe('real-mode sandbox: the pod object as a kubelet reads it', () => {
  it('builds the environment from fieldRef, secretKeyRef, configMapKeyRef, envFrom and $(VAR) references', async () => {
    const {core} = fakeCore('/nonexistent')
    const p = pod()
    const env = await containerEnv(core, p, p.spec?.containers[0] ?? {name: ''}, 32764)
    expect(env).toMatchObject({
      POD_NAME: 'demo-0',
      REL: 'demo',
      NODE_IP: '192.0.2.1',
      USER: 'alice',
      MODE: 'fast',
      S_mode: 'fast',
      S_extra: 'x',
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: '32764',
      HOSTNAME: 'demo-0',
      GREETING: 'hi alice at demo-0, $(POD_NAME) and $(UNKNOWN)',
    })
    expect(env).not.toHaveProperty('GONE')
  })

  it('refuses what it cannot provide instead of leaving it out', async () => {
    const {core} = fakeCore('/nonexistent')
    const p = pod()
    const c = p.spec?.containers[0] ?? {name: ''}
    c.env = [{name: 'X', valueFrom: {secretKeyRef: {name: 'missing', key: 'k'}}}]
    await expect(containerEnv(core, p, c, 1)).rejects.toThrow(/secret ns1\/missing has no key k/)
    c.env = [{name: 'X', valueFrom: {fieldRef: {fieldPath: 'spec.schedulerName'}}}]
    await expect(containerEnv(core, p, c, 1)).rejects.toThrow(/fieldRef spec.schedulerName is not supported/)
    const dir = tempDir('real-pod-')
    p.spec?.volumes?.push({name: 'host', hostPath: {path: '/'}})
    c.volumeMounts?.push({name: 'host', mountPath: '/host'})
    await expect(containerMounts({core, dir, initBinaries: {}}, p, c)).rejects.toThrow(/volume host \(hostPath\)/)
  })

  it("materialises secret, projected token, emptyDir and the claim's PV path, and emulates the binaries init copy", async () => {
    const dir = tempDir('real-pod-')
    const pvDir = join(dir, 'pv')
    const bin = join(dir, 'kine-build')
    writeFileSync(bin, '#!/bin/sh\n', {mode: 0o755})
    const {core, tokenRequests} = fakeCore(pvDir)
    const p = pod()
    const mounts = await containerMounts({core, dir, initBinaries: {kine: bin}}, p, p.spec?.containers[0] ?? {name: ''})
    expect(mounts.map((m) => [m.target, m.readOnly])).toEqual([
      ['/data', false],
      ['/binaries', false],
      ['/var/lib/vcluster', true],
      ['/var/run/secrets/kubernetes.io/serviceaccount', true],
    ])
    expect(mounts[0]?.source).toBe(pvDir)
    expect(statSync(pvDir).isDirectory()).toBe(true)
    expect(readdirSync(mounts[1]?.source ?? '')).toEqual(['kine'])
    expect(readFileSync(join(mounts[2]?.source ?? '', 'config.yaml'), 'utf8')).toBe('a: 1\n')
    const sa = mounts[3]?.source ?? ''
    expect(readdirSync(sa).sort()).toEqual(['ca.crt', 'namespace', 'token'])
    expect(readFileSync(join(sa, 'namespace'), 'utf8')).toBe('ns1')
    expect(readFileSync(join(sa, 'token'), 'utf8')).toBe('TOKEN')
    expect(tokenRequests).toEqual([
      {
        name: 'vc-demo',
        namespace: 'ns1',
        body: {
          spec: {
            audiences: [],
            expirationSeconds: 3607,
            boundObjectRef: {apiVersion: 'v1', kind: 'Pod', name: 'demo-0', uid: 'u-1'},
          },
        },
      },
    ])
  })

  it('expands $(VAR) like a kubelet', () => {
    expect(expand('$(A)-$(B)-$$(A)-$$-$(', {A: '1'})).toBe('1-$(B)-$(A)-$-$(')
  })
})
