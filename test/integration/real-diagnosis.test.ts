// The diagnosis path on the real vCluster (upstream's `vcluster start` 0.36.1 in the rig's real mode), as the
// namespace-scoped user: a vCluster that cannot start makes `create` stop at its --timeout and say why, from the
// vCluster's own log, with its restart count and the way forward; never a secret from its config.
import {writeFileSync} from 'node:fs'

import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {freePort, newNamespace, useHostCluster, vcluster} from '../cluster/index.js'
import {tempDir} from '../helpers/temp.js'

const cluster = useHostCluster()
const NAME = 'broken'
const PASSWORD = 'hunter2-not-for-logs'

describe('the real vCluster that cannot start', () => {
  it('create stops at its timeout with the restart count, the vCluster log line that says why, and the next steps', async () => {
    const ns = await newNamespace('real-diag', {mode: 'real'})
    // An external database on a loopback port where nothing listens. The open-source binary refuses the external
    // database connector before dialling it (a pro feature); the pro image would fail to connect. Either way the
    // control plane exits at start-up, and the data source (with its password) is in the config it was given.
    const port = await freePort()
    const dir = tempDir('real-diag-')
    const values = join(dir, 'vcluster.yaml')
    writeFileSync(
      values,
      [
        'controlPlane:',
        '  backingStore:',
        '    database:',
        '      external:',
        '        enabled: true',
        `        dataSource: "mysql://vc:${PASSWORD}@tcp(127.0.0.1:${port})/vcluster"`,
        '',
      ].join('\n'),
    )
    const args = ['create', NAME, '-f', values, '--kubeconfig', ns.userKubeconfig, '-n', ns.name, '--connect=false']

    // The rig restarts a failed container after 10 s (a kubelet's back-off): 60 s see at least one restart.
    const created = await vcluster([...args, '--timeout', '60s'], {timeoutMs: 180_000})
    process.stderr.write(`[real-diagnosis] create --timeout 60s stderr:\n${created.stderr}\n`)
    expect(created.exitCode, created.stderr).toBe(6)
    const text = created.stderr
    // The wait has what is left of --timeout once the objects are applied.
    expect(text).toMatch(new RegExp(`vCluster ${NAME} in namespace ${ns.name} was not ready after \\d+s`))
    const restarts = Number(/container syncer restarted (\d+) times?/.exec(text)?.[1])
    expect(restarts).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/the last start ended with exit code [1-9]\d* \(Error\)/)
    // The vCluster's own words, from its log (kubectl logs through the API), not ours.
    // With an external database the vCluster is a Deployment: its pod's name is the one the diagnosis found.
    const pod = (await cluster.kubectlJson(['-n', ns.name, 'get', 'pods', '-l', `app=vcluster,release=${NAME}`]))
      .items[0].metadata.name as string
    expect(text).toMatch(
      new RegExp(`last \\d+ log lines of ${pod}/syncer \\(its (previous|current|last) start, secrets masked\\)`),
    )
    expect(text).toContain('configure external database')
    expect(text).toContain('vcp-distro-external-database')
    expect(text).toContain(`kubectl logs -n ${ns.name} ${pod} -c syncer --previous`)
    expect(text).toContain(`vcluster describe ${NAME} -n ${ns.name}`)
    expect(text).toContain(`vcluster delete ${NAME} -n ${ns.name}`)
    // A crash loop does not converge: the hint points at the log and the config, not at a longer wait.
    expect(text).toContain('Waiting longer is unlikely to help')
    expect(text).toContain(`vcluster upgrade ${NAME} -n ${ns.name} -f vcluster.yaml`)
    expect(text).not.toContain('Wait longer')
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toMatch(/\n\s+at .*\.js:\d+/) // no stack trace

    // --json: the same in the error object on stdout, for a script.
    const json = await vcluster([...args, '--timeout', '15s', '--json'], {timeoutMs: 120_000})
    expect(json.exitCode, json.stderr).toBe(6)
    const {error} = JSON.parse(json.stdout) as {error: {code: string; exitCode: number; message: string}}
    expect(error).toMatchObject({code: 'timeout', exitCode: 6})
    expect(Number(/container syncer restarted (\d+) times?/.exec(error.message)?.[1])).toBeGreaterThanOrEqual(restarts)
    expect(error.message).toContain('vcp-distro-external-database')
    expect(error.message).toContain(`kubectl logs -n ${ns.name} ${pod} -c syncer --previous`)
    expect(json.stdout).not.toContain(PASSWORD)

    // The next step it names: describe shows the same reason, and the values set with the data source masked.
    const describe = ['describe', NAME, '--kubeconfig', ns.userKubeconfig, '-n', ns.name]
    const described = await vcluster(describe)
    expect(described.exitCode, described.stderr).toBe(0)
    const reason = described.stdout.split('\nvCluster:')[0] ?? ''
    expect(reason).toContain('vcp-distro-external-database')
    expect(described.stdout).toMatch(/\n\s+dataSource: ['"]?\*\*\*/)
    expect(described.stderr).toContain('controlPlane.backingStore.database.external.dataSource); --show-secrets')
    const describedJson = await vcluster([...describe, '-o', 'json'])
    expect(describedJson.exitCode, describedJson.stderr).toBe(0)
    const config = JSON.parse(describedJson.stdout).config
    expect(config.controlPlane.backingStore.database.external).toEqual({enabled: true, dataSource: '***'})
    // Every other output form masks it too: -o yaml, and --config-only (which a user may reuse with -f).
    const others = await Promise.all(
      [['-o', 'yaml'], ['--config-only'], ['--config-only', '-o', 'json']].map((args) =>
        vcluster([...describe, ...args]),
      ),
    )
    for (const r of others) {
      expect(r.exitCode, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/dataSource: ['"]?\*\*\*|"dataSource": "\*\*\*"/)
      expect(r.stderr).toContain('; --show-secrets prints them')
    }
    for (const r of [described, describedJson, ...others]) expect(r.stdout + r.stderr).not.toContain(PASSWORD)
    // Asked for, it is there as set.
    const shown = await vcluster([...describe, '--config-only', '--show-secrets'])
    expect(shown.exitCode, shown.stderr).toBe(0)
    expect(shown.stdout).toContain(PASSWORD)

    const deleted = await vcluster(['delete', NAME, '--kubeconfig', ns.userKubeconfig, '-n', ns.name])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
  })
})
