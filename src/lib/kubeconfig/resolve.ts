import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'
import {NotFoundError, UsageError} from '../errors.js'

export interface NamedEntry {
  name: string
  [key: string]: unknown
}

export interface ContextEntry {
  name: string
  context?: {cluster?: string; user?: string; namespace?: string}
}

export interface KubeconfigDoc {
  clusters?: NamedEntry[]
  contexts?: ContextEntry[]
  users?: NamedEntry[]
  'current-context'?: string
  [key: string]: unknown
}

export interface KubeSelection {
  /** The kubeconfig files in kubectl's precedence order. */
  files: string[]
  contextName: string
  cluster: string
  user: string
  /** The namespace to use: the flag, else the context's, else `default`. */
  namespace: string
  /** Where the namespace came from; `create` treats a defaulted one differently. */
  namespaceSource: 'flag' | 'context' | 'default'
}

/** kubectl's rule: --kubeconfig alone; else every file in $KUBECONFIG; else ~/.kube/config. */
export function kubeconfigFiles(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string[] {
  if (flag !== undefined && flag !== '') return [flag]
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '')
  if (fromEnv.length > 0) return [...new Set(fromEnv)]
  return [join(home, '.kube', 'config')]
}

/**
 * The kubeconfig files a command reads, the one place every command decides them (connectKube, create's namespace
 * without a cluster, disconnect): kubeconfigFiles' rule, missing $KUBECONFIG entries skipped as kubectl skips them, a
 * missing --kubeconfig refused. `required`: no file at all is a usage error with `hint`; otherwise an empty list.
 */
export function existingKubeconfigFiles(
  flag: string | undefined,
  options: {required: boolean; hint?: string; env?: NodeJS.ProcessEnv; home?: string},
): string[] {
  if (flag !== undefined && flag !== '' && !existsSync(flag)) {
    throw new UsageError(`kubeconfig ${flag} does not exist`, 'Check the path given to --kubeconfig.')
  }
  const files = kubeconfigFiles(flag, options.env, options.home).filter((f) => existsSync(f))
  if (files.length === 0 && options.required) {
    throw new UsageError(
      'no kubeconfig found',
      options.hint ?? 'Point --kubeconfig or KUBECONFIG at the kubeconfig of your host cluster.',
    )
  }
  return files
}

/** Merges kubeconfigs as kubectl does: the first file to define a name (or current-context) wins. */
export function mergeKubeconfigs(docs: readonly KubeconfigDoc[]): KubeconfigDoc {
  const merged: Required<Pick<KubeconfigDoc, 'clusters' | 'contexts' | 'users'>> & KubeconfigDoc = {
    clusters: [],
    contexts: [],
    users: [],
  }
  for (const doc of docs) {
    for (const key of ['clusters', 'contexts', 'users'] as const) {
      for (const entry of (doc[key] ?? []) as NamedEntry[]) {
        if (!(merged[key] as NamedEntry[]).some((e) => e.name === entry.name)) (merged[key] as NamedEntry[]).push(entry)
      }
    }
    if (merged['current-context'] === undefined && doc['current-context'])
      merged['current-context'] = doc['current-context']
  }
  return merged
}

/** Picks the context and namespace from flags and the merged kubeconfig, with errors that say what exists. */
export function selectContext(
  merged: KubeconfigDoc,
  files: string[],
  flags: {context?: string; namespace?: string},
): KubeSelection {
  const contexts = merged.contexts ?? []
  const contextName = flags.context ?? merged['current-context'] ?? ''
  if (contextName === '') {
    throw new UsageError(
      `no current context in ${files.join(', ')}`,
      contexts.length > 0
        ? `Pick one with --context (${contexts.map((c) => c.name).join(', ')}).`
        : 'Point --kubeconfig or KUBECONFIG at a kubeconfig for your cluster.',
    )
  }
  const entry = contexts.find((c) => c.name === contextName)
  if (entry === undefined) {
    const known = contexts.map((c) => c.name).join(', ') || 'none'
    throw new NotFoundError(`context "${contextName}" not found in ${files.join(', ')}`, `Known contexts: ${known}.`)
  }
  const ctxNamespace = entry.context?.namespace ?? ''
  const namespace = flags.namespace ?? (ctxNamespace !== '' ? ctxNamespace : 'default')
  const namespaceSource = flags.namespace !== undefined ? 'flag' : ctxNamespace !== '' ? 'context' : 'default'
  return {
    files,
    contextName,
    cluster: entry.context?.cluster ?? '',
    user: entry.context?.user ?? '',
    namespace,
    namespaceSource,
  }
}
