/**
 * Small builders for the vcluster.yaml schema, so that every definition reads as one line per key.
 *
 * Conventions:
 * - Every builder returns an *optional* property (every key of a values file is optional); wrap one in
 *   `required()` for the few keys upstream marks as required.
 * - Leaf builders take `(description)` or `(default, description)`; the `default` keyword is only ever put on
 *   leaves (scalars, lists and free-form maps), never on closed objects, so a defaults walker can rebuild the
 *   resolved document from the schema alone.
 * - Closed objects (`additionalProperties: false`) mirror upstream's generated schema, where every Go struct is
 *   closed; free-form maps are open exactly where upstream uses `map[string]interface{}` or `interface{}`.
 * - Property paths, JSON types and enums equal the pinned release's `values.schema.json` (a test diffs them).
 *   Where we check more than upstream's schema, the check sits in a marked `allOf` entry (see `refine`), each
 *   kind listed in docs/decisions.md ("Stricter than upstream").
 */
import {
  Type,
  type Static,
  type TArray,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TUnsafe,
} from '@sinclair/typebox'

/** `$comment` prefix of an `allOf` entry holding one of our refinements; the id follows it. */
export const REFINEMENT_MARK = 'refines upstream: '

/** The kinds of checks we make beyond the release's schema; each is explained in docs/decisions.md. */
export type RefinementId =
  | 'kubernetes-values'
  | 'auto-bool'
  | 'log-encoding'
  | 'int-or-string'
  | 'string-values'
  | 'object-items'
  | 'go-duration'
  | 'removed-in-0.36'

/** Adds a check stricter than upstream's schema, kept apart so the schema's own shape stays upstream's. */
export function refine(
  schema: Record<string, unknown>,
  id: RefinementId,
  check: Record<string, unknown>,
): Record<string, unknown> {
  return {...schema, allOf: [{$comment: `${REFINEMENT_MARK}${id}`, ...check}]}
}

/** Extra annotations every builder accepts. */
export interface Extra {
  deprecated?: boolean
}

type Opt<T extends TSchema> = TOptional<T>

function split<D>(a: D | string, b: string | Extra | undefined): [D | undefined, string] {
  return typeof b === 'string' ? [a as D, b] : [undefined, a as string]
}

function extraOf(b: string | Extra | undefined, c: Extra | undefined): Extra | undefined {
  return typeof b === 'object' ? b : c
}

function annotate(description: string, def: unknown, extra: Extra | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {description}
  if (def !== undefined) out.default = def
  if (extra?.deprecated === true) out.deprecated = true
  return out
}

/** Turns an optional property into a required one (upstream's `jsonschema:"required"`). */
export function required<T extends TSchema>(schema: TOptional<T>): T {
  return Type.Optional(schema, false) as unknown as T
}

/** A closed object schema (not wrapped as optional), for array items, map values and the document root. */
export function object<T extends TProperties>(props: T, description: string, extra?: Extra): TObject<T> {
  return Type.Object(props, {additionalProperties: false, ...annotate(description, undefined, extra)})
}

/** An optional closed object: unknown keys are rejected, as in upstream's schema. */
export function closed<T extends TProperties>(props: T, description: string, extra?: Extra): Opt<TObject<T>> {
  return Type.Optional(object(props, description, extra))
}

export function str(description: string, extra?: Extra): Opt<TUnsafe<string>>
export function str(def: string, description: string, extra?: Extra): Opt<TUnsafe<string>>
export function str(a: string, b?: string | Extra, c?: Extra): Opt<TUnsafe<string>> {
  const [def, description] = split<string>(a, b)
  return Type.Optional(Type.Unsafe<string>({type: 'string', ...annotate(description, def, extraOf(b, c))}))
}

/** A string that must match a pattern we check beyond upstream's schema. */
export function pattern(id: RefinementId, regex: string, description: string): Opt<TUnsafe<string>> {
  return Type.Optional(Type.Unsafe<string>(refine({type: 'string', description}, id, {pattern: regex})))
}

export function bool(description: string, extra?: Extra): Opt<TUnsafe<boolean>>
export function bool(def: boolean, description: string, extra?: Extra): Opt<TUnsafe<boolean>>
export function bool(a: boolean | string, b?: string | Extra, c?: Extra): Opt<TUnsafe<boolean>> {
  const [def, description] = split<boolean>(a, b)
  return Type.Optional(Type.Unsafe<boolean>({type: 'boolean', ...annotate(description, def, extraOf(b, c))}))
}

