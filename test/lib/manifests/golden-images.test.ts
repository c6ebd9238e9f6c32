/** Golden manifests for image references and host-version matching; explicit facts per case. */
import {describe, expect} from 'vitest'
import type {KubeObject} from '../../../src/lib/manifests/index.js'
import {VCLUSTER_VERSION} from '../../../src/lib/versions.js'
import {NAME, configOf, find, goldenCases, initContainer, render, ruleKey, syncer, workload} from './helpers.js'
import {golden} from './golden-values.js'

const RESIZE = '|pods/resize|patch,update'
const etcdImage = (objects: KubeObject[]): string =>
  find(objects, 'StatefulSet', `${NAME}-etcd`).spec.template.spec.containers[0].image
const roleRules = (objects: KubeObject[]): string[] => find(objects, 'Role', `vc-${NAME}`).rules.map(ruleKey)
const DEFAULT_HASH = workload(render('')).spec.template.metadata.annotations.vClusterConfigHash as string

describe('golden manifests: images and host versions', () => {
  goldenCases([
    {
      ...golden('extra-sans'),
      check: (objects) => {
        // extraSANs only reach the syncer's certificates through config.yaml: no object field carries them.
        expect(configOf(objects).controlPlane.proxy.extraSANs).toEqual(['vc.example.com', '203.0.113.10'])
        expect(JSON.stringify(objects.filter((o) => o.kind !== 'Secret'))).not.toContain('vc.example.com')
        expect(workload(objects).spec.template.metadata.annotations.vClusterConfigHash).not.toBe(DEFAULT_HASH)
      },
    },
    {
      ...golden('registry-default'),
      check: (objects) => {
        expect(syncer(objects).image).toBe(`registry.corp.local/mirror/loft-sh/vcluster-pro:${VCLUSTER_VERSION}`)
        expect(initContainer(objects).image).toBe('registry.corp.local/mirror/loft-sh/kubernetes:v1.36.0')
        expect(etcdImage(objects)).toBe('registry.corp.local/mirror/etcd:3.6.8-0')
      },
    },
    {
      ...golden('registry-explicit'),
      check: (objects) => {
        expect(syncer(objects)).toMatchObject({
          image: 'quay.example.com/team/vcluster-pro:0.36.1-patch1',
          imagePullPolicy: 'IfNotPresent',
        })
        // An empty registry means Docker Hub: no prefix. The explicit tag wins over the host's minor.
        expect(initContainer(objects)).toMatchObject({image: 'k8s-api:v1.34.2', imagePullPolicy: 'Always'})
      },
    },
    {
      ...golden('host-1-33'),
      check: (objects) => {
        expect(initContainer(objects).image).toBe('ghcr.io/loft-sh/kubernetes:v1.33.4')
        // etcd is the release's own default whatever the host: 3.6 data must never be run by an etcd 3.5.
        expect(etcdImage(objects)).toBe('registry.k8s.io/etcd:3.6.8-0')
        expect(roleRules(objects)).not.toContain(RESIZE)
        // config.yaml names the Kubernetes version that actually runs.
        expect(configOf(objects).controlPlane.distro.k8s.image.tag).toBe('v1.33.4')
        expect(configOf(objects).controlPlane.backingStore.etcd.deploy.statefulSet.image.tag).toBe('3.6.8-0')
      },
    },
    {
      ...golden('host-1-35'),
      check: (objects) => {
        expect(initContainer(objects).image).toBe('ghcr.io/loft-sh/kubernetes:v1.35.0')
        expect(roleRules(objects)).toContain(RESIZE)
        expect(roleRules(objects).indexOf(RESIZE)).toBe(2)
      },
    },
    {
      ...golden('host-unsupported'),
      check: (objects) => {
        expect(initContainer(objects).image).toBe('ghcr.io/loft-sh/kubernetes:v1.36.0')
        // The claim retention policy field exists from Kubernetes 1.27 only.
        expect(workload(objects).spec).not.toHaveProperty('persistentVolumeClaimRetentionPolicy')
        expect(workload(objects).spec.volumeClaimTemplates).toHaveLength(1)
      },
    },
    {
      ...golden('host-explicit-tag'),
      check: (objects) => {
        expect(initContainer(objects).image).toBe('ghcr.io/loft-sh/kubernetes:v1.34.1')
        expect(configOf(objects).controlPlane.distro.k8s.image.tag).toBe('v1.34.1')
      },
    },
    {
      ...golden('deprecated-k8s-version'),
      check: (objects) => {
        // As in the chart, the deprecated version wins over image.tag; config.yaml keeps both as the user set them.
        expect(initContainer(objects).image).toBe('ghcr.io/loft-sh/kubernetes:v1.32.9')
        expect(configOf(objects).controlPlane.distro.k8s).toMatchObject({version: 'v1.32.9', image: {tag: 'v1.34.1'}})
      },
    },
  ])
})
