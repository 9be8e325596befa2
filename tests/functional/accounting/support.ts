import { parse } from 'csv-parse/sync'
import { parseDecimal } from '#lib/money'

export { startReceiver } from '#tests/helpers/peers/webhook_receiver'

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
