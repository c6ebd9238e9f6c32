/** The control-plane workload: a StatefulSet, or a Deployment when nothing is persistent. */
import {metadata, selectorLabels} from './labels.js'
import {headlessServiceName} from './names.js'
import {volumeClaimTemplates} from './persistence.js'
import {podTemplate} from './pod-spec.js'
import {workloadKind} from './store.js'
import type {KubeObject, RenderInput} from './types.js'
import {hostMinor} from './util.js'

/** StatefulSet-only fields; the claim retention policy exists from Kubernetes 1.27 (assumed when unknown). */
function statefulSetFields(input: RenderInput): Record<string, unknown> {
  const sts = input.config.controlPlane?.statefulSet
  const minor = hostMinor(input.hostVersion)
  const claims = volumeClaimTemplates(input.config)
  return {
    ...(minor === undefined || minor >= 27
      ? {
          persistentVolumeClaimRetentionPolicy: {
            whenDeleted: sts?.persistence?.volumeClaim?.retentionPolicy ?? 'Retain',
          },
        }
      : {}),
    serviceName: headlessServiceName(input.name),
    podManagementPolicy: sts?.scheduling?.podManagementPolicy ?? 'Parallel',
    ...(claims.length > 0 ? {volumeClaimTemplates: claims} : {}),
  }
}

/** A single replica never goes below one ready pod during a rollout; HA replicas roll one at a time. */
function deploymentFields(replicas: number): Record<string, unknown> {
  return {strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: replicas === 1 ? 0 : 1}, type: 'RollingUpdate'}}
}

export function controlPlaneWorkload(input: RenderInput, configHash: string): KubeObject {
  const kind = workloadKind(input.config)
  const sts = input.config.controlPlane?.statefulSet
  const replicas = sts?.highAvailability?.replicas ?? 1
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: metadata(input, input.name, {labels: sts?.labels, annotations: sts?.annotations}),
    spec: {
      selector: {matchLabels: selectorLabels(input.name)},
      ...(kind === 'StatefulSet' ? statefulSetFields(input) : deploymentFields(replicas)),
      replicas,
      template: podTemplate(input, configHash),
    },
  }
}
