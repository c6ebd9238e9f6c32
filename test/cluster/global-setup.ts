// vitest globalSetup of the `integration` project: one fresh host cluster per test run, always deleted afterwards.
// Its daemon is our child: it also deletes the cluster on Ctrl-C (same process group) or if vitest dies.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, delimiter, join} from 'node:path'
import type {TestProject} from 'vitest/node'
import {snapshotBuild} from './cli-snapshot.js'
import {TEST_DIR_PREFIX, startCluster, stopCluster, sweepStaleTestClusters} from './control.js'
import type {ClusterFacts} from './rig.js'

declare module 'vitest' {
  export interface ProvidedContext {
    hostCluster: ClusterFacts
    /** A private copy of the built CLI (cli-snapshot.ts): cliEntry() in index.ts. */
    cliRoot: string
  }
}

const say = (line: string) => process.stderr.write(`[host-cluster] ${line}\n`)

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await sweepStaleTestClusters(say)
  const dir = mkdtempSync(join(tmpdir(), TEST_DIR_PREFIX))
  const name = `vcts-test-${basename(dir).slice(TEST_DIR_PREFIX.length).toLowerCase()}`
  let facts: ClusterFacts
  try {
    // audit: tests check what the real vCluster and the CLI asked the host (e.g. 0 forbidden requests).
    facts = await startCluster({
      name,
      dir,
      ephemeral: true,
      ownerPid: process.pid,
      detached: false,
      log: say,
      audit: true,
    })
  } catch (error) {
    // Fail the run loudly: integration tests must never be skipped for want of a cluster.
    const why = (error as Error).message
    throw new Error(`Integration tests need the local host cluster, which failed to start.\n${why}`)
  }
  project.provide('hostCluster', facts)
  try {
    project.provide('cliRoot', await snapshotBuild(dir))
  } catch (error) {
    await stopCluster(dir, name, say)
    throw error
  }
  // Children (the CLI, kubectl) find the pinned binaries first. A missing default kubeconfig makes a forgotten
  // --kubeconfig fail loudly (kubectl then tries localhost:8080) instead of reaching someone's real cluster.
  process.env.PATH = `${facts.binDir}${delimiter}${process.env.PATH ?? ''}`
  process.env.KUBECONFIG = join(dir, 'no-default-kubeconfig')
  writeFileSync(join(dir, 'README'), `host cluster ${name} of test run ${process.pid}\n`)
  return async () => {
    say(`deleting host cluster ${name}`)
    await stopCluster(dir, name, say)
    rmSync(dir, {recursive: true, force: true})
  }
}
