import {CHART_VALUES} from './chart-values.js'
import {coalesceValues, withoutDeletedNulls} from './coalesce.js'

/**
 * The resolved config: the pinned release's chart values.yaml with the user's values coalesced onto it as helm does,
 * so the syncer reads the same document a helm install of that release would give it (the chart stores
 * `.Values | toYaml`). The defaults are the generated module, not the YAML: parsing it would cost every start.
 */
export function withChartDefaults(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return coalesceValues(CHART_VALUES, values)
}

/** The user's values as helm validates them: without the nulls that delete a chart default (they are valid). */
export function valuesToValidate(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return withoutDeletedNulls(CHART_VALUES, values)
}
