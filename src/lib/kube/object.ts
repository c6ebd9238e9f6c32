/** A Kubernetes object as plain data, ready for server-side apply. */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    [key: string]: unknown
  }
  [key: string]: unknown
}

/**
 * The label selector of a vCluster's control plane objects (StatefulSet or Deployment, its pods, Services), as the
 * release's chart labels them: `app=vcluster`, and `release=NAME` for one vCluster; every vCluster without a name.
 */
export function vclusterSelector(name?: string): string {
  return name === undefined ? 'app=vcluster' : `app=vcluster,release=${name}`
}

/** The label selector of a vCluster's deployed etcd (controlPlane.backingStore.etcd.deploy). */
export function etcdSelector(name: string): string {
  return `app=vcluster-etcd,release=${name}`
}
