// The one rule for secret config values (src/lib/secrets/redact.ts): which fields of the release's schema it masks
// by their key, which values it masks wherever they stand, and what it leaves alone (references, booleans).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {MASK, carriesSecret, isSecretKey, redactSecrets, redactText} from '../../../src/lib/secrets/redact.js'

interface SchemaNode {
  $ref?: string
  type?: string
  properties?: Record<string, SchemaNode>
  additionalProperties?: SchemaNode | boolean
  items?: SchemaNode
  anyOf?: SchemaNode[]
  oneOf?: SchemaNode[]
  allOf?: SchemaNode[]
}

const SCHEMA = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../src/lib/config/release/values.schema.json'), 'utf8'),
) as SchemaNode & {$defs: Record<string, SchemaNode>}

/** Every scalar field of the release's schema whose key the rule calls secret, as path (type). */
function secretFieldsOfSchema(): string[] {
  const found = new Set<string>()
  const walk = (node: SchemaNode | undefined, path: string, seen: readonly string[]) => {
    if (node === undefined) return
    const ref = node.$ref?.split('/').pop()
    if (ref !== undefined && !seen.includes(ref)) walk(SCHEMA.$defs[ref], path, [...seen, ref])
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const at = path === '' ? key : `${path}.${key}`
      if (isSecretKey(key) && (child.type === 'string' || child.type === 'integer')) found.add(`${at} (${child.type})`)
      walk(child, at, seen)
    }
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}.*`, seen)
    walk(node.items, `${path}[]`, seen)
    for (const sub of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) walk(sub, path, seen)
  }
  walk(SCHEMA, '', [])
  return [...found].sort()
}

describe('secret fields of the release schema', () => {
  it('masks by key exactly the data sources, registry and chart passwords, tokens and auth strings', () => {
    expect(secretFieldsOfSchema()).toEqual([
      'controlPlane.backingStore.database.embedded.dataSource (string)',
      'controlPlane.backingStore.database.external.dataSource (string)',
      'controlPlane.standalone.joinNode.containerd.registry.auth.*.auth (string)',
      'controlPlane.standalone.joinNode.containerd.registry.auth.*.identityToken (string)',
      'controlPlane.standalone.joinNode.containerd.registry.auth.*.password (string)',
      'experimental.deploy.vcluster.helm[].chart.password (string)',
      'privateNodes.joinNode.containerd.registry.auth.*.auth (string)',
      'privateNodes.joinNode.containerd.registry.auth.*.identityToken (string)',
      'privateNodes.joinNode.containerd.registry.auth.*.password (string)',
      'snapshots.auto.storage.oci.password (string)',
    ])
  })

  it('leaves references to secrets alone: names, namespaces, refs, files, paths', () => {
    for (const key of [
      'secretName',
      'secretNamespace',
      'secretRef',
      'secretKeyRef',
      'passwordFile',
      'tokenFile',
      'keyFile',
      'caFile',
      'clientCAKey',
      'username',
      'key',
      'connector',
    ])
      expect(isSecretKey(key), key).toBe(false)
    for (const key of [
      'password',
      'dataSource',
      'identityToken',
      'clientSecret',
      'client-key-data',
      'apiKey',
      'DB_PASSWORD',
    ])
      expect(isSecretKey(key), key).toBe(true)
  })
})

describe('values that carry a secret wherever they stand', () => {
  it.each([
    ['a URL with user and password', 'postgres://vc:hunter2@db.example.com:5432/vcluster'],
    ['a URL with a token as user', 'https://ghp_abcdef123456@github.com/org/repo.git'],
    ['a Go MySQL data source', 'vc:hunter2@tcp(127.0.0.1:3306)/vcluster'],
    ['a PEM private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----'],
    ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl'],
    ['an Authorization header', 'Authorization: Bearer abcdefghijklmnop'],
    ['a flag', '--token=abcdef'],
    ['a keyword data source', 'host=db user=vc password=hunter2 dbname=vc'],
    ['embedded YAML', 'auth:\n  password: hunter2\n'],
    ['embedded JSON', '{"apiKey": "abc123"}'],
    ['a Secret manifest', 'apiVersion: v1\nkind: Secret\nmetadata: {name: x}\nstringData:\n  a: b\n'],
  ])('%s', (_what, text) => expect(carriesSecret(text)).toBe(true))

  it.each([
    ['an image whose name says token', 'registry.example.com/token-service:v1.2.3'],
    ['a URL without userinfo', 'https://vc.example.com:8443/path?x=1'],
    ['a public certificate', '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----'],
    ['a reference in embedded YAML', 'secretName: my-db\nsecrets:\n  enabled: true\n'],
    ['a file flag', '--token-auth-file=/etc/tokens.csv'],
    ['a ConfigMap manifest', 'kind: ConfigMap\ndata:\n  a: b\n'],
  ])('not %s', (_what, text) => expect(carriesSecret(text)).toBe(false))
})

describe('redactSecrets', () => {
  it('masks secret values as a whole, keeps their keys, and says where', () => {
    const config = {
      controlPlane: {
        backingStore: {database: {external: {enabled: true, dataSource: 'mysql://vc:pw@tcp(db:3306)/vc'}}},
        statefulSet: {
          env: [
            {name: 'DB_PASSWORD', value: 'pw'},
            {name: 'LOG_LEVEL', value: 'debug'},
            {name: 'API_TOKEN', valueFrom: {secretKeyRef: {name: 's', key: 'token'}}},
          ],
        },
        distro: {k8s: {apiServer: {extraArgs: ['--v=2', '--oidc-client-secret=pw']}}},
        proxy: {extraSANs: ['vc.example.com']},
        // A list under a secret-named key holds references: walked, not masked.
        advanced: {serviceAccount: {imagePullSecrets: [{name: 'regcred'}, 'other']}},
      },
      privateNodes: {joinNode: {containerd: {registry: {auth: {'r.io': {username: 'u', password: 1234}}}}}},
      exportKubeConfig: {secret: {name: 'kc', namespace: 'ns'}},
      sync: {toHost: {pods: {useSecretsForSATokens: true}, secrets: {enabled: true}}},
      platform: {apiKey: {secretName: 'key'}},
    }
    const {value, masked} = redactSecrets(config)
    expect(masked).toEqual([
      'controlPlane.backingStore.database.external.dataSource',
      'controlPlane.statefulSet.env[0].value',
      'controlPlane.distro.k8s.apiServer.extraArgs[1]',
      'privateNodes.joinNode.containerd.registry.auth.r.io.password',
    ])
    expect(value.controlPlane.backingStore.database.external).toEqual({enabled: true, dataSource: MASK})
    expect(value.controlPlane.statefulSet.env).toEqual([
      {name: 'DB_PASSWORD', value: MASK},
      {name: 'LOG_LEVEL', value: 'debug'},
      config.controlPlane.statefulSet.env[2],
    ])
    expect(value.controlPlane.distro.k8s.apiServer.extraArgs).toEqual(['--v=2', MASK])
    expect(value.privateNodes.joinNode.containerd.registry.auth['r.io']).toEqual({username: 'u', password: MASK})
    expect({...value, controlPlane: undefined, privateNodes: undefined}).toEqual({
      ...config,
      controlPlane: undefined,
      privateNodes: undefined,
    })
    // The input is left as it was.
    expect(config.controlPlane.backingStore.database.external.dataSource).toBe('mysql://vc:pw@tcp(db:3306)/vc')
  })

  it('masks nothing in a config without secrets', () => {
    const config = {controlPlane: {proxy: {extraSANs: ['a.example.com']}}, telemetry: {enabled: false}}
    expect(redactSecrets(config)).toEqual({value: config, masked: []})
  })
})

describe('redactText (log lines)', () => {
  it.each([
    ['mysql://u:p4ss@tcp(127.0.0.1:3306)/db', 'mysql://u:***@tcp(127.0.0.1:3306)/db'],
    ['dsn u:p4ss@tcp(127.0.0.1:3306)/db', 'dsn u:***@tcp(127.0.0.1:3306)/db'],
    ['postgres://admin:s3cr3t@db.example:5432/x', 'postgres://admin:***@db.example:5432/x'],
    ['clone https://ghp_abcdef123456@github.com/o/r.git', 'clone https://***@github.com/o/r.git'],
    ['login password=s3cr3t user=bob', 'login password=*** user=bob'],
    ['flag --oidc-client-secret=s3cr3t --v=2', 'flag --oidc-client-secret=*** --v=2'],
    ['{"token": "abc.def", "user": "x"}', '{"token": "***", "user": "x"}'],
    ['got eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', 'got ***'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: Bearer ***'],
    ['-----BEGIN RSA PRIVATE KEY-----MIIE', '*** (PEM)'],
    [`cert ${'QUJD'.repeat(20)}`, 'cert ***'],
    // What says where a secret lives, public certificates and digests stay.
    ['reading secretName=db-creds', 'reading secretName=db-creds'],
    ['-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE-----'],
    [`image sha256:${'ab12'.repeat(16)}`, `image sha256:${'ab12'.repeat(16)}`],
    ['failed to list *v1.Pod: connection refused', 'failed to list *v1.Pod: connection refused'],
  ])('%s', (line, expected) => expect(redactText(line)).toBe(expected))

  it('masks in a text what makes a config value secret', () => {
    for (const text of ['postgres://vc:hunter2@db:5432/x', 'vc:hunter2@tcp(db:3306)/x', 'password: hunter2']) {
      expect(carriesSecret(text), text).toBe(true)
      expect(redactText(text), text).not.toContain('hunter2')
    }
  })
})
