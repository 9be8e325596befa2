import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'

export interface GraphFixture {
  tenantId: string
  clientId: string
  clientSecret: string
  users: any[]
  skus: any[]
  reports: { active: string; mailbox: string; onedrive: string }
  /** Users per page (paging through @odata.nextLink). */
  pageSize?: number
  /** Answer the first request of this path with 429 and this Retry-After (seconds). */
  throttle?: { path: string; retryAfter: number }
}

/**
 * A Microsoft Graph look-alike for tests: the v2.0 token endpoint (client credentials),
 * /v1.0/users with @odata.nextLink paging, /v1.0/subscribedSkus, and the three usage
 * reports answered with a 302 to a CSV download, plus one 429 with Retry-After.
 */
export async function startGraphServer(fixture: GraphFixture) {
  const tokens = new Set<string>()
  const log: { method: string; path: string; status: number; at: number }[] = []
  let throttled = false
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname
    const send = (status: number, body: any, headers: Record<string, string> = {}) => {
      log.push({ method: req.method ?? 'GET', path, status, at: Date.now() })
      const text = typeof body === 'string' ? body : JSON.stringify(body)
      res.writeHead(status, {
        'content-type': typeof body === 'string' ? 'text/csv' : 'application/json',
        ...headers,
      })
      res.end(text)
    }
    let body = ''
    for await (const chunk of req) body += chunk
    if (req.method === 'POST' && path === `/${fixture.tenantId}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body)
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== fixture.clientId ||
        form.get('client_secret') !== fixture.clientSecret
      ) {
        return send(401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
          error_codes: [7000215],
        })
      }
      const token = randomBytes(16).toString('hex')
      tokens.add(token)
      return send(200, {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: token,
      })
    }
    if (path.startsWith('/download/')) {
      const name = path.slice('/download/'.length)
      const csv = (fixture.reports as any)[name]
      return csv === undefined
        ? send(404, { error: { code: 'NotFound' } })
        : send(200, '\ufeff' + csv)
    }
    const auth = req.headers.authorization ?? ''
    if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) {
      return send(401, {
        error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' },
      })
    }
    if (fixture.throttle && !throttled && path === fixture.throttle.path) {
      throttled = true
      return send(
        429,
        { error: { code: 'TooManyRequests', message: 'Too many requests' } },
        { 'retry-after': String(fixture.throttle.retryAfter) }
      )
    }
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    if (path === '/v1.0/users') {
      const size = fixture.pageSize ?? 2
      const skip = Number(url.searchParams.get('$skiptoken') ?? 0)
      const page = fixture.users.slice(skip, skip + size)
      const next =
        skip + size < fixture.users.length
          ? `${base}/v1.0/users?$select=${url.searchParams.get('$select') ?? ''}&$skiptoken=${skip + size}`
          : undefined
      return send(200, {
        '@odata.context': `${base}/v1.0/$metadata#users`,
        'value': page,
        ...(next ? { '@odata.nextLink': next } : {}),
      })
    }
    if (path === '/v1.0/subscribedSkus') return send(200, { value: fixture.skus })
    const report =
      /^\/v1\.0\/reports\/(getOffice365ActiveUserDetail|getMailboxUsageDetail|getOneDriveUsageAccountDetail)\(period='(D7|D30|D90|D180)'\)$/.exec(
        decodeURIComponent(path)
      )
    if (report) {
      const name = {
        getOffice365ActiveUserDetail: 'active',
        getMailboxUsageDetail: 'mailbox',
        getOneDriveUsageAccountDetail: 'onedrive',
      }[report[1]]!
      return send(302, '', { location: `${base}/download/${name}` })
    }
    return send(404, { error: { code: 'Request_ResourceNotFound', message: `no ${path}` } })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    fixture,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
