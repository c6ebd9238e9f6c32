// A private, consistent copy of the built CLI (bin/, dist/, package.json, oclif.manifest.json) for one integration run:
// other work in the same tree may rebuild dist/ while the tests run, and a command started mid-rebuild fails with a
// missing chunk. Taken once by globalSetup; every helper that runs the CLI runs this copy.
import {cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {sleep} from './proc.js'
import {REPO_ROOT} from './rig.js'

/** Relative imports in the bundle that name no file: a copy taken while dist/ was being rewritten. */
export function brokenImports(dir: string): string[] {
  const files = readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter((f) => f.endsWith('.js'))
  return files.flatMap((f) =>
    [...readFileSync(join(dir, f), 'utf8').matchAll(/(?:from ?|import\()"(\.{1,2}\/[^"]+)"/g)]
      .map((m) => resolve(dirname(join(dir, f)), m[1] as string))
      .filter((target) => !existsSync(target)),
  )
}

/** Copies the build into a new directory under parent; retries while dist/ is half-written (up to 20 s). */
export async function snapshotBuild(parent: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(parent, 'cli-'))
    let broken: string[]
    try {
      for (const p of ['bin', 'dist', 'package.json', 'oclif.manifest.json'])
        cpSync(join(REPO_ROOT, p), join(dir, p), {recursive: true})
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'))
      broken = brokenImports(join(dir, 'dist'))
    } catch (error) {
      broken = [(error as Error).message] // dist/ removed or half-written by a build running right now
    }
    if (broken.length === 0) return dir
    rmSync(dir, {recursive: true, force: true})
    if (attempt === 20) {
      throw new Error(`dist/ stays inconsistent (run npm run build): ${broken.slice(0, 3).join(', ')}`)
    }
    await sleep(1000)
  }
}
