/**
 * Kubernetes' name and label validation (k8s.io/apimachinery, as the release's Go code calls it), so our rules
 * accept exactly the names the vCluster binary accepts. Lengths are in bytes, as Go's len().
 */
import {at, isSet, list, map, type Report} from './rules-util.js'
import {isPlainObject} from './set-values.js'

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const DNS1123_LABEL = new RegExp(`^${LABEL}$`)
const DNS1123_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`)
const WILDCARD_SUBDOMAIN = new RegExp(`^\\*\\.${LABEL}(\\.${LABEL})*$`)
const LABEL_KEY_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

export function isDns1123Label(value: string): boolean {
  return bytes(value) <= 63 && DNS1123_LABEL.test(value)
}

export function isDns1123Subdomain(value: string): boolean {
  return bytes(value) <= 253 && DNS1123_SUBDOMAIN.test(value)
}

export function isWildcardDns1123Subdomain(value: string): boolean {
  return bytes(value) <= 253 && WILDCARD_SUBDOMAIN.test(value)
}

/** apimachinery's maskTrailingDash, quirk included: a trailing dash replaces the last two characters with `a`. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name
}

/** validation.ValidateNamespaceName (NameIsDNSLabel); with `prefix`, the name may end in a dash. */
export function isNamespaceName(name: string, prefix = false): boolean {
  return isDns1123Label(prefix ? maskTrailingDash(name) : name)
}

/** validation.NameIsDNSSubdomain without prefix: an object name such as a ConfigMap's. */
export function isObjectName(name: string): boolean {
  return isDns1123Subdomain(name)
}

/** A label key (IsQualifiedName): an optional DNS subdomain prefix and `/`, then a name of up to 63 characters. */
export function isLabelKey(key: string): boolean {
  const parts = key.split('/')
  if (parts.length > 2) return false
  const name = parts.at(-1) as string
  if (parts.length === 2 && (parts[0] === '' || !isDns1123Subdomain(parts[0] as string))) return false
  return name !== '' && bytes(name) <= 63 && LABEL_KEY_NAME.test(name)
}

export function isLabelValue(value: string): boolean {
  return bytes(value) <= 63 && LABEL_VALUE.test(value)
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist']

/**
 * A metav1.LabelSelector as LabelSelectorAsSelector converts it: valid label keys and values, a known operator,
 * values for In/NotIn and none for Exists/DoesNotExist. Reports each problem at its key.
 */
export function checkLabelSelector(values: unknown, path: string, report: Report, what: string): void {
  if (!isSet(values, path)) return
  for (const [key, value] of Object.entries(map(values, `${path}.matchLabels`))) {
    const labelPath = `${path}.matchLabels.${key}`
    if (!isLabelKey(key))
      report(
        labelPath,
        `${what}: "${key}" is not a valid label key; use a name of letters, digits, "-", "_" or "." (up to 63), optionally after a DNS prefix and "/"`,
      )
    else if (typeof value === 'string' && !isLabelValue(value))
      report(
        labelPath,
        `${what}: "${value}" is not a valid label value; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
        'error',
        'value',
      )
  }
  list(values, `${path}.matchExpressions`).forEach((expression, i) => {
    if (!isPlainObject(expression)) return
    checkSelectorExpression(expression, `${path}.matchExpressions[${i}]`, report, what)
  })
}

function checkSelectorExpression(
  expression: Record<string, unknown>,
  path: string,
  report: Report,
  what: string,
): void {
  const key = typeof expression.key === 'string' ? expression.key : ''
  const operator = typeof expression.operator === 'string' ? expression.operator : ''
  const values = (Array.isArray(at(expression, 'values')) ? (expression.values as unknown[]) : []).filter(
    (v): v is string => typeof v === 'string',
  )
  if (!SELECTOR_OPERATORS.includes(operator)) {
    report(
      `${path}.operator`,
      `${what}: "${operator}" is not a label selector operator; use one of ${SELECTOR_OPERATORS.join(', ')}`,
      'error',
      'value',
    )
    return
  }
  if (!isLabelKey(key))
    report(
      `${path}.key`,
      `${what}: "${key}" is not a valid label key; use a name of letters, digits, "-", "_" or "." (up to 63), optionally after a DNS prefix and "/"`,
      'error',
      'value',
    )
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0)
    report(`${path}.values`, `${what}: operator ${operator} needs at least one value; add values: [...] or use Exists`)
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0)
    report(`${path}.values`, `${what}: operator ${operator} takes no values; remove values or use In`)
  values.forEach((value, i) => {
    if (!isLabelValue(value))
      report(
        `${path}.values[${i}]`,
        `${what}: "${value}" is not a valid label value; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
        'error',
        'value',
      )
  })
}
