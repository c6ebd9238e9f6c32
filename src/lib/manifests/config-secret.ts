/** The config Secret `vc-config-<name>`: what the syncer reads at /var/lib/vcluster/config.yaml. */
import {createHash} from 'node:crypto'
import {hostMatchedKubernetesTag} from '../versions.js'
import type {VClusterConfig} from '../config/schema/index.js'
import {isPlainObject} from '../config/set-values.js'
import {addKubeVipCapabilities} from './containers.js'
import {userKubernetesTag} from './images.js'
import {metadata} from './labels.js'
import {configSecretName} from './names.js'
import type {KubeObject, RenderInput} from './types.js'
import {copy} from './util.js'
import {toYamlText} from './yaml-emit.js'

export const CONFIG_KEY = 'config.yaml'
export const USER_VALUES_KEY = 'user-values.yaml'

/**
 * The values the chart's templates see: the resolved config (the chart's values.yaml coalesced with the user's), plus
 * our one difference from a helm install: when the user chose no Kubernetes version, the host-matched tag we run, as
 * if the user had set it (docs/decisions.md), so config.yaml names the version that actually runs.
 */
function renderValues(input: RenderInput): Record<string, unknown> {
  const config = copy(input.config)
  const matched =
    userKubernetesTag(input.values) === undefined ? hostMatchedKubernetesTag(input.hostVersion) : undefined
  const k8sImage = config.controlPlane?.distro?.k8s?.image
  if (matched !== undefined && k8sImage !== undefined) k8sImage.tag = matched
  return config as Record<string, unknown>
}

/**
 * What config.yaml holds: the chart writes `.Values | toYaml`, after its statefulset.yaml has added kube-vip's
 * capabilities into `.Values`' own containerSecurityContext (sprig `merge` onto the values map, then `set`). The
 * syncer reads that document, so ours carries the same.
 */
export function effectiveConfig(input: RenderInput): Record<string, unknown> {
  const config = renderValues(input) as VClusterConfig
  const context = config.controlPlane?.statefulSet?.security?.containerSecurityContext
  if (config.controlPlane?.advanced?.kubeVip?.enabled === true && isPlainObject(context))
    addKubeVipCapabilities(context)
  return config as Record<string, unknown>
}

/** Deterministic YAML: key order follows the resolved config, no line folding (the `yaml` package's output). */
export function toYaml(value: unknown): string {
  return toYamlText(value)
}

export function configYaml(input: RenderInput): string {
  return toYaml(effectiveConfig(input))
}

/**
 * The pod annotation `vClusterConfigHash`: a config change rolls the control-plane pods. As the chart's, it leaves out
 * `privateNodes.autoNodes` (node pool changes must not restart the control plane) and kube-vip's addition. It hashes
 * the values as JSON (key order is deterministic; a second YAML rendering would cost milliseconds per create), so its
 * value differs from helm's, which hashes its own YAML text (docs/decisions.md).
 */
export function configHash(input: RenderInput): string {
  const values = renderValues(input) as {privateNodes?: Record<string, unknown>}
  if (isPlainObject(values.privateNodes)) delete values.privateNodes.autoNodes
  return createHash('sha256').update(JSON.stringify(values)).digest('hex')
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
