import { createWriteStream } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { rootCertificates } from 'node:tls'
import { pipeline } from 'node:stream/promises'
import type { RemoteFile, Transport } from '#connectors/types'
import { assertOutboundAllowed, blockedReason, guardedAgent, isAllowListed } from '#lib/net_guard'

export interface HttpsSettings {
  url?: string
  /** basic | bearer | none (default: basic when a username is set, bearer when a token is set) */
  auth?: string
  /** PEM of a certificate authority to trust besides the system's (a supplier's private CA). */
  caCertificate?: string
}

/** The refusal of credentials for a plain http:// URL (also shown when the connector is saved). */
export function credentialsNeedHttps(url: URL) {
  return `${url.host}: credentials (username/password or token) are only sent over https://, not ${url.protocol}//; use the https:// address of the server`
}

/**
 * Why a connector's URL cannot be saved (not http(s), credentials over http://, an internal IP
 * address), or null. Names are checked against DNS when the connector runs.
 */
export function httpsUrlProblem(
  url: unknown,
  auth: unknown,
  credentials: { username?: string; token?: string }
): string | null {
  let u: URL
  try {
    u = new URL(String(url ?? ''))
  } catch {
    return 'enter the full address of the file, e.g. https://files.supplier.example/Master.csv'
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    return 'the URL must be https:// (or http://)'
  const mode = auth || (credentials.token ? 'bearer' : credentials.username ? 'basic' : 'none')
  if (mode !== 'none' && u.protocol !== 'https:') return credentialsNeedHttps(u)
  const host = u.hostname.replace(/^\[|\]$/g, '')
  const reason = isAllowListed(host) ? null : blockedReason(host)
  if (reason && reason !== 'not an IP address')
    return `${host} is a ${reason} address: Tollgate does not fetch from internal networks (an administrator can allow it with OUTBOUND_ALLOW_HOSTS)`
  return null
}

/** Redirects followed before giving up. */
export const MAX_REDIRECTS = 5
/** A server silent for this long (before answering, or between two chunks of the body) fails the download. */
const IDLE_TIMEOUT_MS = 60_000
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

/**
 * The certificates of a PEM text (one or a bundle). Throws a readable error when the
 * text holds no certificate or one that cannot be parsed: a bad CA must not silently
 * end up trusting nothing.
 */
export function parseCaCertificates(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
  if (!blocks.length)
    throw new Error(
      'the trusted CA certificate is not a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)'
    )
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block)
    } catch (error) {
      throw new Error(
        `certificate ${i + 1} of the trusted CA setting cannot be read: ${(error as Error).message}`
      )
    }
  })
  return blocks
}

/** OpenSSL's verification failures (untrusted, self-signed, expired, wrong name). */
function isCertificateError(error: NodeJS.ErrnoException) {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(error.code ?? '')
}

/**
 * HTTPS download of one file per poll, with basic or bearer auth. A file that has
 * not changed has the same SHA-256 and is recorded as skipped. Optionally trusts one
 * more certificate authority (setting `caCertificate`) on top of the system's roots.
 * Redirects are followed (up to 5); the credentials go only to the configured origin.
 */
export class HttpsTransport implements Transport {
  readonly name = 'https'
  private ca: string[] | undefined

  constructor(
    private settings: HttpsSettings,
    private credentials: { username?: string; password?: string; token?: string }
  ) {}

  private headers(url: URL): Record<string, string> {
    const c = this.credentials
    const mode = this.settings.auth || (c.token ? 'bearer' : c.username ? 'basic' : 'none')
    // Basic and bearer credentials travel in clear text over http://: anyone on the path could read them.
    if (mode !== 'none' && url.protocol !== 'https:') throw new Error(credentialsNeedHttps(url))
    if (mode === 'bearer') {
      if (!c.token) throw new Error('bearer auth needs a token')
      return { Authorization: `Bearer ${c.token}` }
    }
    if (mode === 'basic') {
      return {
        Authorization: `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`,
      }
    }
    return {}
  }

