/** Shared helpers for the manifest tests: render a case, compare it with its golden file, find objects. */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {parse, stringify} from 'yaml'
import {expect, it} from 'vitest'
import {resolveValues} from '../../../src/lib/config/load.js'
import {renderManifests, type KubeObject, type RenderInput} from '../../../src/lib/manifests/index.js'

export const NAME = 'my-vc'
export const NAMESPACE = 'team-a'

const GOLDEN_DIR = join(import.meta.dirname, '../../fixtures/manifests')

// Rendered objects are plain data; tests index into them freely.
export type Obj = Record<string, any>

/** Resolves a vcluster.yaml (as YAML text) the way the CLI does, and renders it. */
export function inputFor(valuesYaml: string, hostVersion?: string): RenderInput {
  const values = (parse(valuesYaml) ?? {}) as Record<string, unknown>
  const {config} = resolveValues(values)
  return {name: NAME, namespace: NAMESPACE, config, values, ...(hostVersion !== undefined ? {hostVersion} : {})}
}

export function render(valuesYaml: string, hostVersion?: string): KubeObject[] {
  return renderManifests(inputFor(valuesYaml, hostVersion))
}

/** Secret data would make the goldens unreadable (the config is ~16 kB); it is pinned by hash and tested apart. */
function forGolden(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret' || typeof object.data !== 'object' || object.data === null) return object
  const data = Object.fromEntries(
    Object.entries(object.data as Record<string, string>).map(([key, value]) => {
      const text = Buffer.from(value, 'base64').toString('utf8')
      return [key, `<sha256 ${createHash('sha256').update(text).digest('hex')}, ${text.length} bytes>`]
    }),
  )
  return {...object, data}
}

export function goldenText(
  caseName: string,
  valuesYaml: string,
  hostVersion: string | undefined,
  objects: KubeObject[],
): string {
  const values =
    valuesYaml.trim() === ''
      ? ['# (defaults)']
      : valuesYaml
          .trim()
          .split('\n')
          .map((line) => `#   ${line}`)
  const header = [
    `# Golden manifests for case "${caseName}" (release ${NAME}, namespace ${NAMESPACE}, host ${hostVersion ?? 'unknown'}).`,
    '# Values:',
    ...values,
    '# Regenerate: UPDATE_GOLDEN=1 npx vitest run test/lib/manifests',
  ]
  return `${header.join('\n')}\n${objects.map((o) => `---\n${stringify(forGolden(o), {lineWidth: 0})}`).join('')}`
}

/** Compares with test/fixtures/manifests/<case>.yaml; UPDATE_GOLDEN=1 rewrites the file instead. */
export function expectGolden(
  caseName: string,
  valuesYaml: string,
  hostVersion: string | undefined,
  objects: KubeObject[],
): void {
  const path = join(GOLDEN_DIR, `${caseName}.yaml`)
  const text = goldenText(caseName, valuesYaml, hostVersion, objects)
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(path, text)
    return
  }
  expect(existsSync(path), `missing golden ${path}; run with UPDATE_GOLDEN=1 and review it`).toBe(true)
  expect(text).toBe(readFileSync(path, 'utf8'))
}

export function ids(objects: KubeObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`)
}

export function find(objects: KubeObject[], kind: string, name: string): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name)
  expect(found, `${kind}/${name} in ${ids(objects).join(', ')}`).toBeDefined()
  return found as Obj
}

/** The control-plane StatefulSet or Deployment (always the last object). */
export function workload(objects: KubeObject[]): Obj {
  const last = objects[objects.length - 1] as Obj
  expect(['StatefulSet', 'Deployment']).toContain(last.kind)
  expect(last.metadata.name).toBe(NAME)
  return last
}

export const podSpec = (objects: KubeObject[]): Obj => workload(objects).spec.template.spec
export const syncer = (objects: KubeObject[]): Obj => podSpec(objects).containers[0]
export const initContainer = (objects: KubeObject[]): Obj =>
  podSpec(objects).initContainers.find((c: Obj) => c.name === 'kubernetes')
export const names = (items: Obj[]): string[] => items.map((i) => i.name)
export const mounts = (objects: KubeObject[]): string[] =>
  syncer(objects).volumeMounts.map((m: Obj) => `${m.name}:${m.mountPath}`)

/** A rule rendered as `group|res1,res2|verb1,verb2` for compact comparisons. */
export function ruleKey(rule: Obj): string {
  return `${(rule.apiGroups ?? []).join(',')}|${(rule.resources ?? []).join(',')}|${(rule.verbs ?? []).join(',')}`
}

export function configOf(objects: KubeObject[], key = 'config.yaml'): Obj {
  const secret = find(objects, 'Secret', `vc-config-${NAME}`)
  return parse(Buffer.from(secret.data[key], 'base64').toString('utf8')) as Obj
}

export interface GoldenCase {
  name: string
  values: string
  host?: string
  /** Explicit facts, so a golden regenerated blindly cannot hide a regression. */
  check: (objects: KubeObject[]) => void
}

export function goldenCases(cases: GoldenCase[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const objects = render(c.values, c.host)
      c.check(objects)
      expectGolden(c.name, c.values, c.host, objects)
    })
  }
}
