/** `controlPlane.backingStore`: where the virtual cluster keeps its state. */
import {
  accessModes,
  image,
  labelsAndAnnotations,
  podMetadata,
  pullPolicy,
  resources,
  scheduling,
  security,
  volumeMount,
} from './common.js'
import {bool, closed, int, list, objList, oneOf, str, strList} from './helpers.js'

function kine(external: boolean) {
  return {
    enabled: bool(
      false,
      external
        ? 'Uses an external MySQL or PostgreSQL database through kine.'
        : 'Uses the embedded SQLite database through kine.',
    ),
    dataSource: external
      ? str(
          '',
          'kine data source, e.g. mysql://user:pass@tcp(host:3306)/vcluster or postgres://user:pass@host:5432/vcluster.',
        )
      : str('kine data source; optional for the embedded database.'),
    identityProvider: str('Identity provider for short-lived database credentials, e.g. aws (RDS IAM).'),
    keyFile: external
      ? str('', 'Client key file for the database connection.')
      : str('Client key file for the database connection.'),
    certFile: external
      ? str('', 'Client certificate file for the database connection.')
      : str('Client certificate file for the database connection.'),
    caFile: external
      ? str('', 'CA file to verify the database server.')
      : str('CA file to verify the database server.'),
    extraArgs: strList([], 'Extra command-line arguments for kine.'),
  }
}

const database = closed(
  {
    embedded: closed(kine(false), 'Embedded SQLite database (the default when no store is enabled).'),
    external: closed(
      {
        ...kine(true),
        connector: str('', 'Secret in a connected vCluster Platform that holds database server credentials.'),
      },
      'External SQL database.',
    ),
  },
  'A SQL database backend, through kine.',
)

const etcdStatefulSet = closed(
  {
    enabled: bool(true, 'Deploys the etcd StatefulSet.'),
    enableServiceLinks: bool(true, 'Sets enableServiceLinks on the etcd pods.'),
    image: image('Image of etcd.', {registry: 'registry.k8s.io', repository: 'etcd', tag: '3.6.8-0'}),
    imagePullPolicy: pullPolicy('Pull policy for the etcd image.', ''),
    env: objList([], 'Extra environment variables for etcd.'),
    extraArgs: strList([], 'Extra arguments appended to the etcd command.'),
    resources: resources('Resources of the etcd container.', {requests: {cpu: '20m', memory: '150Mi'}}),
    pods: podMetadata('Extra labels and annotations for the etcd pods.', true),
    highAvailability: closed({replicas: int(1, 'Number of etcd replicas.')}, 'High-availability options for etcd.'),
    scheduling: scheduling('Scheduling of the etcd pods.', true),
    security: security('Security contexts of the etcd pods.'),
    persistence: closed(
      {
        volumeClaim: closed(
          {
            enabled: bool(true, 'Creates a PersistentVolumeClaim for etcd data.'),
            accessModes: accessModes('Access modes of the claim.', ['ReadWriteOnce']),
            retentionPolicy: oneOf(
              'kubernetes-values',
              ['Retain', 'Delete'],
              'Retain',
              'What happens to the claim when the StatefulSet is deleted.',
            ),
            size: str('5Gi', 'Storage size of the claim.'),
            storageClass: str('', 'Storage class of the claim; empty uses the default class.'),
          },
          'The etcd data volume claim.',
        ),
        volumeClaimTemplates: objList([], 'Replaces the generated volume claim templates completely.'),
        addVolumes: objList([], 'Extra volumes for the etcd pods.'),
        addVolumeMounts: list(volumeMount, 'Extra volume mounts for the etcd container.', []),
      },
      'Persistence of the etcd pods.',
    ),
    ...labelsAndAnnotations(true),
  },
  'The etcd StatefulSet.',
)

const etcd = closed(
  {
    embedded: closed(
      {
        enabled: bool(false, 'Runs etcd inside the control-plane pod (needed for more than one replica).'),
        migrateFromDeployedEtcd: bool(false, 'Migrates data from a previously deployed etcd into embedded etcd.'),
        snapshotCount: int('Committed transactions between etcd snapshots; 10000 when below 1.'),
        extraArgs: strList([], 'Extra command-line arguments for embedded etcd.'),
      },
      'etcd embedded in the control plane.',
    ),
    deploy: closed(
      {
        enabled: bool(false, 'Deploys a separate etcd StatefulSet next to the control plane.'),
        statefulSet: etcdStatefulSet,
        service: closed(
          {enabled: bool(true, 'Creates the etcd Service.'), annotations: labelsAndAnnotations(true).annotations},
          'The etcd Service.',
        ),
        headlessService: closed({annotations: labelsAndAnnotations(true).annotations}, 'The etcd headless Service.'),
      },
      'etcd deployed by vCluster as its own StatefulSet.',
    ),
    external: closed(
      {
        enabled: bool(false, 'Uses a self-managed etcd.'),
        endpoint: str('', 'Endpoint of the external etcd, e.g. my-etcd:2379.'),
        tls: closed(
          {
            caFile: str('', 'CA file to verify etcd.'),
            certFile: str('', 'Client certificate file.'),
            keyFile: str('', 'Client key file.'),
          },
          'TLS settings for the external etcd.',
        ),
      },
      'An etcd that vCluster does not deploy.',
    ),
  },
  'An etcd backend.',
)

export const backingStore = closed(
  {etcd, database},
  'Backing store of the virtual cluster; only one may be enabled, and none means the embedded database.',
)
