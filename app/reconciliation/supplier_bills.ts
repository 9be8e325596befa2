import db from '@adonisjs/lucid/services/db'
import { parse } from 'csv-parse/sync'
import { audit } from '#lib/audit'
import { e4ToMinor, parseDecimal } from '#lib/money'
import { int, PERIOD_RE, sqlTime } from '#lib/db_helpers'

/**
 * The supplier's invoice total per connector and month: entered by hand, or summed from a supplier bill
 * CSV (a header row and an amount column). A bad cell fails the whole file with its line and column.
 */
export class SupplierBillError extends Error {
  name = 'SupplierBillError'
}

export const AMOUNT_COLUMNS = [
  'amount',
  'total',
  'net',
  'charge',
  'cost',
  'net amount',
  'amount (net)',
  'line total',
]

async function checkTarget(connectorId: number, period: string) {
  if (!PERIOD_RE.test(period)) throw new SupplierBillError(`"${period}" is not a YYYY-MM month`)
  const connector = await db
    .from('connectors')
    .where('id', connectorId)
    .select('id', 'name')
    .first()
  if (!connector) throw new SupplierBillError(`Connector #${connectorId} not found`)
  return connector
}

async function store(
  connectorId: number,
  period: string,
  totalMinor: number,
  source: 'manual' | 'csv',
  fileName: string | null,
  lines: number,
  userId: number | null
) {
  const now = sqlTime()
  await db.transaction(async (trx) => {
    await trx
      .knexQuery()
      .table('supplier_bills')
      .insert({
        connector_id: connectorId,
        period,
        total_minor: totalMinor,
        source,
        file_name: fileName,
        lines,
        entered_by: userId,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['connector_id', 'period'])
      .merge(['total_minor', 'source', 'file_name', 'lines', 'entered_by', 'updated_at'])
    await audit(
      {
        userId,
        action: 'supplier_bill.set',
        subjectType: 'connector',
        subjectId: connectorId,
        changes: { period, totalMinor, source, fileName, lines },
      },
      trx
    )
  })
  return { connectorId, period, totalMinor, source, lines }
}

/** A total typed in by hand ("1234.56"). */
export async function enterSupplierTotal(
  connectorId: number,
  period: string,
  total: string,
  userId: number | null
) {
  await checkTarget(connectorId, period)
  let minor: number
  try {
    minor = parseDecimal(total.replace(/[£,\s]/g, ''), 2)
  } catch {
    throw new SupplierBillError(`"${total}" is not an amount (e.g. 1234.56)`)
  }
  return store(connectorId, period, minor, 'manual', null, 0, userId)
}

/** Sums the amount column of a supplier bill CSV (named, or the first of AMOUNT_COLUMNS found). */
export async function importSupplierBillCsv(
  connectorId: number,
  period: string,
  text: string,
  fileName: string,
  userId: number | null,
  column?: string
) {
  await checkTarget(connectorId, period)
  let rows: string[][]
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true })
  } catch (error) {
    throw new SupplierBillError(`${fileName}: not a CSV file (${(error as Error).message})`)
  }
  if (rows.length < 2)
    throw new SupplierBillError(`${fileName}: needs a header row and at least one line`)
  const header = rows[0].map((h) => h.toLowerCase())
  const wanted = column ? [column.toLowerCase()] : AMOUNT_COLUMNS
  const index = header.findIndex((h) => wanted.includes(h))
  if (index < 0)
    throw new SupplierBillError(
      `${fileName}, line 1: no amount column (looked for ${wanted.map((w) => `"${w}"`).join(', ')})`
    )
  let totalE4 = 0
  let lines = 0
  for (const [i, row] of rows.slice(1).entries()) {
    const cell = (row[index] ?? '').replace(/[£,\s]/g, '')
    if (cell === '') continue
    try {
      totalE4 += parseDecimal(cell, 4)
    } catch {
      throw new SupplierBillError(
        `${fileName}, line ${i + 2}, column "${rows[0][index]}": "${row[index]}" is not an amount`
      )
    }
    lines++
  }
  // A bill's lines may carry more than 2 decimals: summed exactly, rounded to pence once.
  const minor = e4ToMinor(totalE4)
  return store(connectorId, period, minor, 'csv', fileName.slice(0, 255), lines, userId)
}

export async function supplierBillsFor(period: string) {
  const rows = await db
    .from('supplier_bills')
    .where('period', period)
    .select('connector_id', 'total_minor', 'source', 'file_name', 'lines', 'updated_at')
  return new Map(
    rows.map((r: any) => [
      int(r.connector_id),
      {
        totalMinor: int(r.total_minor),
        source: String(r.source),
        fileName: r.file_name as string | null,
        lines: int(r.lines),
      },
    ])
  )
}
