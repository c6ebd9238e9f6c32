/**
 * Every version default in one place. The manifests we render must be ones this upstream vCluster release runs
 * with; bump these together (see ../shared/reference/decisions.md, "Target vCluster release").
 */

/** The upstream vCluster release whose image and chart layout we render (syncer image tag). */
export const VCLUSTER_VERSION = '0.36.1'

/** Chart label value upstream puts on its objects; kept so upstream tooling recognises ours. */
export const CHART_LABEL = `vcluster-${VCLUSTER_VERSION}`

/**
 * Kubernetes image tag for each supported minor (upstream's `config.K8SVersionMap` of the release). We run the host's
 * minor when the user set no tag; the release's chart and CLI always run the chart default (values.yaml), so this is
 * a documented difference (docs/decisions.md). Any other default, the etcd image included, is the chart's.
 */
export const K8S_TAG_BY_MINOR: Readonly<Record<string, string>> = {
  '1.36': 'v1.36.0',
  '1.35': 'v1.35.0',
  '1.34': 'v1.34.0',
  '1.33': 'v1.33.4',
  '1.32': 'v1.32.1',
  '1.31': 'v1.31.1',
  '1.30': 'v1.30.2',
}

/** `v1.33.4` → `1.33`; undefined for anything else. */
export function minorOf(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version)
  return m === null ? undefined : `${m[1]}.${m[2]}`
}

/** The Kubernetes tag matching the host's minor; undefined when the host is unknown or its minor not supported. */
export function hostMatchedKubernetesTag(hostVersion: string | undefined): string | undefined {
  const minor = hostVersion === undefined ? undefined : minorOf(hostVersion)
  return minor === undefined ? undefined : K8S_TAG_BY_MINOR[minor]
}

/**
 * The Kubernetes version we render for when the host's is unknown (`--dry-run=client`, `--print-role`): the newest
 * minor we support, as `helm template` renders for its own newest (helm 3.21: Kubernetes 1.36) without a cluster.
 */
export const NEWEST_KUBERNETES = `v${
  Object.keys(K8S_TAG_BY_MINOR)
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .at(-1) ?? ''
}.0`
