/** Image references: registry rules and tags as in the chart, except the host-matched Kubernetes tag (versions.ts). */
import {getPath} from '../config/merge.js'
import {VCLUSTER_VERSION, hostMatchedKubernetesTag} from '../versions.js'
import type {RenderInput} from './types.js'

export interface ImageParts {
  registry?: string | undefined
  repository?: string | undefined
  tag?: string | undefined
}

/** `controlPlane.advanced.defaultImageRegistry` replaces the registry; an empty registry means Docker Hub. */
export function imageRef(defaultRegistry: string | undefined, parts: ImageParts, tag: string): string {
  const registry = defaultRegistry !== undefined && defaultRegistry !== '' ? defaultRegistry : parts.registry
  const repository = parts.repository ?? ''
  return registry !== undefined && registry !== '' ? `${registry}/${repository}:${tag}` : `${repository}:${tag}`
}

function defaultRegistry(input: RenderInput): string | undefined {
  return input.config.controlPlane?.advanced?.defaultImageRegistry
}

function userString(values: Record<string, unknown>, path: string): string | undefined {
  const value = getPath(values, path)
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * The Kubernetes tag the user chose, from their values (the resolved config always has the default filled in).
 * The deprecated `distro.k8s.version` wins over `image.tag`, as in the chart.
 */
export function userKubernetesTag(values: Record<string, unknown>): string | undefined {
  return (
    userString(values, 'controlPlane.distro.k8s.version') ?? userString(values, 'controlPlane.distro.k8s.image.tag')
  )
}

/**
 * The Kubernetes tag we run: the user's, else the one matching the host's minor (our documented difference from the
 * chart), else the chart's default from the resolved config.
 */
export function kubernetesTag(input: RenderInput): string {
  return (
    userKubernetesTag(input.values) ??
    hostMatchedKubernetesTag(input.hostVersion) ??
    String(input.config.controlPlane?.distro?.k8s?.image?.tag ?? '')
  )
}

/** The tag of the image the Kubernetes binaries come from; private nodes use the `-full` variant. */
export function kubernetesImageTag(input: RenderInput): string {
  const tag = kubernetesTag(input)
  return input.config.privateNodes?.enabled === true ? `${tag}-full` : tag
}

export function kubernetesImage(input: RenderInput): string {
  return imageRef(
    defaultRegistry(input),
    input.config.controlPlane?.distro?.k8s?.image ?? {},
    kubernetesImageTag(input),
  )
}

/** The syncer (control plane) image; its tag defaults to the vCluster release we target. */
export function syncerImage(input: RenderInput): string {
  const image = input.config.controlPlane?.statefulSet?.image ?? {}
  const tag = image.tag !== undefined && image.tag !== '' ? image.tag : VCLUSTER_VERSION
  return imageRef(defaultRegistry(input), image, tag)
}

/** The deployed etcd's image: the resolved config's, whose tag is the chart default (etcd 3.6) unless the user set one. */
export function etcdImage(input: RenderInput): string {
  const image = input.config.controlPlane?.backingStore?.etcd?.deploy?.statefulSet?.image ?? {}
  return imageRef(defaultRegistry(input), image, image.tag ?? '')
}

/** Plugin images are full references; only defaultImageRegistry is put in front of them. */
export function pluginImage(input: RenderInput, image: string): string {
  const registry = defaultRegistry(input)
  return registry !== undefined && registry !== '' ? `${registry}/${image}` : image
}
