import {describe, expect, it} from 'vitest'
import type {KubeObject} from '../../../src/lib/manifests/index.js'
import {normalizedYaml} from '../../../src/lib/vcluster/upgrade-diff.js'

/** A StatefulSet carrying config secrets where the chart puts the user's values: env vars and extra arguments. */
function statefulSet(password: string, clientSecret: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {name: 'demo', namespace: 'team', resourceVersion: '7', uid: 'u'},
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'syncer',
              image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1',
              env: [
                {name: 'DB_PASSWORD', value: password},
                {name: 'POD_NAME', value: 'demo-0'},
              ],
              args: [`--oidc-client-secret=${clientSecret}`, '--v=2'],
            },
          ],
        },
      },
    },
  } as KubeObject
}

describe("upgrade's diff of an object", () => {
  it('shows config secrets as short hashes, never their content, and the rest as it is', () => {
    const yaml = normalizedYaml(statefulSet('hunter2', 'oidc-s3cret'))
    expect(yaml).not.toContain('hunter2')
    expect(yaml).not.toContain('oidc-s3cret')
    expect(yaml).toMatch(/value: <sha256:[0-9a-f]{12}>/)
    expect(yaml).toContain('value: demo-0')
    expect(yaml).toContain('--v=2')
    expect(yaml).toContain('image: ghcr.io/loft-sh/vcluster-pro:0.36.1')
    expect(yaml).not.toContain('resourceVersion')
  })

  it('still tells a changed secret from an unchanged one (the change is applied)', () => {
    const before = normalizedYaml(statefulSet('hunter2', 'a'))
    expect(normalizedYaml(statefulSet('hunter2', 'a'))).toBe(before)
    expect(normalizedYaml(statefulSet('hunter3', 'a'))).not.toBe(before)
    expect(normalizedYaml(statefulSet('hunter2', 'b'))).not.toBe(before)
  })

  it("shows a Secret's data as hashes", () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {name: 'vc-config-demo'},
      data: {'config.yaml': 'c2VjcmV0'},
    }
    const yaml = normalizedYaml(secret as KubeObject)
    expect(yaml).not.toContain('c2VjcmV0')
    expect(yaml).toMatch(/config.yaml: <sha256:[0-9a-f]{12}>/)
  })
})
