import {homedir} from 'node:os'
import {UsageError} from '../errors.js'
import {loadCredentials} from '../kube/credentials.js'
import {existingKubeconfigFiles, selectContext} from '../kubeconfig/resolve.js'

/** Names must fit every object derived from them (pod `<name>-<ordinal>`, `vc-workload-<name>`, DNS labels). */
export function checkVClusterName(name: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 52) {
    throw new UsageError(
      `invalid vCluster name "${name}"`,
      'Use lower-case letters, digits and dashes, starting and ending with a letter or digit, at most 52 characters.',
    )
  }
}

/**
 * THE place where each command's namespace default is decided and said. Kubeconfig and context are chosen the same
 * way for every command, as kubectl does (kubeconfig/resolve.ts: --kubeconfig, else every file in $KUBECONFIG, else
 * ~/.kube/config; --context, else its current-context). The namespace, when -n is not given:
 * - `create`: the context's namespace, or vcluster-NAME when that is empty or `default` (defaultNamespace and
 *   createNamespace below, for create, --dry-run and --print-role alike);
 * - `find` (connect, delete, describe, pause, resume, upgrade): every namespace the user can list, else (listing
 *   them all is forbidden) the context's namespace, else `default` (findVCluster in find.ts);
 * - `list`: all namespaces, with the same fallback (listVClusters in list.ts).
 * Each command's -n help text is its rule's text here (cli/flags.ts kubeFlags); the README's global behaviour says
 * the same.
 */
export const NAMESPACE_RULES = {
  create:
    "Host namespace (default: the context's namespace, or vcluster-NAME when that is empty or `default`; --dry-run=client reads it from the kubeconfig too).",
  find: "Host namespace of the vCluster (default: search every namespace you can list; if that is forbidden, the context's namespace).",
  list: "Only this namespace (default: all namespaces; if that is forbidden, the context's namespace).",
} as const

export type NamespaceRule = keyof typeof NAMESPACE_RULES

/**
 * create's namespace, upstream's rule: -n, else the context's namespace, else vcluster-<name> when that is empty or
 * `default`. The one rule for create, --dry-run (client and server) and --print-role.
 */
export function defaultNamespace(
  name: string,
  selected: {namespace: string; namespaceSource: 'flag' | 'context' | 'default'},
): string {
  if (selected.namespaceSource === 'flag') return selected.namespace
  return selected.namespace === '' || selected.namespace === 'default' ? `vcluster-${name}` : selected.namespace
}

/**
 * create's namespace without a cluster (--dry-run=client, --print-role): the same rule on the context the kubeconfig
 * selects, read as create reads it but never contacting the cluster, so the printed objects and Role are for the
 * namespace create will use. With no kubeconfig at all (or no current context) the context has no namespace.
 */
export async function createNamespace(
  name: string,
  target: {kubeconfig?: string; context?: string; namespace?: string},
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (target.namespace !== undefined)
    return defaultNamespace(name, {namespace: target.namespace, namespaceSource: 'flag'})
  const files = existingKubeconfigFiles(target.kubeconfig, {required: false, env, home: env.HOME ?? homedir()})
  const {doc} = await loadCredentials(files)
  if (target.context === undefined && (doc['current-context'] ?? '') === '')
    return defaultNamespace(name, {namespace: '', namespaceSource: 'default'})
  return defaultNamespace(name, selectContext(doc, files, target))
}
