import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** An HTTP file server for tests: serves given bodies by path, with basic or bearer auth. */
export async function startHttpFileServer(options: { files: Record<string, string | Buffer>; basic?: { username: string; password: string }; bearer?: string }) {
  const requests: { path: string; authorization: string | undefined }[] = []
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    requests.push({ path, authorization: req.headers.authorization })
    const auth = req.headers.authorization ?? ''
    const ok =
      (options.basic && auth === `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`) ||
      (options.bearer && auth === `Bearer ${options.bearer}`) ||
      (!options.basic && !options.bearer)
    if (!ok) {
      res.writeHead(401, { 'www-authenticate': options.bearer ? 'Bearer' : 'Basic realm="files"' })
      return res.end('unauthorised')
    }
    const body = options.files[path]
    if (body === undefined) {
      res.writeHead(404)
      return res.end('not found')
    }
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(body) })
    if (req.method === 'HEAD') return res.end()
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}`, requests, files: options.files, close: () => new Promise<void>((r) => server.close(() => r())) }
}
