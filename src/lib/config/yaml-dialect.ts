/**
 * The YAML 1.1 that helm and the vCluster binary read (go-yaml v2 under sigs.k8s.io/yaml), as tags for the `yaml`
 * package: its YAML 1.1 schema, without what go-yaml v2 does not resolve (sexagesimal `1:20` and timestamps stay
 * strings) and with the integer prefixes Go's strconv takes (`0o17`, `0O17`, `0B1`, `0X1F`). A value `.inf`/`.nan`
 * is refused by the loaders (firstNonFinite), because helm converts values to JSON, which has neither; as a key it
 * stays text. Checked against helm by test/conformance/differential.test.ts.
 */
import type {ScalarTag, Tags} from 'yaml'

const goInt = (prefix: RegExp, digits: string, radix: number): ScalarTag => ({
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: new RegExp(`^[-+]?${prefix.source}[${digits}_]+$`),
  resolve: (text: string) => {
    const sign = text.startsWith('-') ? -1 : 1
    return sign * Number.parseInt(text.replace(/^[-+]/, '').slice(2).replaceAll('_', ''), radix)
  },
})

const dropped = (tag: ScalarTag) => tag.format === 'TIME' || tag.tag === 'tag:yaml.org,2002:timestamp'

/** `customTags` for the `yaml` package with `version: '1.1'`. */
export function goYamlTags(tags: Tags): Tags {
  const kept = tags.filter((tag) => typeof tag === 'string' || !dropped(tag as ScalarTag))
  return [goInt(/0[oO]/, '0-7', 8), goInt(/0B/, '01', 2), goInt(/0X/, '0-9a-fA-F', 16), ...kept]
}

/** Plain key text that YAML 1.1 reads as null: go-yaml v2 refuses such a key (JSON keys are strings). */
export const isNullKey = (text: string): boolean => /^(?:~|[Nn]ull|NULL)$/.test(text)

/** The path of the first number JSON cannot hold (`.inf`, `.nan`), or undefined. */
export function firstNonFinite(value: unknown, path = ''): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, child] of Object.entries(value)) {
    const found = firstNonFinite(child, Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`)
    if (found !== undefined) return found
  }
  return undefined
}
