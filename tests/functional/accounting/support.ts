import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse } from 'csv-parse/sync'
import { parseDecimal } from '#lib/money'

export interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/** A webhook receiver on 127.0.0.1 that records every POST and answers 204. */
export async function startReceiver() {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.statusCode = 204
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
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

/** A CSV read back the way an accounts package reads it: header row, then records keyed by header. */
export function readCsv(text: string) {
  const rows: string[][] = parse(text, { relax_column_count: false })
  const [headers, ...records] = rows
  return {
    headers,
    records: records.map((r) => Object.fromEntries(headers.map((h, i) => [h, r[i]]))),
  }
}

/** "12.34" / "-0.05" → minor units, exactly. */
export const minor = (text: string) => parseDecimal(text, 2)

export const sum = (values: number[]) => values.reduce((s, v) => s + v, 0)
