import {UsageError} from '../errors.js'

/** Names must fit every object derived from them (pod `<name>-<ordinal>`, `vc-workload-<name>`, DNS labels). */
export function checkVClusterName(name: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 52) {
    throw new UsageError(
      `invalid vCluster name "${name}"`,
      'Use lower-case letters, digits and dashes, starting and ending with a letter or digit, at most 52 characters.',
    )
  }
}

/** Upstream's rule: -n, else the context's namespace, else vcluster-<name> when that is empty or `default`. */
export function defaultNamespace(name: string, selected: {namespace: string; namespaceSource: 'flag' | 'context' | 'default'}): string {
  if (selected.namespaceSource === 'flag') return selected.namespace
  return selected.namespace === '' || selected.namespace === 'default' ? `vcluster-${name}` : selected.namespace
}
