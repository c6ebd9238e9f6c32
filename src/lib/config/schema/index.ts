/**
 * The vcluster.yaml schema: the Helm values of the pinned upstream vCluster release as TypeBox, the single source
 * of truth for the TypeScript type and for schemas/vcluster.schema.json (written by scripts/write-schema.ts). Its
 * paths, types and enums equal the release's values.schema.json (test/scripts/upstream/schema-diff.test.ts).
 */
import {Type, type Static} from '@sinclair/typebox'
import {controlPlane} from './control-plane.js'
import {deploy} from './deploy.js'
import {experimental} from './experimental.js'
import {anything, bool, closed, str} from './helpers.js'
import {integrations} from './integrations.js'
import {exportKubeConfig, logging, plugin, plugins, rbac, telemetry} from './misc.js'
import {networking} from './networking.js'
import {deletion, platform, sleep, snapshots} from './platform.js'
import {policies} from './policies.js'
import {privateNodes} from './private-nodes.js'
import {fromHost} from './sync-from-host.js'
import {toHost} from './sync-to-host.js'
import {VCLUSTER_VERSION} from '../../versions.js'

export const SCHEMA_ID = 'https://vcluster-ts.dev/schemas/vcluster.schema.json'

export const configSchema = Type.Object(
  {
    global: anything('Values shared with subcharts; not used by vCluster.'),
    exportKubeConfig,
    sync: closed({toHost, fromHost}, 'Which resources are synced between the virtual and the host cluster.'),
    integrations,
    deploy,
    networking,
    policies,
    controlPlane,
    privateNodes,
    rbac,
    plugins,
    experimental,
    telemetry,
    serviceCIDR: str('Deprecated and ignored: the service CIDR is detected; use networking.serviceCIDR if needed.', {
      deprecated: true,
    }),
    pro: bool('Deprecated and ignored: pro features are detected automatically.', {deprecated: true}),
    plugin,
    logging,
    sleep,
    snapshots,
    deletion,
    platform,
  },
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'vcluster.yaml',
    description: `Configuration of a virtual cluster (the Helm values of upstream vCluster ${VCLUSTER_VERSION}).`,
    additionalProperties: false,
  },
)

export type VClusterConfig = Static<typeof configSchema>
