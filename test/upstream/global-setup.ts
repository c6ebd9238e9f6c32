// vitest globalSetup of the `conformance` project: builds (or reuses) upstream's oracle from the wrapper module in
// this folder and hands its directory to the tests. A failed build fails the run: conformance is never skipped.
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import type {TestProject} from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    upstreamDir: string
  }
}

export default function setup(project: TestProject): void {
  const script = join(import.meta.dirname, 'build.sh')
  let out: string
  try {
    out = execFileSync('bash', [script], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']})
  } catch (error) {
    throw new Error(
      `Conformance tests need upstream's oracle, which failed to build (${script}): ${(error as Error).message}`,
    )
  }
  const dir = out.trim().split('\n').at(-1) ?? ''
  project.provide('upstreamDir', dir)
}
