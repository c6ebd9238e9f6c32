import type {ConfigProblem} from '../errors.js'
import {renderManifests} from '../manifests/index.js'
import type {KubeObject} from '../manifests/types.js'
import {loadCreateConfig} from './create.js'
import {checkVClusterName} from './names.js'

/** Renders the manifests create would apply, without a cluster (--dry-run=client). */
export async function renderDryRun(options: {name: string; namespace?: string; files?: string[]; sets?: string[]; expose?: boolean}): Promise<{objects: KubeObject[]; warnings: ConfigProblem[]}> {
  checkVClusterName(options.name)
  const loaded = await loadCreateConfig(options)
  const namespace = options.namespace ?? `vcluster-${options.name}`
  return {objects: renderManifests({name: options.name, namespace, config: loaded.config, values: loaded.values}), warnings: loaded.warnings}
}
