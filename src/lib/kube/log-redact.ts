/**
 * A control plane's log line may carry what its config carries: database passwords in data sources, tokens,
 * certificates and keys. The diagnosis prints log lines unasked, so these are masked; the rest of the line (why it
 * failed) stays.
 */
const MASK = '<redacted>'

type Replace = (match: string, ...groups: string[]) => string

const RULES: ReadonlyArray<[RegExp, Replace]> = [
  // A PEM block's first line and whatever follows it on that line.
  [/-----BEGIN [A-Z ]+-----.*$/, () => `${MASK} (PEM)`],
  // user:password@ in URLs (postgres://u:p@host) and in Go MySQL data sources (u:p@tcp(host:port)/db).
  [
    /((?:[a-z][a-z0-9+.-]*:\/\/)?[^\s:/@'"=]+):[^\s@'"]+@(tcp|udp|unix)\(/gi,
    (_, user, net) => `${user}:${MASK}@${net}(`,
  ],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^@\s/]+@/gi, (_, user) => `${user}:${MASK}@`],
  // Authorization header values.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_, scheme) => `${scheme} ${MASK}`],
  // JWTs (service account tokens) wherever they stand.
  [/\beyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]+/g, () => MASK],
  // key=value and "key": "value" where the key names a secret.
  [
    /\b([\w.-]*(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[\w.-]*)(=|"\s*:\s*")([^\s"',&}]+)/gi,
    (_, key, sep) => `${key}${sep}${MASK}`,
  ],
  // Long base64 runs (certificate and key data); plain hex (digests, hashes) says nothing secret.
  [/[A-Za-z0-9+/]{64,}={0,2}/g, (match) => (/^[0-9a-f]+$/i.test(match) ? match : MASK)],
]

export function redactLogLine(line: string): string {
  let out = line
  for (const [pattern, replace] of RULES) out = out.replace(pattern, replace as (m: string, ...a: unknown[]) => string)
  return out
}
