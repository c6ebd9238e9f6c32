/** Building blocks shared by several areas of the vcluster.yaml schema (upstream's reused Go structs). */
import {
  autoBool,
  bool,
  closed,
  enumList,
  list,
  looseObjList,
  looseStringMap,
  object,
  objList,
  oneOf,
  openObject,
  required,
  str,
  stringMap,
  strList,
  type AutoBool,
} from './helpers.js'

/** Kubernetes image pull policies; the empty string leaves the choice to Kubernetes. */
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never', ''] as const

export function pullPolicy(description: string, def?: '' | 'Always' | 'IfNotPresent' | 'Never') {
  return def === undefined
    ? oneOf('kubernetes-values', PULL_POLICIES, description)
    : oneOf('kubernetes-values', PULL_POLICIES, def, description)
}

/** PersistentVolumeClaim access modes. */
export const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const

export function accessModes(description: string, def?: Array<(typeof ACCESS_MODES)[number]>) {
  return def === undefined
    ? enumList('kubernetes-values', ACCESS_MODES, description)
    : enumList('kubernetes-values', ACCESS_MODES, def, description)
}

/** An image split into registry, repository and tag (upstream's `Image`). */
export function image(description: string, def: {registry?: string; repository?: string; tag?: string} = {}) {
  return closed(
    {
      registry:
        def.registry === undefined
          ? str('Registry of the image, e.g. ghcr.io; empty means Docker Hub.')
          : str(def.registry, 'Registry of the image, e.g. ghcr.io; empty means Docker Hub.'),
      repository:
        def.repository === undefined
          ? str('Repository of the image, e.g. my-org/my-image.')
          : str(def.repository, 'Repository of the image, e.g. my-org/my-image.'),
      tag: def.tag === undefined ? str('Tag of the image.') : str(def.tag, 'Tag of the image.'),
    },
    description,
  )
}

/** Extra `annotations` and `labels` for a rendered object (upstream's inlined `LabelsAndAnnotations`). */
export function labelsAndAnnotations(withDefaults: boolean) {
  return withDefaults
    ? {
        annotations: stringMap({}, 'Extra annotations for this object.'),
        labels: stringMap({}, 'Extra labels for this object.'),
      }
    : {annotations: stringMap('Extra annotations for this object.'), labels: stringMap('Extra labels for this object.')}
}

/** `{annotations, labels}` as a nested object, e.g. for pods. */
export function podMetadata(description: string, withDefaults: boolean) {
  return closed(labelsAndAnnotations(withDefaults), description)
}

/** Container resources: free-form `limits` and `requests` quantities. */
export function resources(
  description: string,
  def: {limits?: Record<string, unknown>; requests?: Record<string, unknown>} = {},
) {
  return closed(
    {
      limits:
        def.limits === undefined
          ? openObject('Resource limits, e.g. cpu and memory.')
          : openObject(def.limits, 'Resource limits, e.g. cpu and memory.'),
      requests:
        def.requests === undefined
          ? openObject('Resource requests, e.g. cpu and memory.')
          : openObject(def.requests, 'Resource requests, e.g. cpu and memory.'),
    },
    description,
  )
}

/** A standard Kubernetes label selector (matchLabels and matchExpressions). */
export function labelSelector(description: string) {
  return closed(
    {
      matchLabels: stringMap('Labels an object must carry to match.'),
      matchExpressions: list(
        object(
          {
            key: str('Label key the requirement applies to.'),
            operator: str('Operator: In, NotIn, Exists or DoesNotExist.'),
            values: strList('Values compared with the label value.'),
          },
          'One label selector requirement.',
        ),
        'Label requirements an object must satisfy to match.',
      ),
    },
    description,
  )
}

/** A selector by plain labels only (upstream's `LabelSelector`). */
export function labelsOnlySelector(description: string, withDefaults = false) {
  return closed(
    {labels: withDefaults ? stringMap({}, 'Labels to look for.') : stringMap('Labels to look for.')},
    description,
  )
}

/** One translation patch applied while syncing (upstream's `TranslatePatch`). */
export const translatePatch = object(
  {
    path: required(str('Path inside the object to patch; the patch is skipped if the path does not exist.')),
    expression: str('JavaScript expression that transforms the value on the way to the host.'),
    reverseExpression: str('JavaScript expression that transforms the value on the way back to the virtual cluster.'),
    reference: closed(
      {
        apiVersion: required(str('apiVersion of the referenced object.')),
        apiVersionPath: str('Relative path to read the apiVersion from, falling back to apiVersion.'),
        kind: required(str('Kind of the referenced object.')),
        kindPath: str('Relative path to read the kind from, falling back to kind.'),
        namePath: str('Relative path to the referenced name inside the object.'),
        namespacePath: str('Relative path to the referenced namespace; defaults to the object namespace.'),
      },
      'Treats the value as a reference to another object and rewrites its name.',
    ),
    labels: closed({}, 'Treats the value as a label selector and translates it.'),
  },
  'A patch applied to the synced object.',
)

