import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  countByKind,
  formatDifferences,
  REFINEMENT_MARK,
  refinements,
  schemaDifferences,
  type SchemaDifference,
} from '../../../scripts/upstream/schema-diff.js'
import {SCHEMA_PATH} from '../../../scripts/write-schema.js'

const ROOT = join(import.meta.dirname, '../../..')
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

const closedObject = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties,
  additionalProperties: false,
})

describe('schemaDifferences on small schemas', () => {
  const base = {
    $defs: {
      Image: closedObject({tag: {type: 'string'}, pullPolicy: {type: 'string'}}),
    },
    ...closedObject({
      image: {$ref: '#/$defs/Image', description: 'resolved through $defs'},
      replicas: {type: 'integer'},
      enabled: {oneOf: [{type: 'string'}, {type: 'boolean'}]},
      labels: {type: 'object', additionalProperties: {type: 'string'}},
      spec: {type: 'object'},
      pools: {type: 'array', items: closedObject({name: {type: 'string'}})},
      mode: {type: 'string', enum: ['a', 'b']},
    }),
  }

  it('finds none between a schema and itself, or an inlined copy of it', () => {
    expect(schemaDifferences(base, base)).toEqual([])
    const inlined = structuredClone(base) as Record<string, any>
    inlined.properties.image = closedObject({
      pullPolicy: {type: 'string'},
      tag: {type: 'string', description: 'other text'},
    })
    inlined.properties.enabled = {anyOf: [{type: 'boolean'}, {type: 'string'}]}
    inlined.properties.spec = {type: 'object', additionalProperties: true}
    expect(schemaDifferences(base, inlined)).toEqual([])
  })

  it('reports added and removed keys once, at the top of the subtree', () => {
    const next = structuredClone(base) as Record<string, any>
    delete next.properties.pools
    next.properties.image = closedObject({
      tag: {type: 'string'},
      pullPolicy: {type: 'string'},
      digest: {type: 'string'},
    })
    next.properties.extra = closedObject({a: closedObject({b: {type: 'string'}})})
    expect(schemaDifferences(base, next)).toEqual<SchemaDifference[]>([
      {path: 'image.digest', kind: 'added', next: 'string'},
      {path: 'pools', kind: 'removed', base: 'array'},
      {path: 'extra', kind: 'added', next: 'object'},
    ])
  })

  it('reports changed types, including inside items and map values, and does not descend below them', () => {
    const next = structuredClone(base) as Record<string, any>
    next.properties.replicas = {type: 'number'}
    next.properties.labels = {type: 'object', additionalProperties: {type: ['string', 'integer']}}
    next.properties.pools.items.properties.name = {}
    next.properties.image = {type: 'string'}
    expect(schemaDifferences(base, next)).toEqual<SchemaDifference[]>([
      {path: 'image', kind: 'type', base: 'object', next: 'string'},
      {path: 'replicas', kind: 'type', base: 'integer', next: 'number'},
      {path: 'labels.*', kind: 'type', base: 'string', next: 'integer|string'},
      {path: 'pools[].name', kind: 'type', base: 'string', next: 'any'},
    ])
  })

  it('reports enum changes, per branch of a union', () => {
    const next = structuredClone(base) as Record<string, any>
    next.properties.mode = {type: 'string', enum: ['a', 'b', 'c']}
    next.properties.enabled = {anyOf: [{type: 'boolean'}, {type: 'string', enum: ['auto']}]}
    expect(schemaDifferences(base, next)).toEqual<SchemaDifference[]>([
      {path: 'enabled', kind: 'enum', base: 'boolean|string', next: 'boolean|string("auto")'},
      {path: 'mode', kind: 'enum', base: 'string("a"|"b")', next: 'string("a"|"b"|"c")'},
    ])
  })

  it('tells a closed object from a free-form map, and a map of strings from a map of anything', () => {
    const next = structuredClone(base) as Record<string, any>
    next.properties.spec = {type: 'object', additionalProperties: false}
    next.properties.labels = {type: 'object'}
    next.properties.image.additionalProperties = true
    expect(schemaDifferences(base, next)).toEqual<SchemaDifference[]>([
      {path: 'image.*', kind: 'added', next: 'any'},
      {path: 'labels.*', kind: 'type', base: 'string', next: 'any'},
      {path: 'spec.*', kind: 'removed', base: 'any'},
    ])
    expect(countByKind(schemaDifferences(base, next))).toEqual({added: 1, removed: 1, type: 1, enum: 0})
    const image = closedObject({tag: {type: 'string'}, pullPolicy: {type: 'string'}, x: {}})
    expect(schemaDifferences(base, {...next, properties: {...next.properties, image}})).toContainEqual({
      path: 'image.x',
      kind: 'added',
      next: 'any',
    })
  })

  it("reads an anyOf next to the node's own additionalProperties the way upstream's plugins map is written", () => {
    const plugin = closedObject({image: {type: 'string'}})
    const upstream = closedObject({
      plugins: {
        anyOf: [{type: 'object', patternProperties: {'.*': {type: 'string'}}}, {type: 'object'}],
        additionalProperties: plugin,
      },
    })
    const ours = closedObject({plugins: {type: 'object', additionalProperties: plugin}})
    expect(schemaDifferences(upstream, ours)).toEqual([])
  })

  it('leaves marked refinements out of the comparison and lists them', () => {
    const refined = structuredClone(base) as Record<string, any>
    refined.properties.replicas.allOf = [{$comment: `${REFINEMENT_MARK}small`, maximum: 5}]
    refined.properties.labels.allOf = [{$comment: `${REFINEMENT_MARK}keys`, propertyNames: {pattern: '^[a-z]+$'}}]
    expect(schemaDifferences(base, refined)).toEqual([])
    expect(refinements(refined)).toEqual([
      {path: 'replicas', id: 'small'},
      {path: 'labels', id: 'keys'},
    ])
    // An allOf entry that is not marked is part of the schema and is compared.
    refined.properties.spec.allOf = [{type: 'object', additionalProperties: {type: 'string'}}]
    expect(schemaDifferences(base, refined)).toEqual([{path: 'spec.*', kind: 'type', base: 'any', next: 'string'}])
  })

  it('formats one readable line per difference', () => {
    const text = formatDifferences(
      [
        {path: 'a.b', kind: 'removed', base: 'object'},
        {path: 'c', kind: 'type', base: 'string', next: 'integer'},
      ],
      {base: 'release', next: 'ours'},
    )
    expect(text).toBe('removed  a.b  (release: object)\ntype     c    (release: string; ours: integer)')
  })
})

describe('our schema and the pinned release schema', () => {
  it('have the same property paths, types and enums', () => {
    const release = read(join(ROOT, 'src/lib/config/release/values.schema.json'))
    const diffs = schemaDifferences(release, read(SCHEMA_PATH))
    const report = `${diffs.length} differences ${JSON.stringify(countByKind(diffs))}:\n${formatDifferences(diffs, {base: 'release', next: 'ours'})}`
    expect(diffs.length === 0 ? '' : report).toBe('')
  })

  it('documents every kind of refinement ours makes beyond the release schema', () => {
    const decisions = readFileSync(join(ROOT, 'docs/decisions.md'), 'utf8')
    const ids = [...new Set(refinements(read(SCHEMA_PATH)).map((r) => r.id))]
    expect(ids.length).toBeGreaterThan(0)
    expect(ids.filter((id) => !decisions.includes(`\`${id}\`:`))).toEqual([])
  })
})
