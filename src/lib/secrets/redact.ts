/**
 * What is secret, decided once for everything that prints what the user did not ask to see in full: a config
 * (describe, upgrade's diff) and a control plane's log lines (the timeout diagnosis). See docs/decisions.md, "Secrets
 * in printed config". A value is secret when
 *  - its key names one: a password, token, secret, credential, data source / connection string, private, API or
 *    access key, key data, or a registry's `auth` (`identityToken`, `clientSecret`, `client-key-data`, ...), unless
 *    the key only says where a secret lives (`secretName`, `secretRef`, `passwordFile`, `secretNamespace`, ...);
 *  - it is the `value` beside such a `name` (an environment variable `{name: DB_PASSWORD, value: ...}`, an extra
 *    argument);
 *  - it is a string carrying one wherever it stands: a URL or Go data source with userinfo (`mysql://u:p@...`,
 *    `u:p@tcp(...)`), a PEM private key, a JWT, an Authorization header value, `--token=...` / `password: ...` inside
 *    the text (arguments, embedded YAML), or a Secret manifest with data.
 * In a config a secret value becomes MASK as a whole and its key stays, so the reader sees it is set; booleans are
 * never secret (`useSecretsForSATokens`), and maps and lists are walked, not masked. In free text (a log line) only
 * the secret part becomes MASK, so the reason around it stays readable.
 */
export const MASK = '***'

/** Words that make a key secret, matched in the key lower-cased without `-`, `_` and `.`. */
const SECRET_WORDS =
  /password|passwd|passphrase|pwd|token|secret|credential|datasource|dsn|connectionstring|privatekey|apikey|accesskey|keydata|^auth$/

/** Endings that make a key a reference to a secret (its name, place or file), not the secret itself. */
const REFERENCE_ENDINGS = /(name|names|namespace|ref|refs|file|files|path|paths|dir|selector|enabled|policy|type|ttl)$/

/** True when a value under this key is secret (the key alone decides). */
export function isSecretKey(key: string): boolean {
  const word = key.toLowerCase().replace(/[-_.]/g, '')
  return SECRET_WORDS.test(word) && !REFERENCE_ENDINGS.test(word)
}

type Replace = (match: string, ...groups: string[]) => string

/** Secrets recognised by their shape, each with what stays of it when masked inside a text. */
const CARRIERS: ReadonlyArray<readonly [RegExp, Replace]> = [
  // Go (MySQL) data source, with or without a scheme: user:password@tcp(host:port)/db
  [
    /((?:[a-z][a-z0-9+.-]*:\/\/)?[^\s:/@'"=]+):[^\s@'"]+@(tcp|udp|unix)\(/gi,
    (_, user, net) => `${user}:${MASK}@${net}(`,
  ],
  // userinfo in a URL: scheme://user:password@host, scheme://token@host
  [
    /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]+)@/gi,
    (_, scheme, info) => `${scheme}${info.includes(':') ? info.slice(0, info.indexOf(':') + 1) : ''}${MASK}@`,
  ],
  // A PEM private key's first line and whatever follows it on that line (certificates are public).
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[^\n]*/g, () => `${MASK} (PEM)`],
  [/\beyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]+/g, () => MASK],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_, scheme) => `${scheme} ${MASK}`],
]

/** A Secret manifest with its data, inside embedded manifests: a whole value is masked, there is no part to keep. */
const SECRET_MANIFESTS = [
  /^kind:\s*["']?Secret["']?\s*$[\s\S]*^\s*(data|stringData):/m,
  /^\s*(data|stringData):[\s\S]*^kind:\s*["']?Secret["']?\s*$/m,
]

/**
 * `key=value`, `--key=value`, `key: value`, `"key": "value"` inside a text; a colon needs a space or a quoted key
 * (`image: repo/token-service:v1` names no secret), and the value stays on the key's line.
 */
const PAIRS = /(?:^|[\s{,;&?-])["']?([A-Za-z][\w.-]*)(?:["'][ \t]*:|:[ \t]+|=)[ \t]*["']?([^\s"',;&}]*)/g

/**
 * Long base64 runs in a text: certificate and key bodies, whose lines carry no key or marker. Only free text is
 * judged by this (a config's CA data is public and has its key); plain hex (digests, hashes) says nothing secret.
 */
const LONG_BASE64 = /[A-Za-z0-9+/]{64,}={0,2}/g

/** True when a string carries a secret wherever it stands (not by its key). */
export function carriesSecret(text: string): boolean {
  if (CARRIERS.some(([pattern]) => text.search(pattern) >= 0)) return true
  if (SECRET_MANIFESTS.some((pattern) => pattern.test(text))) return true
  for (const [, key, value] of text.matchAll(PAIRS)) if (isSecretKey(key ?? '') && value !== '') return true
  return false
}

/** A free text (a log line) with the secret part of everything secret in it replaced by MASK. */
export function redactText(text: string): string {
  let out = text
  for (const [pattern, replace] of CARRIERS)
    out = out.replace(pattern, replace as (m: string, ...a: unknown[]) => string)
  out = out.replace(PAIRS, (match: string, key: string, value: string) =>
    isSecretKey(key) && value !== '' && value !== MASK
      ? `${match.slice(0, match.length - value.length)}${MASK}`
      : match,
  )
  return out.replace(LONG_BASE64, (match) => (/^[0-9a-f]+$/i.test(match) ? match : MASK))
}

export interface Redacted<T> {
  value: T
  /** The paths of the masked values (`a.b[0].c`), for saying what was left out. */
  masked: string[]
}

/** A copy of a config (or any JSON-like value) with every secret value replaced by MASK. */
export function redactSecrets<T>(value: T): Redacted<T> {
  const masked: string[] = []
  const walk = (node: unknown, path: string, secretKey: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}[${i}]`, false))
    if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node as Record<string, unknown>)
      const named = (node as {name?: unknown}).name
      const secretValue = typeof named === 'string' && isSecretKey(named)
      return Object.fromEntries(
        entries.map(([k, v]) => [
          k,
          walk(v, path === '' ? k : `${path}.${k}`, isSecretKey(k) || (secretValue && k === 'value')),
        ]),
      )
    }
    const secret =
      (typeof node === 'string' && node !== '' && (secretKey || carriesSecret(node))) ||
      (typeof node === 'number' && secretKey)
    if (!secret) return node
    masked.push(path)
    return MASK
  }
  return {value: walk(value, '', false) as T, masked}
}