  private get url() {
    if (!this.settings.url) throw new Error('no URL set')
    const u = new URL(this.settings.url)
    if (u.protocol !== 'https:' && u.protocol !== 'http:')
      throw new Error('the URL must be https:// (or http://)')
    return u
  }

  /** The system's roots plus the configured CA, or undefined (Node's defaults) when none is set. */
  private trusted(): string[] | undefined {
    const pem = this.settings.caCertificate?.trim()
    if (!pem) return undefined
    this.ca ??= [...rootCertificates, ...parseCaCertificates(pem)]
    return this.ca
  }

  async list(): Promise<RemoteFile[]> {
    const u = this.url
    const name = decodeURIComponent(u.pathname.split('/').filter(Boolean).pop() || u.hostname)
    return [{ name, ref: u.toString() }]
  }

  /** One GET; resolves with the response once its headers arrived. */
  private request(url: URL, headers: Record<string, string>): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:'
    const ca = secure ? this.trusted() : undefined
    return new Promise((resolve, reject) => {
      // The guarded agent checks the address it connects to, after DNS (no rebinding past the check in get()).
      const agent = guardedAgent(url, ca ? { ca } : {})
      const options = { method: 'GET', headers: { 'User-Agent': 'Tollgate', ...headers }, agent }
      const req = (secure ? https : http).request(url, options, resolve)
      req.setTimeout(IDLE_TIMEOUT_MS, () =>
        req.destroy(
          Object.assign(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000} s`), {
            code: 'ETIMEDOUT',
          })
        )
      )
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (isCertificateError(error)) {
          const hint = ca
            ? 'it is signed by neither the trusted CA certificate of this connector nor a public authority'
            : 'if the supplier uses a private certificate authority, paste its CA certificate (PEM) into the connector setting "caCertificate"'
          reject(
            new Error(
              `${url.host}: the server's certificate is not trusted (${error.code}: ${error.message}); ${hint}`
            )
          )
        } else {
          reject(new Error(`${url.host}: ${error.message}`))
        }
      })
      req.end()
    })
  }

  /** GET following redirects; the response of a 2xx, else an error naming the host and the status. */
  private async get(ref: string): Promise<IncomingMessage> {
    const start = new URL(ref)
    const auth = this.headers(start)
    let url = start
    for (let hop = 0; ; hop++) {
      // Every hop is vetted: a public server may redirect to 127.0.0.1 or the metadata address.
      await assertOutboundAllowed(url)
      // Credentials are for the configured server only, not for wherever it redirects.
      const response = await this.request(url, url.origin === start.origin ? auth : {})
      const status = response.statusCode ?? 0
      if (REDIRECT_STATUSES.has(status) && response.headers.location) {
        response.resume()
        if (hop >= MAX_REDIRECTS)
          throw new Error(`${url.host}: more than ${MAX_REDIRECTS} redirects`)
        url = new URL(response.headers.location, url)
        if (url.protocol !== 'https:' && url.protocol !== 'http:')
          throw new Error(`${start.host} redirected to an unsupported URL (${url.protocol})`)
        continue
      }
      if (status < 200 || status >= 300) {
        response.resume()
        throw new Error(`${url.host} answered ${status} ${response.statusMessage ?? ''}`.trim())
      }
      return response
    }
  }

  async download(file: RemoteFile, localPath: string) {
    const response = await this.get(file.ref)
    try {
      await pipeline(response, createWriteStream(localPath))
    } catch (error) {
      throw new Error(
        `${new URL(file.ref).host}: the download broke off (${(error as Error).message})`
      )
    }
  }

  async settle() {}

  async test() {
    const url = this.url
    const response = await this.get(url.toString())
    response.destroy()
    const length = response.headers['content-length']
    return `${url.host} answered ${response.statusCode}${length ? `, ${length} bytes` : ''}`
  }

  async close() {}
}
