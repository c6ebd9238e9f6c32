/**
 * What a release bump changes in the chart: its template files, and the objects `helm install` renders from each
 * chart with default values (through our oracle, test/upstream/oracle, which runs helm's own install dry run).
 */
import {spawn} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {createInterface} from 'node:readline'
import {parse, parseAllDocuments} from 'yaml'
import {diffLeaves, type LeafChange} from './values-diff.js'

export interface TemplateChange {
  file: string
  kind: 'added' | 'removed' | 'changed'
  /** For a changed file: lines only in the candidate / only in the pinned one. */
  linesAdded?: number
  linesRemoved?: number
}

export interface ObjectChange {
  object: string
  kind: 'added' | 'removed' | 'changed'
  fields?: LeafChange[]
}

function chartFiles(chartDir: string, dir = chartDir): Map<string, string> {
  const out = new Map<string, string>()
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) for (const [k, v] of chartFiles(chartDir, path)) out.set(k, v)
    else out.set(relative(chartDir, path), readFileSync(path, 'utf8'))
  }
  return out
}

/** Lines of `a` not matched in `b`, counted as a multiset (enough to size a change; not a positional diff). */
function linesOnlyIn(a: string, b: string): number {
  const left = new Map<string, number>()
  for (const line of b.split('\n')) left.set(line, (left.get(line) ?? 0) + 1)
  let only = 0
  for (const line of a.split('\n')) {
    const n = left.get(line) ?? 0
    if (n > 0) left.set(line, n - 1)
    else only++
  }
  return only
}

/** Template and helper files of two chart directories (values files are compared on their own). */
export function diffTemplates(baseChart: string, nextChart: string): TemplateChange[] {
  const isTemplate = (file: string) => file.startsWith('templates/') || file === 'Chart.yaml'
  const base = new Map([...chartFiles(baseChart)].filter(([f]) => isTemplate(f)))
  const next = new Map([...chartFiles(nextChart)].filter(([f]) => isTemplate(f)))
  const out: TemplateChange[] = []
  for (const [file, text] of base) {
    const other = next.get(file)
    if (other === undefined) out.push({file, kind: 'removed'})
    else if (other !== text)
      out.push({file, kind: 'changed', linesAdded: linesOnlyIn(other, text), linesRemoved: linesOnlyIn(text, other)})
  }
  for (const file of next.keys()) if (!base.has(file)) out.push({file, kind: 'added'})
  return out.sort((a, b) => a.file.localeCompare(b.file))
}

export interface RenderTarget {
  chartDir: string
  version: string
}

/** helm's install dry run of a chart with default values, by the oracle binary: the rendered manifests. */
export async function renderDefaults(
  oracle: string,
  target: RenderTarget,
  name = 'vc',
  namespace = 'vcluster-vc',
): Promise<string> {
  // As in test/upstream/oracle.ts: upstream's code runs without network (only a down `lo`).
  const isolate = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n']
  const args = [...isolate, '--', oracle, '-chart', target.chartDir, '-chart-version', target.version]
  const child = spawn('unshare', args, {stdio: ['pipe', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)))
  const line = new Promise<string>((resolve, reject) => {
    createInterface({input: child.stdout}).once('line', resolve)
    child.once('error', reject)
    // 'close', not 'exit': the process may exit before its last stdout line has been read.
    child.once('close', (code) => reject(new Error(`the oracle exited (${code}) without an answer: ${stderr.trim()}`)))
  })
  child.stdin.end(`${JSON.stringify({id: '1', op: 'install', name, namespace, values: ''})}\n`)
  const answer = JSON.parse(await line) as {manifests?: string; stage?: string; error?: string}
  child.kill()
  if (answer.manifests === undefined)
    throw new Error(`helm refused the default values of ${target.chartDir}: ${answer.error ?? '?'}`)
  return answer.manifests
}

interface Rendered {
  kind?: string
  metadata?: {name?: string; namespace?: string}
  data?: Record<string, unknown>
}

/** A Secret's data decoded, a YAML mapping (the config Secret's config.yaml) parsed, so changes show field by field. */
function decodeSecret(obj: Rendered): Rendered {
  if (obj.kind !== 'Secret' || obj.data === undefined) return obj
  const data = Object.fromEntries(
    Object.entries(obj.data).map(([key, value]) => {
      if (typeof value !== 'string') return [key, value]
      const text = Buffer.from(value, 'base64').toString('utf8')
      try {
        const parsed = parse(text) as unknown
        return [key, typeof parsed === 'object' && parsed !== null ? parsed : text]
      } catch {
        return [key, text]
      }
    }),
  )
  return {...obj, data}
}

/** Rendered objects by `Kind/namespace/name`. */
export function objectsByKey(manifests: string): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const doc of parseAllDocuments(manifests)) {
    const obj = doc.toJS() as Rendered | null
    if (obj === null || typeof obj !== 'object' || obj.kind === undefined) continue
    out.set(`${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`, decodeSecret(obj))
  }
  return out
}

/** Replaces each release's version in a rendered text, so that labels and image tags naming it do not all differ. */
export function neutralVersion(text: string, version: string): string {
  return text.split(version.replace(/^v/, '')).join('<version>')
}

/** Objects added, removed and changed (field by field) between two renderings. */
export function diffObjects(base: string, next: string): ObjectChange[] {
  const before = objectsByKey(base)
  const after = objectsByKey(next)
  const out: ObjectChange[] = []
  for (const [key, obj] of before) {
    if (!after.has(key)) out.push({object: key, kind: 'removed'})
    else {
      const fields = diffLeaves(obj, after.get(key), true)
      if (fields.length > 0) out.push({object: key, kind: 'changed', fields})
    }
  }
  for (const key of after.keys()) if (!before.has(key)) out.push({object: key, kind: 'added'})
  return out
}