export function int(description: string, extra?: Extra): Opt<TUnsafe<number>>
export function int(def: number, description: string, extra?: Extra): Opt<TUnsafe<number>>
export function int(a: number | string, b?: string | Extra, c?: Extra): Opt<TUnsafe<number>> {
  const [def, description] = split<number>(a, b)
  return Type.Optional(Type.Unsafe<number>({type: 'integer', ...annotate(description, def, extraOf(b, c))}))
}

/** A string that upstream's schema leaves free but we restrict to a fixed set of values (`id` says why). */
export function oneOf<const V extends readonly string[]>(
  id: RefinementId,
  values: V,
  description: string,
): Opt<TUnsafe<V[number]>>
export function oneOf<const V extends readonly string[]>(
  id: RefinementId,
  values: V,
  def: V[number],
  description: string,
): Opt<TUnsafe<V[number]>>
export function oneOf<const V extends readonly string[]>(
  id: RefinementId,
  values: V,
  a: string,
  b?: string,
): Opt<TUnsafe<V[number]>> {
  const [def, description] = split<string>(a, b)
  return Type.Optional(
    Type.Unsafe<V[number]>(refine({type: 'string', ...annotate(description, def, undefined)}, id, {enum: [...values]})),
  )
}

/** The values an "auto" boolean takes: a boolean, or one of the strings "auto", "true", "false". */
export type AutoBool = boolean | 'auto' | 'true' | 'false'

/**
 * An "auto" boolean (upstream's `StrBool`): `true`, `false`, or `"auto"` to let vCluster decide. Upstream takes any
 * string and reads all but "true" and "auto" as false; we take only the strings "auto", "true" and "false" (the
 * chart compares `toString` of the value, so the last two mean the booleans).
 */
export function autoBool(def: AutoBool | undefined, description: string): Opt<TUnsafe<AutoBool>> {
  const base = {anyOf: [{type: 'boolean'}, {type: 'string'}], ...annotate(description, def, undefined)}
  return Type.Optional(Type.Unsafe<AutoBool>(refine(base, 'auto-bool', {enum: [true, false, 'auto', 'true', 'false']})))
}

/** A Kubernetes int-or-string value (ports, PDB budgets); upstream's Go type and schema take any value. */
export function intOrString(description: string): Opt<TUnsafe<number | string>> {
  return Type.Optional(
    Type.Unsafe<number | string>(
      refine({description}, 'int-or-string', {anyOf: [{type: 'integer'}, {type: 'string'}]}),
    ),
  )
}

export function strList(description: string): Opt<TUnsafe<string[]>>
export function strList(def: string[], description: string): Opt<TUnsafe<string[]>>
export function strList(a: string[] | string, b?: string): Opt<TUnsafe<string[]>> {
  const [def, description] = split<string[]>(a, b)
  return Type.Optional(
    Type.Unsafe<string[]>({type: 'array', items: {type: 'string'}, ...annotate(description, def, undefined)}),
  )
}

/** A map of strings to strings (labels, annotations, node selectors, name mappings). */
export function stringMap(description: string): Opt<TUnsafe<Record<string, string>>>
export function stringMap(def: Record<string, string>, description: string): Opt<TUnsafe<Record<string, string>>>
export function stringMap(a: Record<string, string> | string, b?: string): Opt<TUnsafe<Record<string, string>>> {
  const [def, description] = split<Record<string, string>>(a, b)
  return Type.Optional(
    Type.Unsafe<Record<string, string>>({
      type: 'object',
      additionalProperties: {type: 'string'},
      ...annotate(description, def, undefined),
    }),
  )
}

/** A map of strings where upstream's Go type is `map[string]interface{}` (its schema: any object). */
export function looseStringMap(def: Record<string, string>, description: string): Opt<TUnsafe<Record<string, string>>>
export function looseStringMap(description: string): Opt<TUnsafe<Record<string, string>>>
export function looseStringMap(a: Record<string, string> | string, b?: string): Opt<TUnsafe<Record<string, string>>> {
  const [def, description] = split<Record<string, string>>(a, b)
  const base = {type: 'object', ...annotate(description, def, undefined)}
  return Type.Optional(
    Type.Unsafe<Record<string, string>>(refine(base, 'string-values', {additionalProperties: {type: 'string'}})),
  )
}

