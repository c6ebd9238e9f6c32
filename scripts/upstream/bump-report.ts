/**
 * The release bump report: everything that changes between the pinned vCluster release and a candidate, from each
 * release's own files. Pure assembly and formatting; fetching and rendering are passed in.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parse} from 'yaml'
import {diffObjects, diffTemplates, neutralVersion, type ObjectChange, type TemplateChange} from './chart-diff.js'
import {diffRules, formatRuleChanges, ruleMessages, type RuleChange} from './rules-diff.js'
import {countByKind, formatDifferences, schemaDifferences, type DiffKind, type SchemaDifference} from './schema-diff.js'
import {diffLeaves, formatLeafChanges, type LeafChange} from './values-diff.js'

export interface Release {
  version: string
  dir: string
}

export interface BumpReport {
  pinned: Release
  candidate: Release
  schema: {counts: Record<DiffKind, number>; differences: SchemaDifference[]}
  defaults: LeafChange[]
  rules: RuleChange[]
  templates: TemplateChange[]
  /** Rendered default objects, or why they were not compared. */
  objects: {changes: ObjectChange[]} | {skipped: string}
  nextSteps: string[]
}

/** helm's rendering of a release's chart with default values (the oracle), or undefined to skip. */
export type Render = (release: Release) => Promise<string>

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown
const readYaml = (path: string) => parse(readFileSync(path, 'utf8')) as unknown

export async function buildReport(pinned: Release, candidate: Release, render?: Render): Promise<BumpReport> {
  const differences = schemaDifferences(
    readJson(join(pinned.dir, 'chart', 'values.schema.json')),
    readJson(join(candidate.dir, 'chart', 'values.schema.json')),
  )
  return {
    pinned,
    candidate,
    schema: {counts: countByKind(differences), differences},
    defaults: diffLeaves(
      readYaml(join(pinned.dir, 'chart', 'values.yaml')),
      readYaml(join(candidate.dir, 'chart', 'values.yaml')),
    ),
    rules: diffRules(ruleMessages(pinned.dir), ruleMessages(candidate.dir)),
    templates: diffTemplates(join(pinned.dir, 'chart'), join(candidate.dir, 'chart')),
    objects:
      render === undefined
        ? {skipped: 'not asked for (--no-render)'}
        : await renderedChanges(pinned, candidate, render),
    nextSteps: nextSteps(candidate.version),
  }
}

async function renderedChanges(pinned: Release, candidate: Release, render: Render): Promise<BumpReport['objects']> {
  try {
    const [base, next] = await Promise.all([render(pinned), render(candidate)])
    return {changes: diffObjects(neutralVersion(base, pinned.version), neutralVersion(next, candidate.version))}
  } catch (error) {
    return {skipped: (error as Error).message}
  }
}

function nextSteps(version: string): string[] {
  const v = version.replace(/^v/, '')
  return [
    `src/lib/versions.ts: VCLUSTER_VERSION = '${v}'`,
    `test/upstream: go get github.com/loft-sh/vcluster@v${v} && go mod tidy (go.mod and go.sum)`,
    `src/lib/config/release/: copy chart/values.yaml and chart/values.schema.json of the release byte for byte`,
    'src/lib/config/schema/*.ts: until the schema test reports 0 differences, then npm run schema',
    'src/lib/config/rules*.ts for the new or gone start-up rules; src/lib/manifests/ for the chart changes',
    'npm test (unit, conformance against the new release, integration)',
  ]
}

function section(title: string, count: number, body: string): string {
  return `== ${title}: ${count === 0 ? 'no changes' : count}\n${body === '' ? '' : `${body}\n`}`
}

function formatTemplates(changes: readonly TemplateChange[]): string {
  return changes
    .map(
      (c) =>
        `${c.kind.padEnd(7)}  ${c.file}${c.kind === 'changed' ? ` (+${c.linesAdded} -${c.linesRemoved} lines)` : ''}`,
    )
    .join('\n')
}

function formatObjects(changes: readonly ObjectChange[], maxFields = 12): string {
  return changes
    .map((c) => {
      if (c.kind !== 'changed') return `${c.kind.padEnd(7)}  ${c.object}`
      const fields = c.fields ?? []
      const shown = formatLeafChanges(fields.slice(0, maxFields)).replace(/^/gm, '    ')
      const more = fields.length > maxFields ? `\n    ... ${fields.length - maxFields} more` : ''
      return `changed  ${c.object}\n${shown}${more}`
    })
    .join('\n')
}

/** The report as readable text sections. */
export function formatReport(report: BumpReport): string {
  const {counts} = report.schema
  const objects = report.objects
  return [
    `vCluster release bump: ${report.pinned.version} (pinned) -> ${report.candidate.version} (candidate)`,
    `  pinned:    ${report.pinned.dir}\n  candidate: ${report.candidate.dir}\n`,
    section(
      `Schema paths, types and enums (chart/values.schema.json; added ${counts.added}, removed ${counts.removed}, retyped ${counts.type}, enum ${counts.enum})`,
      report.schema.differences.length,
      formatDifferences(report.schema.differences, {base: report.pinned.version, next: report.candidate.version}),
    ),
    section(
      'Defaults (chart/values.yaml leaves; lists compared whole)',
      report.defaults.length,
      formatLeafChanges(report.defaults),
    ),
    section(
      'Start-up rules (error messages of pkg/config and config, fail messages of the chart)',
      report.rules.length,
      formatRuleChanges(report.rules),
    ),
    section('Chart templates', report.templates.length, formatTemplates(report.templates)),
    'skipped' in objects
      ? `== Rendered default objects: skipped (${objects.skipped})\n`
      : section(
          'Rendered default objects (helm install dry run with default values; the release version itself shows as <version>)',
          objects.changes.length,
          formatObjects(objects.changes),
        ),
    `== To move to ${report.candidate.version}\n${report.nextSteps.map((s) => `- ${s}`).join('\n')}\n`,
  ].join('\n')
}
