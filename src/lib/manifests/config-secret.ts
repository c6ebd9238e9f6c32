/** The config Secret `vc-config-<name>`: what the syncer reads at /var/lib/vcluster/config.yaml. */
import {createHash} from 'node:crypto'
import {hostMatchedKubernetesTag} from '../versions.js'
import {userKubernetesTag} from './images.js'
import {metadata} from './labels.js'
import {configSecretName} from './names.js'
import type {KubeObject, RenderInput} from './types.js'
import {copy} from './util.js'
import {toYamlText} from './yaml-emit.js'

export const CONFIG_KEY = 'config.yaml'
export const USER_VALUES_KEY = 'user-values.yaml'

/**
 * What config.yaml holds: the resolved config (the chart's values.yaml coalesced with the user's, as helm stores it),
 * plus one difference from a helm install: when the user chose no Kubernetes version, the host-matched tag we run is
 * written as if the user had set it (docs/decisions.md), so config.yaml names the version that actually runs.
 */
export function effectiveConfig(input: RenderInput): Record<string, unknown> {
  const config = copy(input.config)
  const matched = userKubernetesTag(input.values) === undefined ? hostMatchedKubernetesTag(input.hostVersion) : undefined
  const k8sImage = config.controlPlane?.distro?.k8s?.image
  if (matched !== undefined && k8sImage !== undefined) k8sImage.tag = matched
  return config as Record<string, unknown>
}

/** Deterministic YAML: key order follows the resolved config, no line folding (the `yaml` package's output). */
export function toYaml(value: unknown): string {
  return toYamlText(value)
}

export function configYaml(input: RenderInput): string {
  return toYaml(effectiveConfig(input))
}

/** The pod annotation `vClusterConfigHash`: any config change rolls the control-plane pods. */
export function configHash(configText: string): string {
  return createHash('sha256').update(configText).digest('hex')
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

export function configSecret(input: RenderInput, configText: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(input, configSecretName(input.name)),
    type: 'Opaque',
    data: {[CONFIG_KEY]: base64(configText), [USER_VALUES_KEY]: base64(toYaml(input.values))},
  }
}
