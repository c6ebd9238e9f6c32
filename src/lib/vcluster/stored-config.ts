import {parse} from 'yaml'
import {resolveValues} from '../config/load.js'
import {InvalidConfigError} from '../errors.js'
import type {KubeClient} from '../kube/client.js'
import {collectionPath} from '../kube/resources.js'
import {CONFIG_KEY, USER_VALUES_KEY, configSecretName} from '../manifests/index.js'

export interface StoredConfig {
  /** What the user set; for a vCluster made by upstream (no user-values key), its whole stored config. */
  values: Record<string, unknown>
  /** The resolved config the running vCluster was given. */
  resolved: Record<string, unknown>
  madeByUs: boolean
}

const decode = (data: string | undefined): Record<string, unknown> | undefined =>
  data === undefined
    ? undefined
    : ((parse(Buffer.from(data, 'base64').toString('utf8')) ?? {}) as Record<string, unknown>)

/** Reads `vc-config-<name>`; undefined when the Secret does not exist. */
export async function readStoredConfig(
  client: KubeClient,
  name: string,
  namespace: string,
): Promise<StoredConfig | undefined> {
  const secret = await client.request<{data?: Record<string, string>} | undefined>({
    path: `${collectionPath('Secret', namespace)}/${configSecretName(name)}`,
    allow: [404],
  })
  if (secret === undefined) return undefined
  const resolved = decode(secret.data?.[CONFIG_KEY]) ?? {}
  const values = decode(secret.data?.[USER_VALUES_KEY])
  return {values: values ?? resolved, resolved, madeByUs: values !== undefined}
}

/**
 * The stored values must still fit this CLI's schema before anything is layered on top; each key that does not is
 * named, positioned at the stored Secret.
 */
export function checkStoredValues(name: string, stored: StoredConfig): void {
  const source = `${configSecretName(name)} (stored config)`
  try {
    resolveValues(stored.values, () => ({source, line: 1, col: 1}))
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error
    const problems = error.problems.map((p) => ({...p, line: undefined, col: undefined}))
    const next = new InvalidConfigError(problems)
    Object.defineProperty(next, 'hint', {
      value:
        'The stored config does not fit this CLI version. Override those keys with --set key=null, or start over with --reset-values -f <your vcluster.yaml>.',
    })
    throw next
  }
}
