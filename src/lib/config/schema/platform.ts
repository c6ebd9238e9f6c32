/** `sleep`, `snapshots`, `deletion` and `platform`: features driven by vCluster Platform. */
import {labelsOnlySelector} from './common.js'
import {bool, closed, int, pattern, str} from './helpers.js'

/** A Go duration such as 30m, 1h30m or 720h: what time.ParseDuration takes in vCluster's start-up parse (not ""). */
const GO_DURATION = '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$'

const timezone = () => str('IANA time zone of the schedule, e.g. America/New_York; UTC by default.')

export const sleep = closed(
  {
    auto: closed(
      {
        afterInactivity: pattern(
          'go-duration',
          GO_DURATION,
          'Idle time before the workloads are put to sleep, e.g. 1h.',
        ),
        schedule: str('Cron schedule that puts the workloads to sleep.'),
        exclude: closed(
          {selector: labelsOnlySelector('Workloads with these labels never sleep.')},
          'Workloads that never sleep.',
        ),
        wakeup: closed({schedule: str('Cron schedule that wakes the workloads.')}, 'Scheduled wake-up.'),
        timezone: timezone(),
      },
      'Automatic sleep and wake-up.',
    ),
  },
  'Putting the virtual cluster to sleep (platform).',
)

const credential = () =>
  closed(
    {
      secretName: str('Name of the secret that holds the credentials.'),
      secretNamespace: str('Namespace of that secret.'),
    },
    'Secret with the storage credentials.',
  )

export const snapshots = closed(
  {
    auto: closed(
      {
        schedule: str('Cron schedule of the snapshots.'),
        timezone: timezone(),
        retention: closed(
          {
            period: int('Days a snapshot is kept.'),
            maxSnapshots: int('Most snapshots kept.'),
          },
          'How long snapshots are kept.',
        ),
        storage: closed(
          {
            type: str('Storage type: s3, oci, container or azure.'),
            s3: closed({url: str('URL of the bucket location.'), credential: credential()}, 'S3-compatible storage.'),
            oci: closed(
              {
                repository: str('OCI repository for the snapshots.'),
                credential: credential(),
                username: str('User name for the registry.'),
                password: str('Password for the registry.'),
              },
              'OCI registry storage.',
            ),
            container: closed(
              {
                path: str('Directory inside the container for the snapshots.'),
                volume: closed(
                  {name: str('Name of the volume to mount.'), path: str('Mount path of the volume.')},
                  'Volume to store the snapshots on.',
                ),
              },
              'Local files inside the vCluster container.',
            ),
            azure: closed(
              {
                blobUrl: str('Blob URL, https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH.'),
                credential: credential(),
              },
              'Azure Blob Storage.',
            ),
          },
          'Where snapshots are stored.',
        ),
      },
      'Scheduled snapshots.',
    ),
  },
  'Automatic snapshots of the virtual cluster (platform).',
)

export const deletion = closed(
  {
    prevent: bool('Prevents the virtual cluster from being deleted.'),
    auto: closed(
      {
        afterInactivity: pattern(
          'go-duration',
          GO_DURATION,
          'Idle time before the virtual cluster is deleted, e.g. 720h.',
        ),
      },
      'Automatic deletion.',
    ),
  },
  'Deletion of the virtual cluster (platform).',
)

export const platform = closed(
  {
    apiKey: closed(
      {
        secretName: str('Secret with the platform access key; vcluster-platform-api-key by default.'),
        namespace: str('Namespace of that secret; needs access when it is not the vCluster namespace.'),
        createRBAC: bool('Creates the RBAC to read that secret in another namespace; on by default.'),
      },
      'Where to find the platform access key.',
    ),
    project: str('Platform project to import the virtual cluster into.'),
  },
  'vCluster Platform connection.',
)
