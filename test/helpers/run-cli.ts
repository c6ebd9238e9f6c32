import {writeFileSync} from 'node:fs'

import {join, resolve} from 'node:path'
import {execa} from 'execa'
import {tempDir} from './temp.js'

const BIN = resolve(import.meta.dirname, '../../bin/run.js')

export interface CliResult {
  stdout: string
  stderr: string
  exitCode: number
}

/** Runs the built CLI as users do (a child process), with colour off and no inherited kubeconfig. */
export async function runCli(
  args: string[],
  options: {input?: string; env?: Record<string, string>; cwd?: string} = {},
): Promise<CliResult> {
  const result = await execa(process.execPath, [BIN, ...args], {
    reject: false,
    input: options.input ?? '',
    cwd: options.cwd,
    env: {NO_COLOR: '1', KUBECONFIG: '', ...options.env},
    extendEnv: true,
    timeout: 60_000,
  })
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1}
}

/** Writes files into a fresh temp dir and returns the dir. */
export function tempFiles(files: Record<string, string>): string {
  const dir = tempDir('vcluster-test-')
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}
