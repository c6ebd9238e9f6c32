/** The control-plane pod template. */
import {containers, initContainers} from './containers.js'
import {selectorLabels} from './labels.js'
import {serviceAccountName} from './names.js'
import {volumes} from './persistence.js'
import type {RenderInput} from './types.js'
import {compact, copy} from './util.js'

/** Scheduling, DNS and security keys appear only when set, as in the chart. */
function optionalPodFields(input: RenderInput): Record<string, unknown> {
  const sts = input.config.controlPlane?.statefulSet
  const scheduling = sts?.scheduling
  return compact({
    priorityClassName: scheduling?.priorityClassName,
    securityContext: copy(sts?.security?.podSecurityContext),
    nodeSelector: copy(scheduling?.nodeSelector),
    affinity: copy(scheduling?.affinity),
    topologySpreadConstraints: copy(scheduling?.topologySpreadConstraints),
    tolerations: copy(scheduling?.tolerations),
    dnsPolicy: sts?.dnsPolicy,
    dnsConfig: copy(sts?.dnsConfig),
    runtimeClassName: sts?.runtimeClassName,
  })
}

export function podTemplate(input: RenderInput, configHash: string): Record<string, unknown> {
  const sts = input.config.controlPlane?.statefulSet
  return {
    metadata: {
      annotations: {vClusterConfigHash: configHash, ...(sts?.pods?.annotations ?? {})},
      labels: {...selectorLabels(input.name), ...(sts?.pods?.labels ?? {})},
    },
    spec: {
      ...compact({hostAliases: copy(sts?.hostAliases)}),
      terminationGracePeriodSeconds: 15,
      ...optionalPodFields(input),
      serviceAccountName: serviceAccountName(input.config, input.name),
      volumes: volumes(input),
      initContainers: initContainers(input),
      enableServiceLinks: sts?.enableServiceLinks ?? true,
      containers: containers(input),
    },
  }
}
