/** The control plane's ServiceAccount and the one synced workloads run as on the host. */
import {metadata} from './labels.js'
import {serviceAccountName, workloadServiceAccountName} from './names.js'
import type {KubeObject, RenderInput} from './types.js'
import {copy, present} from './util.js'

type PullSecrets = {name?: string | undefined}[]

function serviceAccount(
  input: RenderInput,
  name: string,
  sa: {labels?: Record<string, string>; annotations?: Record<string, string>} | undefined,
  pullSecrets: PullSecrets,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(input, name, {labels: sa?.labels, annotations: sa?.annotations}),
    ...(pullSecrets.length > 0 ? {imagePullSecrets: copy(pullSecrets)} : {}),
  }
}

export function serviceAccounts(input: RenderInput): KubeObject[] {
  const advanced = input.config.controlPlane?.advanced
  const controlPlane = advanced?.serviceAccount
  const workload = advanced?.workloadServiceAccount
  const controlPlaneSecrets = controlPlane?.imagePullSecrets ?? []
  return present([
    controlPlane?.enabled !== false &&
      serviceAccount(input, serviceAccountName(input.config, input.name), controlPlane, controlPlaneSecrets),
    // Workload pods may pull from both registries, so the workload SA gets the union of both lists.
    workload?.enabled !== false &&
      serviceAccount(input, workloadServiceAccountName(input.config, input.name), workload, [
        ...controlPlaneSecrets,
        ...(workload?.imagePullSecrets ?? []),
      ]),
  ])
}
