/** Plugins (v2): init containers that copy plugin binaries into a shared `plugins` volume. */
import type {VClusterConfig} from '../config/schema/index.js'
import {pluginImage} from './images.js'
import type {RenderInput} from './types.js'
import {copy, isSet} from './util.js'
import {compareStrings} from '../compare.js'

interface PluginSpec {
  name?: string | undefined
  image?: string | undefined
  imagePullPolicy?: string | undefined
  command?: string[] | undefined
  args?: string[] | undefined
  securityContext?: Record<string, unknown> | undefined
  resources?: Record<string, unknown> | undefined
  volumeMounts?: unknown[] | undefined
  version?: string | undefined
}

/** The plugins that run as init containers: legacy `plugin` entries of version v2, then `plugins`, each in key order. */
export function initPlugins(config: VClusterConfig): [string, PluginSpec][] {
  const legacy = Object.entries((config.plugin ?? {}) as Record<string, PluginSpec>).filter(
    ([, p]) => p.version === 'v2',
  )
  const current = Object.entries((config.plugins ?? {}) as Record<string, PluginSpec>)
  const byKey = (a: [string, PluginSpec], b: [string, PluginSpec]) => compareStrings(a[0], b[0])
  return [...legacy.sort(byKey), ...current.sort(byKey)].filter(([, p]) => isSet(p.image))
}

export function hasPlugins(config: VClusterConfig): boolean {
  return initPlugins(config).length > 0
}

export function pluginInitContainers(input: RenderInput): Record<string, unknown>[] {
  return initPlugins(input.config).map(([key, plugin]) => {
    const custom = isSet(plugin.command) || isSet(plugin.args)
    return {
      name: isSet(plugin.name) ? plugin.name : key,
      image: pluginImage(input, plugin.image ?? ''),
      ...(isSet(plugin.imagePullPolicy) ? {imagePullPolicy: plugin.imagePullPolicy} : {}),
      ...(custom
        ? {
            ...(isSet(plugin.command) ? {command: copy(plugin.command)} : {}),
            ...(isSet(plugin.args) ? {args: copy(plugin.args)} : {}),
          }
        : {command: ['sh'], args: ['-c', `cp -r /plugin /plugins/${key}`]}),
      ...(isSet(plugin.securityContext) ? {securityContext: copy(plugin.securityContext)} : {}),
      volumeMounts: isSet(plugin.volumeMounts) ? copy(plugin.volumeMounts) : [{mountPath: '/plugins', name: 'plugins'}],
      ...(isSet(plugin.resources) ? {resources: copy(plugin.resources)} : {}),
    }
  })
}
