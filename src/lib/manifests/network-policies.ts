/** NetworkPolicies that isolate the vCluster's workloads and control plane (`policies.networkPolicy.enabled`). */
import {metadata} from './labels.js'
import type {KubeObject, RenderInput} from './types.js'
import {copy} from './util.js'

type Obj = Record<string, unknown>

const managedBy = (name: string): Obj => ({podSelector: {matchLabels: {'vcluster.loft.sh/managed-by': name}}})
const release = (name: string): Obj => ({podSelector: {matchLabels: {release: name}}})
const hostDns: Obj = {
  namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'kube-system'}},
  podSelector: {matchLabels: {'k8s-app': 'kube-dns'}},
}
const platform: Obj = {podSelector: {matchLabels: {app: 'loft'}}, namespaceSelector: {}}
const snapshot: Obj = {podSelector: {matchLabels: {app: 'vcluster-snapshot'}}}
const port = (p: number, protocol = 'TCP'): Obj => ({port: p, protocol})
const dnsAndApi = [port(1053, 'UDP'), port(1053), port(8443)]

function policy(input: RenderInput, name: string, podSelector: Obj, egress: Obj[], ingress?: Obj[]): KubeObject {
  const np = input.config.policies?.networkPolicy
  const meta = metadata(input, name, {
    labels: np?.labels,
    annotations: np?.annotations,
    globalWins: true,
    commonLabelsWin: true,
  })
  // The chart writes its annotations map even when empty.
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {...meta, annotations: meta.annotations ?? {}},
    spec: {podSelector, policyTypes: ['Egress', 'Ingress'], egress, ...(ingress !== undefined ? {ingress} : {})},
  }
}

/** Workloads reach the vCluster's DNS and API, each other, and (optionally) public addresses. */
function workloadPolicy(input: RenderInput): KubeObject {
  const workload = input.config.policies?.networkPolicy?.workload
  const pub = workload?.publicEgress
  const egress: Obj[] = [
    {ports: dnsAndApi, to: [release(input.name)]},
    {to: [managedBy(input.name)]},
    ...(pub?.enabled !== false
      ? [{to: [{ipBlock: {cidr: pub?.cidr ?? '0.0.0.0/0', except: copy(pub?.except ?? [])}}]}]
      : []),
    ...copy((workload?.egress ?? []) as Obj[]),
  ]
  const ingress: Obj[] = [
    {from: [release(input.name)]},
    {from: [managedBy(input.name)]},
    ...copy((workload?.ingress ?? []) as Obj[]),
  ]
  return policy(
    input,
    `vc-work-${input.name}`,
    {matchLabels: {'vcluster.loft.sh/managed-by': input.name}},
    egress,
    ingress,
  )
}

/** The control plane reaches host DNS and the host API, its peers, its workloads and the platform. */
function controlPlanePolicy(input: RenderInput): KubeObject {
  const cp = input.config.policies?.networkPolicy?.controlPlane
  const egress: Obj[] = [
    {to: [hostDns]},
    {ports: [port(443), port(8443), port(6443)]},
    {to: [release(input.name)]},
    {to: [managedBy(input.name)]},
    {to: [platform]},
    ...copy((cp?.egress ?? []) as Obj[]),
  ]
  const ingress: Obj[] = [
    // External clients (kubectl, ingress controllers, konnectivity agents) reach the API server.
    {ports: [port(8443)]},
    {from: [release(input.name)]},
    {ports: dnsAndApi, from: [managedBy(input.name)]},
    {from: [snapshot]},
    {from: [platform]},
    ...copy((cp?.ingress ?? []) as Obj[]),
  ]
  return policy(input, `vc-cp-${input.name}`, {matchLabels: {release: input.name}}, egress, ingress)
}

/** The synced CoreDNS pod reaches host DNS and the control plane, and serves the workloads. */
function kubeDnsPolicy(input: RenderInput): KubeObject {
  const egress: Obj[] = [{to: [hostDns]}, {ports: [port(8443)], to: [release(input.name)]}]
  const ingress: Obj[] = [{ports: [port(1053), port(1053, 'UDP')], from: [managedBy(input.name)]}]
  const selector = {matchLabels: {'k8s-app': 'vcluster-kube-dns', 'vcluster.loft.sh/managed-by': input.name}}
  return policy(input, `vc-kube-dns-${input.name}`, selector, egress, ingress)
}

/** Snapshot pods reach the control plane, host DNS and the host API; nothing reaches them. */
function snapshotPolicy(input: RenderInput): KubeObject {
  const egress: Obj[] = [{to: [release(input.name)]}, {to: [hostDns]}, {ports: [port(443), port(8443), port(6443)]}]
  return policy(input, `vc-snapshot-${input.name}`, snapshot.podSelector as Obj, egress)
}

/** As the chart: with private nodes no workload runs on the host, so no workload or CoreDNS policy. */
export function networkPolicies(input: RenderInput): KubeObject[] {
  if (input.config.policies?.networkPolicy?.enabled !== true) return []
  const hostPods = input.config.privateNodes?.enabled !== true
  const coredns = input.config.controlPlane?.coredns
  const dnsPod = coredns?.enabled === true && coredns.embedded !== true && hostPods
  return [
    ...(hostPods ? [workloadPolicy(input)] : []),
    controlPlanePolicy(input),
    ...(dnsPod ? [kubeDnsPolicy(input)] : []),
    snapshotPolicy(input),
  ]
}
