/** `controlPlane.distro`: the Kubernetes distribution of the control plane (k8s is the only one upstream). */
import {image, pullPolicy} from './common.js'
import {bool, closed, objList, openObject, str, strList} from './helpers.js'

/** The api server, controller manager or scheduler process (upstream's `DistroContainerEnabled`). */
function component(description: string, enabled?: boolean) {
  return closed(
    {
      enabled: enabled === undefined ? bool('Runs this component.') : bool(enabled, 'Runs this component.'),
      command: strList([], 'Replaces the command that starts the component.'),
      extraArgs: strList([], 'Extra command-line arguments for the component.'),
    },
    description,
  )
}

export const distro = closed(
  {
    k8s: closed(
      {
        enabled: bool(false, 'Selects the k8s distro; k8s is the only distro, so this has no effect.'),
        version: str('', 'Deprecated: use image.tag. When set, it overrides the Kubernetes image tag.', {
          deprecated: true,
        }),
        apiServer: component('The kube-apiserver process.', true),
        controllerManager: component('The kube-controller-manager process.', true),
        scheduler: component('The kube-scheduler process; enabling it turns on the virtual scheduler.'),
        image: image('Image whose Kubernetes binaries the init container copies into the pod.', {
          registry: 'ghcr.io',
          repository: 'loft-sh/kubernetes',
          tag: 'v1.36.0',
        }),
        imagePullPolicy: pullPolicy('Pull policy for the Kubernetes image.', ''),
        env: objList([], 'Extra environment variables for the syncer container (not the init container).'),
        resources: openObject(
          {limits: {cpu: '100m', memory: '256Mi'}, requests: {cpu: '40m', memory: '64Mi'}},
          'Resources of the init container that copies the Kubernetes binaries.',
        ),
        securityContext: openObject({}, 'Security context of the init container that copies the Kubernetes binaries.'),
      },
      'The vanilla Kubernetes distro.',
    ),
  },
  'Kubernetes distribution of the control plane; it cannot change after creation.',
)
