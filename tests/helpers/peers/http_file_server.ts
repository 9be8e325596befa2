import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'

/**
 * An HTTP file server for tests: serves given bodies by path, with basic or bearer auth.
 * With `tls` (a key and certificate in PEM) it is an HTTPS server; `redirects` answers a
 * path with a 302 to another URL (after the auth check, as a real file server would).
 */
export async function startHttpFileServer(options: {
  files: Record<string, string | Buffer>
  basic?: { username: string; password: string }
  bearer?: string
  tls?: { key: string; cert: string }
  redirects?: Record<string, string>
}) {
  const requests: { path: string; authorization: string | undefined }[] = []
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    requests.push({ path, authorization: req.headers.authorization })
    const auth = req.headers.authorization ?? ''
    const ok =
      (options.basic &&
        auth ===
          `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`) ||
      (options.bearer && auth === `Bearer ${options.bearer}`) ||
      (!options.basic && !options.bearer)
    if (!ok) {
      res.writeHead(401, { 'www-authenticate': options.bearer ? 'Bearer' : 'Basic realm="files"' })
      return res.end('unauthorised')
    }
    const target = options.redirects?.[path]
    if (target !== undefined) {
      res.writeHead(302, { location: target })
      return res.end()
    }
    const body = options.files[path]
    if (body === undefined) {
      res.writeHead(404)
      return res.end('not found')
    }
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(body) })
    if (req.method === 'HEAD') return res.end()
    res.end(body)
  }
  const server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createServer(handler)
  // A client refusing the certificate closes the TLS handshake: that is the test's point, not a server failure.
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    files: options.files,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
