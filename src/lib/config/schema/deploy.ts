/** `deploy`: components vCluster deploys into the virtual cluster (mostly for private nodes). */
import {pullPolicy} from './common.js'
import {anyList, bool, closed, openObject, partlyKnown, removed, str, stringMap, strList} from './helpers.js'

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
    volumeSnapshotController: removed('Removed in vCluster 0.36; the chart rejects the key. Remove it.'),
    csi: partlyKnown(
      {
        kubeVirt: partlyKnown(
          {
            enabled: bool(false, 'Deploys the KubeVirt CSI driver (private nodes only).'),
            storageClass: partlyKnown(
              {
                enabled: bool(true, 'Creates a storage class for the driver.'),
                default: bool(true, 'Makes that storage class the default; conflicts with the local path provisioner.'),
              },
              'Storage class of the KubeVirt CSI driver.',
            ),
          },
          'KubeVirt CSI driver that hot-plugs volumes into the VMs backing the nodes.',
        ),
      },
      'CSI drivers.',
    ),
  },
  'Components deployed into the virtual cluster.',
)
