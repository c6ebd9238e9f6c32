/**
 * Every version default in one place. The manifests we render must be ones this upstream vCluster release runs
 * with; bump these together (see ../shared/reference/decisions.md, "Target vCluster release").
 */

/** The upstream vCluster release whose image and chart layout we render (syncer image tag). */
export const VCLUSTER_VERSION = '0.36.1'

/** Chart label value upstream puts on its objects; kept so upstream tooling recognises ours. */
export const CHART_LABEL = `vcluster-${VCLUSTER_VERSION}`

/** Default tag of ghcr.io/loft-sh/kubernetes when the host's minor is not supported. */
export const DEFAULT_K8S_TAG = 'v1.36.0'

/** Kubernetes image tag for each supported minor; used when the tag is left default (config reference). */
export const K8S_TAG_BY_MINOR: Readonly<Record<string, string>> = {
  '1.36': 'v1.36.0',
  '1.35': 'v1.35.0',
  '1.34': 'v1.34.0',
  '1.33': 'v1.33.4',
  '1.32': 'v1.32.1',
  '1.31': 'v1.31.1',
  '1.30': 'v1.30.2',
}

/** etcd image (for backingStore.etcd.deploy) matching each Kubernetes minor. */
export const ETCD_TAG_BY_MINOR: Readonly<Record<string, string>> = {
  '1.36': '3.6.8-0',
  '1.35': '3.6.7-0',
  '1.34': '3.6.4-0',
  '1.33': '3.5.21-0',
  '1.32': '3.5.21-0',
  '1.31': '3.5.15-0',
  '1.30': '3.5.13-0',
}

export const DEFAULT_ETCD_TAG = '3.6.8-0'

/** `v1.33.4` → `1.33`; undefined for anything else. */
export function minorOf(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version)
  return m === null ? undefined : `${m[1]}.${m[2]}`
}

/**
 * The Kubernetes image tag to run: the tag the user set (from their values, not the resolved config, whose
 * default is always filled in), else the host's minor when supported, else the default.
 */
export function kubernetesTag(userTag: string | undefined, hostVersion: string | undefined): string {
  if (userTag !== undefined && userTag !== '') return userTag
  const minor = hostVersion === undefined ? undefined : minorOf(hostVersion)
  return (minor !== undefined ? K8S_TAG_BY_MINOR[minor] : undefined) ?? DEFAULT_K8S_TAG
}
