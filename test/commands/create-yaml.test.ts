/** What `create --dry-run=client` prints is for `kubectl apply`, which reads YAML 1.1: strings must stay strings. */
import {describe, expect, it} from 'vitest'
import {parseAllDocuments} from 'yaml'
import {runCli} from '../helpers/run-cli.js'

describe('create --dry-run=client YAML', () => {
  it('keeps label values like yes, on, 0123 and 1_000 strings for a YAML 1.1 reader', async () => {
    const labels = {yes: 'on', y: '0123', team: '1_000', n: 'No'}
    const sets = Object.entries(labels).flatMap(([k, v]) => ['--set', `controlPlane.statefulSet.labels.${k}=${v}`])
    const r = await runCli(['create', 'demo', '-n', 'team-a', '--dry-run=client', ...sets], {
      env: {HOME: '/nonexistent'},
    })
    expect(r.exitCode, r.stderr).toBe(0)
    const objects = parseAllDocuments(r.stdout, {version: '1.1'}).map(
      (d) => d.toJS() as {kind: string; metadata: {labels?: Record<string, unknown>}},
    )
    const sts = objects.find((o) => o.kind === 'StatefulSet')
    expect(sts?.metadata.labels).toMatchObject(labels)
  })
})
