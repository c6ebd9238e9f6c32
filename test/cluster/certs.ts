// X.509 material for the stand-in control planes and the test users, made with the openssl CLI
// (Node's crypto cannot issue certificates). ECDSA P-256 keys, as vCluster uses for its serving cert.
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'

const run = promisify(execFile)

export interface KeyPair {
  cert: string
  key: string
}

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args)
}

async function newKey(file: string): Promise<void> {
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file])
}

/** A self-signed CA in dir (ca.crt, ca.key); an existing one is kept, as vCluster keeps its CA across restarts. */
export async function ensureCa(dir: string, cn: string): Promise<KeyPair> {
  mkdirSync(dir, {recursive: true})
  const pair = {cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key')}
  if (existsSync(pair.cert) && existsSync(pair.key)) return pair
  await newKey(pair.key)
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    pair.key,
    '-subj',
    `/CN=${cn}`,
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    pair.cert,
  ])
  return pair
}

export interface IssueOptions {
  cn: string
  /** Organisations, i.e. Kubernetes groups for a client certificate. */
  orgs?: string[]
  /** DNS names and IP addresses; makes a serving certificate. */
  sans?: string[]
}

/** Issues `<dir>/<base>.crt` + `.key`, signed by ca. */
export async function issue(ca: KeyPair, dir: string, base: string, opts: IssueOptions): Promise<KeyPair> {
  mkdirSync(dir, {recursive: true})
  const pair = {cert: join(dir, `${base}.crt`), key: join(dir, `${base}.key`)}
  const csr = join(dir, `${base}.csr`)
  const ext = join(dir, `${base}.ext`)
  const subject = [...(opts.orgs ?? []).map((o) => `/O=${o}`), `/CN=${opts.cn}`].join('')
  const lines = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment']
  if (opts.sans?.length) {
    lines.push('extendedKeyUsage=serverAuth', `subjectAltName=${opts.sans.map(sanEntry).join(',')}`)
  } else {
    lines.push('extendedKeyUsage=clientAuth')
  }
  writeFileSync(ext, lines.join('\n') + '\n')
  await newKey(pair.key)
  await openssl(['req', '-new', '-key', pair.key, '-subj', subject, '-out', csr])
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-days',
    '365',
    // A random serial instead of -CAcreateserial: parallel issuers would race on the shared ca.srl file.
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-extfile',
    ext,
    '-out',
    pair.cert,
  ])
  return pair
}

function sanEntry(name: string): string {
  return /^[\d.]+$/.test(name) || name.includes(':') ? `IP:${name}` : `DNS:${name}`
}

/** An EC key pair for signing ServiceAccount tokens. */
export async function serviceAccountKey(dir: string): Promise<{key: string; pub: string}> {
  const key = join(dir, 'sa.key')
  const pub = join(dir, 'sa.pub')
  if (!existsSync(key)) {
    await newKey(key)
    await openssl(['ec', '-in', key, '-pubout', '-out', pub])
  }
  return {key, pub}
}
