/** Golden manifests for pod options, policies and metadata; explicit facts per case. */
import {describe, expect} from 'vitest'
import {
  NAME,
  NAMESPACE,
  find,
  goldenCases,
  ids,
  initContainer,
  names,
  podSpec,
  syncer,
  workload,
  type Obj,
} from './helpers.js'
import {golden} from './golden-values.js'

describe('golden manifests: pod options, policies, metadata', () => {
  goldenCases([
    {
      ...golden('resources'),
      check: (objects) => {
        // The user's maps merge onto the defaults (Helm semantics), so unset keys keep their default.
        expect(syncer(objects).resources).toEqual({
          limits: {'ephemeral-storage': '10Gi', memory: '8Gi'},
          requests: {'ephemeral-storage': '1Gi', cpu: '1', memory: '2Gi'},
        })
        expect(initContainer(objects).resources).toEqual({
          limits: {cpu: '200m', memory: '512Mi'},
          requests: {cpu: '50m', memory: '64Mi'},
        })
      },
    },
    {
      ...golden('scheduling'),
      check: (objects) => {
        const pod = podSpec(objects)
        expect(pod.nodeSelector).toEqual({disktype: 'ssd'})
        expect(pod.affinity.nodeAffinity).toBeDefined()
        expect(pod.tolerations).toEqual([
          {key: 'dedicated', operator: 'Equal', value: 'vcluster', effect: 'NoSchedule'},
        ])
        expect(pod.topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname')
        expect(pod).toMatchObject({
          priorityClassName: 'system-cluster-critical',
          runtimeClassName: 'gvisor',
          dnsPolicy: 'ClusterFirst',
          enableServiceLinks: false,
        })
        expect(pod.dnsConfig.nameservers).toEqual(['192.0.2.1'])
        expect(pod.hostAliases).toEqual([{ip: '10.0.1.5', hostnames: ['db.internal']}])
        expect(pod.securityContext).toEqual({fsGroup: 1000})
        // The user's map merges onto the default container context.
        expect(syncer(objects).securityContext).toEqual({
          allowPrivilegeEscalation: false,
          runAsUser: 1000,
          runAsGroup: 0,
          runAsNonRoot: true,
        })
        expect(workload(objects).spec.podManagementPolicy).toBe('OrderedReady')
      },
    },
    {
      ...golden('probes-disabled'),
      check: (objects) => {
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
          expect(syncer(objects)).not.toHaveProperty(probe)
      },
    },
    {
      ...golden('policies'),
      check: (objects) => {
        expect(ids(objects).slice(-7)).toEqual([
          `NetworkPolicy/vc-work-${NAME}`,
          `NetworkPolicy/vc-cp-${NAME}`,
          `NetworkPolicy/vc-kube-dns-${NAME}`,
          // The chart (0.36) also isolates snapshot pods.
          `NetworkPolicy/vc-snapshot-${NAME}`,
          `ResourceQuota/vc-${NAME}`,
          `LimitRange/vc-${NAME}`,
          `StatefulSet/${NAME}`,
        ])
        const quota = find(objects, 'ResourceQuota', `vc-${NAME}`)
        expect(quota.spec.hard).toMatchObject({
          'requests.cpu': '10',
          'requests.memory': '20Gi',
          'services.nodeports': '0',
          'count/pods': '20',
        })
        expect(Object.keys(quota.spec.hard)).toHaveLength(15)
        // resourceQuota: true also turns the LimitRange on (its own setting is "auto").
        expect(find(objects, 'LimitRange', `vc-${NAME}`).spec.limits).toEqual([
          {
            default: {'ephemeral-storage': '8Gi', memory: '512Mi', cpu: '1'},
            defaultRequest: {'ephemeral-storage': '3Gi', memory: '128Mi', cpu: '100m'},
            type: 'Container',
          },
        ])
        const work = find(objects, 'NetworkPolicy', `vc-work-${NAME}`)
        expect(work.spec.podSelector).toEqual({matchLabels: {'vcluster.loft.sh/managed-by': NAME}})
        expect(work.spec.egress[2].to[0].ipBlock).toEqual({
          cidr: '0.0.0.0/0',
          except: ['100.64.0.0/10', '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
        })
        const cp = find(objects, 'NetworkPolicy', `vc-cp-${NAME}`)
        expect(cp.spec.podSelector).toEqual({matchLabels: {release: NAME}})
        // External clients reach the API server on 8443 (the chart's first ingress rule).
        expect(cp.spec.ingress[0]).toEqual({ports: [{port: 8443, protocol: 'TCP'}]})
      },
    },
    {
      ...golden('metadata-and-env'),
      check: (objects) => {
        for (const o of objects) expect(o.metadata.annotations?.owner).toBe('platform-team')
        const [sa, workloadSa] = objects as Obj[]
        expect(sa?.metadata.name).toBe('custom-sa')
        expect(sa?.imagePullSecrets).toEqual([{name: 'regcred'}])
        expect(sa?.metadata.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::1:role/vc')
        expect(workloadSa?.metadata).toMatchObject({name: `vc-workload-${NAME}`, labels: {kind: 'workload'}})
        expect(workloadSa?.imagePullSecrets).toEqual([{name: 'regcred'}, {name: 'workload-cred'}])
        expect(find(objects, 'RoleBinding', `vc-${NAME}`).subjects[0].name).toBe('custom-sa')
        expect(find(objects, 'Service', `${NAME}-headless`).metadata.labels.svc).toBe('headless')
        const sts = workload(objects)
        expect(sts.metadata.labels.team).toBe('a')
        expect(sts.metadata.annotations).toEqual({owner: 'platform-team', note: 'hello'})
        expect(sts.spec.template.metadata.labels).toEqual({app: 'vcluster', release: NAME, 'pod-label': 'x'})
        expect(sts.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true')
        expect(podSpec(objects).serviceAccountName).toBe('custom-sa')
        const c = syncer(objects)
        expect(names(c.env)).toEqual([
          'VCLUSTER_NAME',
          'LOFT_LOG_ENCODING',
          'POD_NAME',
          'POD_IP',
          'NODE_NAME',
          'NODE_IP',
          'FIRST',
          'SECOND',
        ])
        expect(c.env[1]).toEqual({name: 'LOFT_LOG_ENCODING', value: 'json'})
        expect(c).toMatchObject({workingDir: '/work', command: ['/vcluster', 'start'], args: ['--debug']})
      },
    },
    {
      ...golden('extras'),
      check: (objects) => {
        const ingress = find(objects, 'Ingress', NAME)
        expect(ingress.spec.rules[0].host).toBe('vc.example.com')
        expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({service: {name: NAME, port: {name: 'https'}}})
        expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true')
        // API server, controller manager and (SQLite is kine's) kine, at the chart's paths.
        expect(find(objects, 'ServiceMonitor', `vc-${NAME}`).spec.endpoints.map((e: {path: string}) => e.path)).toEqual(
          ['/metrics', '/metrics/controller-manager', '/metrics/kine'],
        )
        expect(find(objects, 'PodDisruptionBudget', NAME).spec).toEqual({
          minAvailable: 1,
          selector: {matchLabels: {app: 'vcluster', release: NAME}},
        })
        const platform = find(objects, 'Role', `vc-${NAME}-v-${NAMESPACE}-platform-role`)
        expect(platform.metadata.namespace).toBe('vcluster-platform')
        expect(platform.rules[0].resourceNames).toEqual(['vcluster-platform-api-key'])
        expect(find(objects, 'ConfigMap', 'extra').metadata).toMatchObject({
          namespace: NAMESPACE,
          labels: {release: NAME},
        })
        const pod = podSpec(objects)
        expect(names(pod.initContainers)).toEqual(['hooks', 'kubernetes', 'wait'])
        expect(pod.initContainers[0]).toMatchObject({
          image: 'ghcr.io/example/hooks:1.0',
          command: ['sh'],
          args: ['-c', 'cp -r /plugin /plugins/hooks'],
        })
        expect(names(pod.containers)).toEqual(['syncer', 'logger'])
        expect(names(pod.volumes)).toEqual(['plugins', 'helm-cache', 'binaries', 'tmp', 'certs', 'vcluster-config'])
        const c = syncer(objects)
        expect(c.volumeMounts[0]).toEqual({mountPath: '/plugins', name: 'plugins'})
        expect(c.securityContext.capabilities).toEqual({add: ['NET_ADMIN', 'NET_RAW']})
        expect(workload(objects).spec.template.spec.volumes.some((v: Obj) => v.name === 'data')).toBe(false)
      },
    },
  ])
})