export function patches() {
  return list(translatePatch, 'Patches applied to the synced objects.')
}

/** `{enabled}` (upstream's `EnableSwitch`). */
export function enableSwitch(description: string, def?: boolean) {
  return closed({enabled: def === undefined ? bool('Turns this on.') : bool(def, 'Turns this on.')}, description)
}

function enabledFlag(def: boolean | undefined) {
  return def === undefined
    ? bool('Turns syncing of this resource on.')
    : bool(def, 'Turns syncing of this resource on.')
}

/** `{enabled, patches}` (upstream's `EnableSwitchWithPatches`). */
export function syncSwitch(description: string, def?: boolean) {
  return closed({enabled: enabledFlag(def), patches: patches()}, description)
}

/** `{enabled, patches, selector}` (upstream's `EnableSwitchWithPatchesAndSelector`). */
export function syncSwitchWithSelector(description: string, def?: boolean) {
  return closed(
    {
      enabled: enabledFlag(def),
      patches: patches(),
      selector: labelSelector('Only objects matching this selector are synced; all when unset.'),
    },
    description,
  )
}

/** Upstream's shape of the volume snapshot switches removed in 0.36 (`EnableSwitchWithPatches`). */
export function removedSwitch() {
  return {enabled: bool('Had no effect since 0.36.'), patches: patches()}
}

/** `{enabled: auto-bool, patches}` (upstream's `EnableAutoSwitchWithPatches`). */
export function autoSyncSwitch(description: string, def?: AutoBool) {
  return closed(
    {
      enabled: autoBool(def, 'Turns syncing on, off, or "auto" (on when the virtual scheduler is used).'),
      patches: patches(),
    },
    description,
  )
}

/** `{enabled: auto-bool, patches, selector}` (upstream's `EnableAutoSwitchWithPatchesAndSelector`). */
export function autoSyncSwitchWithSelector(description: string, def?: AutoBool) {
  return closed(
    {
      enabled: autoBool(def, 'Turns syncing on, off, or "auto" (on when the virtual scheduler is used).'),
      patches: patches(),
      selector: labelSelector('Only objects matching this selector are synced; all when unset.'),
    },
    description,
  )
}

/** Host-to-virtual name mappings (upstream's `FromHostMappings`). */
export function mappings(description: string, withDefaults = false) {
  const byName =
    'Maps "host-namespace/host-name" to "virtual-namespace/virtual-name"; "*" wildcards and "" for the vCluster namespace are allowed.'
  return closed({byName: withDefaults ? stringMap({}, byName) : stringMap(byName)}, description)
}

/** A volume mount of the control-plane container (upstream's `VolumeMount`). */
export const volumeMount = object(
  {
    name: str('Name of the volume to mount.'),
    readOnly: bool('Mounts the volume read-only.'),
    mountPath: str('Path inside the container to mount the volume at.'),
    subPath: str('Path inside the volume to mount instead of its root.'),
    mountPropagation: str('How mounts propagate between host and container.'),
    subPathExpr: str('Like subPath, with $(VAR) references expanded from the environment.'),
  },
  'A volume mount.',
)

/** Pod scheduling options (upstream's `ControlPlaneScheduling`). */
export function scheduling(description: string, withDefaults: boolean) {
  return closed(
    withDefaults
      ? {
          nodeSelector: looseStringMap({}, 'Node selector for the pods.'),
          affinity: openObject({}, 'Affinity rules for the pods.'),
          tolerations: objList([], 'Tolerations for the pods.'),
          priorityClassName: str('', 'Priority class for the pods.'),
          podManagementPolicy: oneOf(
            'kubernetes-values',
            ['OrderedReady', 'Parallel'],
            'Parallel',
            'StatefulSet pod management policy.',
          ),
          topologySpreadConstraints: looseObjList([], 'Topology spread constraints for the pods.'),
        }
      : {
          nodeSelector: looseStringMap('Node selector for the pods.'),
          affinity: openObject('Affinity rules for the pods.'),
          tolerations: objList('Tolerations for the pods.'),
          priorityClassName: str('Priority class for the pods.'),
          podManagementPolicy: oneOf(
            'kubernetes-values',
            ['OrderedReady', 'Parallel'],
            'StatefulSet pod management policy.',
          ),
          topologySpreadConstraints: looseObjList('Topology spread constraints for the pods.'),
        },
    description,
  )
}

/** Pod and container security contexts (upstream's `ControlPlaneSecurity`). */
export function security(description: string, containerDefault?: Record<string, unknown>) {
  return closed(
    {
      podSecurityContext: openObject({}, 'Pod-level security context.'),
      containerSecurityContext: openObject(containerDefault ?? {}, 'Container-level security context.'),
    },
    description,
  )
}

/** A taint applied to joined nodes. */
export const taint = object(
  {
    key: str('Taint key.'),
    value: str('Taint value.'),
    effect: str('Taint effect: NoSchedule, PreferNoSchedule or NoExecute.'),
  },
  'A node taint.',
)
