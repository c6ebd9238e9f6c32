import type {NamedEntry} from './resolve.js'
import {loadKubeconfigFile, saveKubeconfigFile, withKubeconfigLocks, type KubeconfigFile} from './file.js'
import type {ListKey} from './text.js'

/**
 * The kubeconfig files of one invocation, merged and edited with client-go's rules (`clientcmd.ModifyConfig`):
 * - an entry is read from, and written back to, the first file that defines it;
 * - a new entry goes to the first file that exists (else the first file);
 * - current-context is written to the first file that sets one (else the first file that exists);
 * - a removed entry is removed from every file.
 */
export class KubeconfigSet {
  constructor(readonly files: readonly KubeconfigFile[]) {}

  currentContext(): string {
    for (const f of this.files) if (f.text.currentContext() !== '') return f.text.currentContext()
    return ''
  }

  names(list: ListKey): string[] {
    return [...new Set(this.files.flatMap((f) => f.text.names(list)))]
  }

  entry(list: ListKey, name: string): NamedEntry | undefined {
    return this.origin(list, name)?.text.entry(list, name)
  }

  upsert(list: ListKey, entry: NamedEntry): void {
    ;(this.origin(list, entry.name) ?? this.defaultFile()).text.upsert(list, entry)
  }

  remove(list: ListKey, name: string): boolean {
    let removed = false
    for (const f of this.files) removed = f.text.remove(list, name) || removed
    return removed
  }

  setCurrentContext(name: string): void {
    const holder = this.files.find((f) => f.text.currentContext() !== '') ?? this.defaultFile()
    holder.text.setCurrentContext(name)
  }

  private origin(list: ListKey, name: string): KubeconfigFile | undefined {
    return this.files.find((f) => f.text.names(list).includes(name))
  }

  private defaultFile(): KubeconfigFile {
    return this.files.find((f) => f.existed) ?? (this.files[0] as KubeconfigFile)
  }
}

/** Reads the files without locking (for decisions only; never write what this returns). */
export async function readKubeconfigSet(paths: readonly string[]): Promise<KubeconfigSet> {
  const files = await Promise.all(paths.map((p) => loadKubeconfigFile(p)))
  // A symlink and its target both listed are one file: edit it once, or the second save would undo the first.
  return new KubeconfigSet(files.filter((f, i) => files.findIndex((g) => g.target === f.target) === i))
}

/**
 * Read-merge-write under the locks: change edits the set; every file whose text changed is written atomically.
 * Nothing is written when change throws.
 */
export async function editKubeconfigs<T>(
  paths: readonly string[],
  change: (set: KubeconfigSet) => T | Promise<T>,
  lockTimeoutMs?: number,
): Promise<T> {
  if (paths.length === 0) throw new Error('no kubeconfig file to edit')
  return withKubeconfigLocks(
    paths,
    async () => {
      const set = await readKubeconfigSet(paths)
      const result = await change(set)
      for (const f of set.files) await saveKubeconfigFile(f)
      return result
    },
    lockTimeoutMs,
  )
}
