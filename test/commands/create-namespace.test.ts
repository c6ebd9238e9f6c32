/**
 * `create --dry-run=client` and `--print-role` render the namespace the real create will use: -n, else the
 * context's namespace, else vcluster-NAME. They read the kubeconfig but never contact the cluster (its server here
 * answers nothing), and work without any kubeconfig.
 */

import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli, tempFiles} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp.js'

/** Two contexts on a server nobody listens on: `a` (namespace team-a, current) and `b` (namespace given). */
function kubeconfig(namespaceB: string): string {
  const dir = tempFiles({
    config: `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: x}}]
contexts:
  - {name: a, context: {cluster: c, user: u, namespace: team-a}}
  - {name: b, context: {cluster: c, user: u, namespace: "${namespaceB}"}}
current-context: a
`,
  })
  return join(dir, 'config')
}

const emptyHome = () => ({HOME: tempDir('vcluster-home-'), KUBECONFIG: ''})

/** The namespaces of the namespaced objects a dry run prints. */
async function dryRunNamespaces(args: string[], env?: Record<string, string>): Promise<string[]> {
  const r = await runCli(['create', 'demo', '--dry-run=client', '-o', 'json', ...args], {env})
  expect(r.exitCode, r.stderr).toBe(0)
  const items = (JSON.parse(r.stdout) as {items: {metadata: {namespace?: string}}[]}).items
  return [...new Set(items.flatMap((o) => (o.metadata.namespace === undefined ? [] : [o.metadata.namespace])))]
}

async function printedRole(args: string[], env?: Record<string, string>): Promise<{namespace: string; text: string}> {
  const r = await runCli(['create', 'demo', '--dry-run=client', '--print-role', ...args], {env})
  expect(r.exitCode, r.stderr).toBe(0)
  const role = r.stdout.match(/^kind: Role\nmetadata:\n(?: {2}.*\n)*? {2}namespace: (\S+)$/m)
  return {namespace: role?.[1] ?? '', text: r.stdout}
}

describe('create --dry-run=client and --print-role: the namespace create would use', () => {
  it("is the context's namespace (team-a), as for the real create", async () => {
    const file = kubeconfig('team-b')
    expect(await dryRunNamespaces(['--kubeconfig', file])).toEqual(['team-a'])
    expect(await dryRunNamespaces([], {KUBECONFIG: file})).toEqual(['team-a'])
    const role = await printedRole(['--kubeconfig', file, '--for-service-account', 'ci'])
    expect(role.namespace).toBe('team-a')
    expect(role.text).toContain('# in namespace team-a with this config')
    expect(role.text).toMatch(/kind: ServiceAccount\n\s+name: ci\n\s+namespace: team-a/)
  })

  it('follows --context, and -n wins over both', async () => {
    const file = kubeconfig('team-b')
    expect(await dryRunNamespaces(['--kubeconfig', file, '--context', 'b'])).toEqual(['team-b'])
    expect(await dryRunNamespaces(['--kubeconfig', file, '-n', 'other'])).toEqual(['other'])
    expect((await printedRole(['--kubeconfig', file, '--context', 'b'])).namespace).toBe('team-b')
  })

  it("is vcluster-NAME when the context's namespace is `default`, or when there is no kubeconfig at all", async () => {
    expect(await dryRunNamespaces(['--kubeconfig', kubeconfig('default'), '--context', 'b'])).toEqual(['vcluster-demo'])
    expect(await dryRunNamespaces([], emptyHome())).toEqual(['vcluster-demo'])
    expect((await printedRole([], emptyHome())).namespace).toBe('vcluster-demo')
  })

  it('says so in the -n help', async () => {
    const r = await runCli(['create', '--help'])
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      "the context's namespace, or vcluster-NAME when that is empty or `default`",
    )
  })
})
