import {
  ConfidentialClientApplication,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
} from '@azure/msal-node'
import { assertOutboundAllowed } from '#lib/net_guard'

export interface GraphOptions {
  tenantId: string
  clientId: string
  clientSecret: string
  /** Default https://graph.microsoft.com */
  graphBaseUrl?: string
  /** Default https://login.microsoftonline.com */
  authorityHost?: string
  /** Longest Retry-After honoured, in seconds (default 120). */
  maxRetryWaitS?: number
  /** Attempts per request on 429/503 (default 5). */
  maxAttempts?: number
}

const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com'

export class GraphError extends Error {
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message)
  }
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date). */
export function retryAfterSeconds(header: string | null, fallback: number): number {
  if (!header) return fallback
  const n = Number(header)
  if (Number.isFinite(n)) return Math.max(0, n)
  const at = Date.parse(header)
  return Number.isFinite(at) ? Math.max(0, (at - Date.now()) / 1000) : fallback
}

/**
 * msal-node's HTTP goes through this client: it lets an authority host be
 * any URL (tests use http://127.0.0.1:port) and never logs bodies (they hold secrets).
 */
class FetchNetworkClient implements INetworkModule {
  constructor(private rewrite: (url: string) => string) {}

  private async send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions) {
    const target = this.rewrite(url)
    // The authority host is a connector setting: never let it point at an internal service.
    await assertOutboundAllowed(target)
    const response = await fetch(target, {
      method,
      headers: options?.headers,
      body: options?.body,
      redirect: 'error',
    })
    const text = await response.text()
    let body: any = {}
    try {
      body = text ? JSON.parse(text) : {}
    } catch {
      body = {
        error: 'invalid_response',
        error_description: `token endpoint answered ${response.status} with non-JSON`,
      }
    }
    const headers: Record<string, string> = {}
    response.headers.forEach((v, k) => (headers[k] = v))
    return { headers, body: body as T, status: response.status }
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions) {
    return this.send<T>('GET', url, options)
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions) {
    return this.send<T>('POST', url, options)
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/**
 * GET following up to 5 redirects (Graph answers reports with a 302 to a download URL), with the
 * outbound guard (#lib/net_guard) on the URL and on every hop: the Graph base URL is a connector
 * setting and must not reach internal services. The token goes only to the first origin.
 */
async function guardedGet(
  url: string,
  headers: { Authorization: string; Accept: string }
): Promise<Response> {
  const start = new URL(url)
  let current = start
  for (let hop = 0; hop <= 5; hop++) {
    await assertOutboundAllowed(current)
    const sent = current.origin === start.origin ? headers : { Accept: headers.Accept }
    const response = await fetch(current, { headers: sent, redirect: 'manual' })
    const location = response.headers.get('location')
    if (!REDIRECTS.has(response.status) || !location) return response
    await response.arrayBuffer().catch(() => {})
    current = new URL(location, current)
  }
  throw new GraphError(`Graph ${start.pathname}: more than 5 redirects`)
}

/** A small Microsoft Graph client: client-credentials token, paging, 429/503 Retry-After. */
export class GraphClient {
  private app: ConfidentialClientApplication
  private base: string
  private authorityOrigin: string
  private token: { value: string; expires: number } | null = null
  readonly retries: { url: string; waitS: number }[] = []

  constructor(private options: GraphOptions) {
    if (!options.tenantId || !options.clientId || !options.clientSecret) {
      throw new GraphError('tenant id, client id and client secret are required')
    }
    this.base = (options.graphBaseUrl || 'https://graph.microsoft.com').replace(/\/+$/, '')
    const host = (options.authorityHost || PUBLIC_AUTHORITY).replace(/\/+$/, '')
    const real = new URL(host)
    this.authorityOrigin = real.origin
    const tenant = encodeURIComponent(options.tenantId)
    const config: Configuration = {
      auth: {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        authority: `${PUBLIC_AUTHORITY}/${tenant}`,
      },
      system: { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } },
    }
    if (host !== PUBLIC_AUTHORITY) {
      // msal only accepts https authorities and otherwise discovers them over the network: give it a
      // logical https authority with its metadata and send its requests to the configured host.
      const logical = `https://${real.host}`
      const authority = `${logical}/${tenant}`
      config.auth.authority = authority
      config.auth.knownAuthorities = [real.host]
      config.auth.authorityMetadata = JSON.stringify({
        token_endpoint: `${authority}/oauth2/v2.0/token`,
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
        issuer: `${authority}/v2.0`,
        jwks_uri: `${authority}/discovery/v2.0/keys`,
      })
      config.auth.cloudDiscoveryMetadata = JSON.stringify({
        'tenant_discovery_endpoint': `${authority}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        'metadata': [
          { preferred_network: real.host, preferred_cache: real.host, aliases: [real.host] },
        ],
      })
      config.system!.networkClient = new FetchNetworkClient((url) =>
        url.startsWith(logical) ? real.origin + url.slice(logical.length) : url
      )
    } else {
      config.system!.networkClient = new FetchNetworkClient((url) => url)
    }
    this.app = new ConfidentialClientApplication(config)
  }

  async accessToken(): Promise<string> {
    if (this.token && this.token.expires > Date.now() + 60_000) return this.token.value
    // Checked here too so the refusal reads as ours, not as msal's "network_error".
    await assertOutboundAllowed(this.authorityOrigin)
    let result
    try {
      result = await this.app.acquireTokenByClientCredential({
        scopes: [`${new URL(this.base).origin}/.default`],
      })
    } catch (error) {
      const e = error as any
      throw new GraphError(
        `token request failed: ${e.errorCode ?? ''} ${String(e.errorMessage ?? e.message ?? e).split('\n')[0]}`.trim()
      )
    }
    if (!result?.accessToken) throw new GraphError('token request returned no access token')
    this.token = {
      value: result.accessToken,
      expires: result.expiresOn?.getTime() ?? Date.now() + 300_000,
    }
    return this.token.value
  }

  url(path: string) {
    return path.startsWith('http') ? path : `${this.base}${path.startsWith('/') ? '' : '/'}${path}`
  }

  /** GET with the bearer token; waits out 429/503 as Retry-After says; follows redirects. */
  async get(pathOrUrl: string, accept = 'application/json'): Promise<Response> {
    const url = this.url(pathOrUrl)
    const attempts = this.options.maxAttempts ?? 5
    const maxWait = this.options.maxRetryWaitS ?? 120
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken()
      const response = await guardedGet(url, { Authorization: `Bearer ${token}`, Accept: accept })
      if ((response.status === 429 || response.status === 503) && attempt < attempts) {
        const wait = Math.min(
          maxWait,
          retryAfterSeconds(response.headers.get('retry-after'), 2 ** attempt)
        )
        this.retries.push({ url: new URL(url).pathname, waitS: wait })
        await response.arrayBuffer().catch(() => {})
        await new Promise((r) => setTimeout(r, wait * 1000))
        continue
      }
      if (response.status === 401 && attempt === 1) {
        this.token = null
        await response.arrayBuffer().catch(() => {})
        continue
      }
      if (!response.ok) {
        let detail = ''
        try {
          const body: any = await response.json()
          detail = body?.error?.message ?? body?.error?.code ?? ''
        } catch {}
        throw new GraphError(
          `Graph ${new URL(url).pathname} answered ${response.status}${detail ? `: ${detail}` : ''}`,
          response.status
        )
      }
      return response
    }
  }

  /** Every item of a collection, following @odata.nextLink. */
  async getAll<T = any>(path: string): Promise<T[]> {
    const items: T[] = []
    let next: string | undefined = path
    let pages = 0
    while (next) {
      const body: any = await (await this.get(next)).json()
      items.push(...((body.value ?? []) as T[]))
      next = body['@odata.nextLink']
      if (++pages > 10_000) throw new GraphError('too many pages')
    }
    return items
  }

  /** A usage report as CSV text (Graph answers with a 302 to a download URL). */
  async report(name: string, period = 'D7'): Promise<string> {
    const response = await this.get(`/v1.0/reports/${name}(period='${period}')`, 'text/csv')
    return (await response.text()).replace(/^\ufeff/, '')
  }
}
