/**
 * Gets a vCluster release's own files (chart/, config/, pkg/config/) from the Go module proxy.
 *
 * `go install`/`go list -m -versions` are refused for github.com/loft-sh/vcluster (its version list answers 403),
 * but an exact version required by a module resolves: a throw-away go.mod requiring it, then `go mod download -json`
 * names the release's directory in the module cache.
 */
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

export const VCLUSTER_MODULE = 'github.com/loft-sh/vcluster'

const run = promisify(execFile)

/** `0.37.0` or `v0.37.0` -> `v0.37.0`; refuses anything that is not an exact semantic version. */
export function moduleVersion(version: string): string {
  const v = version.startsWith('v') ? version : `v${version}`
  if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v))
    throw new Error(`"${version}" is not an exact release version such as 0.37.0`)
  return v
}

interface DownloadAnswer {
  Dir?: string
  Error?: string
}

/** The module cache directory holding the release `version` (downloaded on first use). */
export async function releaseDir(version: string): Promise<string> {
  const v = moduleVersion(version)
  const work = await mkdtemp(join(tmpdir(), 'vcluster-upstream-'))
  try {
    await writeFile(
      join(work, 'go.mod'),
      `module example.invalid/fetch\n\ngo 1.22\n\nrequire ${VCLUSTER_MODULE} ${v}\n`,
    )
    const answer = await download(work, `${VCLUSTER_MODULE}@${v}`)
    if (answer.Error !== undefined || answer.Dir === undefined) {
      throw new Error(
        `the Go module proxy has no ${VCLUSTER_MODULE} ${v}: ${answer.Error ?? 'no directory in the answer'}`,
      )
    }
    if (!existsSync(join(answer.Dir, 'chart', 'values.yaml'))) throw new Error(`${answer.Dir} has no chart/values.yaml`)
    return answer.Dir
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

async function download(cwd: string, target: string): Promise<DownloadAnswer> {
  try {
    const {stdout} = await run('go', ['mod', 'download', '-json', target], {cwd, maxBuffer: 16 << 20})
    return JSON.parse(stdout) as DownloadAnswer
  } catch (error) {
    // go exits 1 with the JSON answer (and its Error) on stdout when the version is unavailable.
    const stdout = (error as {stdout?: string}).stdout
    if (typeof stdout === 'string' && stdout.trim().startsWith('{')) return JSON.parse(stdout) as DownloadAnswer
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('Go is needed to fetch a release (go on PATH)')
    throw error
  }
}