/** A list of mappings where upstream's Go type is `[]interface{}` (its schema: items of any kind). */
export function looseObjList(
  def: Record<string, unknown>[],
  description: string,
): Opt<TUnsafe<Record<string, unknown>[]>>
export function looseObjList(description: string): Opt<TUnsafe<Record<string, unknown>[]>>
export function looseObjList(
  a: Record<string, unknown>[] | string,
  b?: string,
): Opt<TUnsafe<Record<string, unknown>[]>> {
  const [def, description] = split<Record<string, unknown>[]>(a, b)
  const base = {type: 'array', items: {}, ...annotate(description, def, undefined)}
  return Type.Optional(Type.Unsafe<Record<string, unknown>[]>(refine(base, 'object-items', {items: {type: 'object'}})))
}

/** A free-form mapping (a Kubernetes object fragment, plugin config, resource quantities). */
export function openObject(description: string): Opt<TUnsafe<Record<string, unknown>>>
export function openObject(def: Record<string, unknown>, description: string): Opt<TUnsafe<Record<string, unknown>>>
export function openObject(a: Record<string, unknown> | string, b?: string): Opt<TUnsafe<Record<string, unknown>>> {
  const [def, description] = split<Record<string, unknown>>(a, b)
  return Type.Optional(
    Type.Unsafe<Record<string, unknown>>({
      type: 'object',
      additionalProperties: true,
      ...annotate(description, def, undefined),
    }),
  )
}

/** A list of free-form mappings (env entries, volumes, tolerations, rules). */
export function objList(description: string): Opt<TUnsafe<Record<string, unknown>[]>>
export function objList(def: Record<string, unknown>[], description: string): Opt<TUnsafe<Record<string, unknown>[]>>
export function objList(a: Record<string, unknown>[] | string, b?: string): Opt<TUnsafe<Record<string, unknown>[]>> {
  const [def, description] = split<Record<string, unknown>[]>(a, b)
  return Type.Optional(
    Type.Unsafe<Record<string, unknown>[]>({
      type: 'array',
      items: {type: 'object', additionalProperties: true},
      ...annotate(description, def, undefined),
    }),
  )
}

/** A list whose items may be anything (upstream's `[]interface{}`). */
export function anyList(description: string): Opt<TUnsafe<unknown[]>>
export function anyList(def: unknown[], description: string): Opt<TUnsafe<unknown[]>>
export function anyList(a: unknown[] | string, b?: string): Opt<TUnsafe<unknown[]>> {
  const [def, description] = split<unknown[]>(a, b)
  return Type.Optional(Type.Unsafe<unknown[]>({type: 'array', items: {}, ...annotate(description, def, undefined)}))
}

/** Any value at all (upstream's `interface{}`). */
export function anything(description: string): Opt<TUnsafe<unknown>> {
  return Type.Optional(Type.Unsafe<unknown>({description}))
}

/** A list of schema-described items. */
export function list<T extends TSchema>(items: T, description: string, def?: Static<T>[]): Opt<TArray<T>> {
  return Type.Optional(Type.Array(items, annotate(description, def, undefined)))
}

/** A map from free keys to schema-described values. */
export function mapOf<T extends TSchema>(
  values: T,
  description: string,
  def?: Record<string, Static<T>>,
  extra?: Extra,
): Opt<TUnsafe<Record<string, Static<T>>>> {
  return Type.Optional(
    Type.Unsafe<Record<string, Static<T>>>({
      type: 'object',
      additionalProperties: values,
      ...annotate(description, def, extra),
    }),
  )
}

/**
 * A key upstream removed but still parses, which the chart refuses when present (any value). It keeps upstream's
 * shape, so the schema can explain it; every value fails validation.
 */
export function removed<T extends TProperties>(props: T, description: string): Opt<TUnsafe<never>> {
  const base = {...object(props, description), deprecated: true}
  return Type.Optional(Type.Unsafe<never>(refine(base, 'removed-in-0.36', {not: {}})))
}

/** A list of strings that upstream's schema leaves free but we restrict to a fixed set of values. */
export function enumList<const V extends readonly string[]>(
  id: RefinementId,
  values: V,
  description: string,
): Opt<TUnsafe<V[number][]>>
export function enumList<const V extends readonly string[]>(
  id: RefinementId,
  values: V,
  def: V[number][],
  description: string,
): Opt<TUnsafe<V[number][]>>
export function enumList<const V extends readonly string[]>(
  id: RefinementId,
  values: V,
  a: V[number][] | string,
  b?: string,
): Opt<TUnsafe<V[number][]>> {
  const [def, description] = split<V[number][]>(a, b)
  const base = {type: 'array', items: {type: 'string'}, ...annotate(description, def, undefined)}
  return Type.Optional(Type.Unsafe<V[number][]>(refine(base, id, {items: {enum: [...values]}})))
}
