/**
 * A user `null` deletes a chart default (helm's coalesce). For the defaults the release's chart templates or its
 * start-up parse cannot do without (measured with upstream's own code into null-refusals.ts), that install fails
 * upstream; here it is refused at the key, with what to do instead.
 */
import type {ConfigProblem} from '../errors.js'
import {CHART_VALUES} from './chart-values.js'
import {NULL_REFUSALS} from './null-refusals.js'
import type {Locate} from './schema-errors.js'
import {isPlainObject} from './set-values.js'

export function deletedDefaultProblems(values: Readonly<Record<string, unknown>>, locate: Locate): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const walk = (
    user: Readonly<Record<string, unknown>>,
    defaults: Readonly<Record<string, unknown>>,
    prefix: string,
  ) => {
    for (const [key, value] of Object.entries(user)) {
      if (!Object.hasOwn(defaults, key)) continue
      const path = prefix === '' ? key : `${prefix}.${key}`
      const fallback = defaults[key]
      if (value === null) {
        const refusal = NULL_REFUSALS[path]
        if (refusal !== undefined) problems.push(problem(path, refusal, locate))
      } else if (isPlainObject(value) && isPlainObject(fallback)) {
        walk(value, fallback, path)
      }
    }
  }
  walk(values, CHART_VALUES, '')
  return problems
}

function problem(path: string, refusal: {stage: 'helm' | 'parse'; reason: string}, locate: Locate): ConfigProblem {
  const pos = locate(path, 'value')
  const why =
    refusal.stage === 'helm'
      ? `${refusal.reason.replace(/ needs it$/, '')} needs it`
      : `the vCluster would not start (${refusal.reason})`
  return {
    source: pos?.source ?? '<config>',
    line: pos?.line,
    col: pos?.col,
    path,
    severity: 'error',
    message: `null deletes the release's default here, and ${why}; leave the key out to keep the default, or set a value`,
  }
}
