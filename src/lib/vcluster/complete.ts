import {connectKube} from '../kube/client.js'
import {collectionPath} from '../kube/resources.js'
import type {CompletionRequest} from '../ui/completion.js'
import {findVClusters} from './find.js'

const TIMEOUT_MS = 2000

/** vCluster names or namespaces from the current context, or nothing after a short timeout. */
export async function completeFromCluster(
  request: Extract<CompletionRequest, {kind: 'vclusters' | 'namespaces'}>,
): Promise<string[]> {
  const work = (async () => {
    const client = await connectKube({})
    try {
      if (request.kind === 'namespaces') {
        const list = await client.request<{items: {metadata: {name: string}}[]}>({path: collectionPath('Namespace')})
        return list.items.map((n) => n.metadata.name)
      }
      const found = await findVClusters(client, {namespace: request.namespace}).catch(() =>
        findVClusters(client, {namespace: client.selection.namespace}),
      )
      return [...new Set(found.map((v) => v.name))]
    } finally {
      client.close()
    }
  })()
  const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), TIMEOUT_MS).unref())
  const names = await Promise.race([work.catch(() => []), timeout])
  return names.filter((n) => n.startsWith(request.prefix)).sort()
}
