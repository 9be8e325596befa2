import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/**
 * A webhook receiver on 127.0.0.1: records every POST and answers with the next planned status
 * (204 once the plan is used up), with a body Tollgate must not keep.
 */
export async function startReceiver(statuses: number[] = []) {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.statusCode = statuses.shift() ?? 204
      res.end('receiver body that Tollgate must not keep')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  /** The deliveries of one event type, their JSON parsed. */
  const ofType = (type: string) =>
    received
      .filter((r) => r.headers['tollgate-event'] === type)
      .map((r) => ({ ...r, json: JSON.parse(r.body) }))
  return {
    url,
    received,
    ofType,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
