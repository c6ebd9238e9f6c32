import {isPlainObject} from './set-values.js'

type Values = Record<string, unknown>

/**
 * The chart's defaults with the user's values on top, exactly as helm's `chartutil.CoalesceValues` does it (helm
 * v3.21, pkg/chartutil/coalesce.go), because the syncer reads this document as a helm install would have written it:
 * - maps merge key by key; lists and scalars replace the default whole;
 * - a user `null` deletes a key whose default is set (at the top level any key the defaults have); where the
 *   default is missing or itself null, the null stays;
 * - when a map meets a non-map (either way round) the user's value wins as it is, never merged.
 * Neither input is modified; the result shares no structure with them. Key order: the defaults', then the user's
 * own keys.
 */
export function coalesceValues(defaults: Readonly<Values>, user: Readonly<Values>): Values {
  return coalesceLevel(defaults, user, true)
}

function coalesceLevel(defaults: Readonly<Values>, user: Readonly<Values>, top: boolean): Values {
  const out: Values = {}
  for (const [key, fallback] of Object.entries(defaults)) {
    if (!Object.hasOwn(user, key)) {
      setOwn(out, key, structuredClone(fallback))
      continue
    }
    const value = user[key]
    if (value === null) {
      // Top level (coalesceValues): null always removes. Deeper (coalesceTablesFullKey): only a non-null default.
      if (!top && fallback === null) setOwn(out, key, null)
    } else if (isPlainObject(value) && isPlainObject(fallback)) {
      setOwn(out, key, coalesceLevel(fallback, value, false))
    } else {
      setOwn(out, key, structuredClone(value))
    }
  }
  for (const [key, value] of Object.entries(user)) {
    if (!Object.hasOwn(defaults, key)) setOwn(out, key, structuredClone(value))
  }
  return out
}

/**
 * The user's values without the nulls that coalescing deletes (a null whose key has a default), which is what helm
 * checks against the chart's schema; a null it keeps (no default there) stays and is refused there, as by helm.
 */
export function withoutDeletedNulls(defaults: Readonly<Values>, user: Readonly<Values>, top = true): Values {
  const out: Values = {}
  for (const [key, value] of Object.entries(user)) {
    const fallback = Object.hasOwn(defaults, key) ? defaults[key] : undefined
    if (value === null && fallback !== undefined && (top || fallback !== null)) continue
    setOwn(
      out,
      key,
      isPlainObject(value) && isPlainObject(fallback) ? withoutDeletedNulls(fallback, value, false) : value,
    )
  }
  return out
}

// A key spelled `__proto__` must stay a plain own key, never reach or replace the prototype.
function setOwn(target: Values, key: string, value: unknown): void {
  Object.defineProperty(target, key, {value, writable: true, enumerable: true, configurable: true})
}
