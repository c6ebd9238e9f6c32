/** `deploy`: components vCluster deploys into the virtual cluster (mostly for private nodes). */
import {pullPolicy} from './common.js'
import {anyList, bool, closed, list, object, openObject, removed, str, stringMap, strList} from './helpers.js'

const argoCDApplication = object(
  {
    name: str('Stable identifier of the application; generated resource names derive from it.'),
    displayName: str('Display name of the application.'),
    target: str('Where the application deploys: vCluster (default) or host.'),
    inline: openObject('Inline Argo CD application definition (needs integrations.argoCD).'),
    template: closed(
      {name: str('Name of the application template.'), parameters: openObject('Parameters passed to the template.')},
      'Argo CD application template to use (needs integrations.argoCD).',
    ),
  },
  'An Argo CD application.',
)

export const deploy = closed(
  {
    kubeProxy: closed(
      {
        enabled: bool(true, 'Deploys kube-proxy.'),
        image: str('', 'Image of kube-proxy; empty matches the Kubernetes version.'),
        imagePullPolicy: pullPolicy('Pull policy for the kube-proxy image.', ''),
        nodeSelector: stringMap({}, 'Node selector for kube-proxy.'),
        priorityClassName: str('Priority class of kube-proxy.'),
        tolerations: anyList([], 'Tolerations of kube-proxy.'),
        extraEnv: anyList([], 'Extra environment variables for kube-proxy.'),
        extraArgs: strList([], 'Extra arguments for kube-proxy.'),
        config: openObject('KubeProxyConfiguration merged into the default one.'),
      },
      'kube-proxy.',
    ),
    metallb: closed(
      {
        enabled: bool(false, 'Deploys MetalLB for LoadBalancer services.'),
        controllerImage: str('Image of the MetalLB controller.'),
        speakerImage: str('Image of the MetalLB speaker.'),
        ipAddressPool: closed(
          {
            addresses: strList('Addresses MetalLB may hand out.'),
            l2Advertisement: bool('Announces the pool on layer 2.'),
          },
          'The MetalLB address pool.',
        ),
      },
      'MetalLB.',
    ),
    cni: closed(
      {
        flannel: closed(
          {
            enabled: bool(true, 'Deploys Flannel as the CNI.'),
            image: str('Image of the Flannel container.'),
            initImage: str('Image of the Flannel init container.'),
            imagePullPolicy: pullPolicy('Pull policy for the Flannel images.'),
          },
          'Flannel.',
        ),
      },
      'The CNI plugin.',
    ),
    localPathProvisioner: closed(
      {
        enabled: bool(true, 'Deploys the local path provisioner and its default storage class.'),
        image: str('Image of the local path provisioner.'),
        imagePullPolicy: pullPolicy('Pull policy for the provisioner image.'),
        nodePath: str('Directory on the node where volumes are created.'),
      },
      'Local path provisioner.',
    ),
    ingressNginx: closed(
      {
        enabled: bool(false, 'Deploys ingress-nginx.'),
        defaultIngressClass: bool('Makes its ingress class the default.'),
      },
      'Deprecated: vCluster no longer deploys ingress-nginx.',
      {deprecated: true},
    ),
    metricsServer: closed({enabled: bool(false, 'Deploys metrics-server.')}, 'metrics-server.'),
    volumeSnapshotController: removed(
      {enabled: bool('Had no effect since 0.36.')},
      'Removed in vCluster 0.36; the chart rejects the key. Remove it.',
    ),
    argoCD: closed(
      {applications: list(argoCDApplication, 'Argo CD applications to deploy.')},
      'Argo CD applications deployed for the virtual cluster.',
    ),
  },
  'Components deployed into the virtual cluster.',
)
