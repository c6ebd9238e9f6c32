// What sandbox.ts hands to inner.ts (as JSON): everything the container needs, computed from the pod object.
import type {Mount} from './volumes.js'

export interface SandboxPlan {
  /** namespace/pod, for log lines */
  name: string
  hostname: string
  /** The container's root (recreated for every start, like a container's writable layer). */
  rootfs: string
  /** Image files: host file → path in the root, read-only (the vcluster binary at /vcluster). */
  files: Array<{source: string; target: string}>
  /** The pod's volumes, in the container's volumeMounts order. */
  mounts: Mount[]
  argv: string[]
  env: Record<string, string>
  /** Inside, 127.0.0.1:apiPort is bridged to the host API server through apiSocket. */
  apiPort: number
  apiSocket: string
  /** Inside, 127.0.0.1:port is reachable from the host through socket (the host side listens on TCP). */
  podPorts: Array<{port: number; socket: string}>
  /**
   * When set, the container runs under strace, which appends every connect/send call of it and its children to this
   * file (pod annotation TRACE_ANNOTATION: the egress test checks what a real vCluster tries to reach).
   */
  trace?: string
}

/** Pod annotation asking the rig to record the container's connect/send calls (plan.trace). */
export const TRACE_ANNOTATION = 'vcluster-ts.test/trace-egress'
