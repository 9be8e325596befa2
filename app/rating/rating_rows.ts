import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { mysqlLiteral } from '#lib/db_helpers'

/**
 * The usage_records rows a rating pass (rate_usage.ts) reads, and the rating columns it writes
 * back for the records whose outcome changed.
 */

/** The columns a pass reads of each record. */
const RECORD_COLUMNS = [
  'id',
  'occurred_at',
  'category',
  'destination',
  'destination_name',
  'duration_s',
  'volume_bytes',
  'quantity',
  'cost_e4',
  'price_e4',
  'tariff_id',
  'rate_id',
  'allowance_used',
  'rating_status',
  'unrated_reason',
  'service_id',
  'identifier',
  'invoice_id',
  'import_id',
  'cost_origin',
  'department_id',
  'employee_id',
] as const

/** One usage record as a pass reads it; numbers go through Number() because the drivers differ. */
export interface StoredRecord {
  id: number
  /** A Date (MySQL) or text (SQLite): epochMsOf reads both. */
  occurred_at: unknown
  category: string
  destination: string | null
  destination_name: string | null
  duration_s: number
  volume_bytes: number
  quantity: number
  cost_e4: number | null
  price_e4: number | null
  tariff_id: number | null
  rate_id: number | null
  allowance_used: number
  rating_status: string
  unrated_reason: string | null
  service_id: number | null
  identifier: string
  invoice_id: number | null
  import_id: number | null
  cost_origin: string | null
  department_id: number | null
  employee_id: number | null
}

const UPDATE_BATCH = 1000

/** The rating columns a pass writes back. */
const COLUMNS = [
  'price_e4',
  'tariff_id',
  'rate_id',
  'allowance_used',
  'rating_status',
  'unrated_reason',
  'category',
  'destination_name',
  'cost_e4',
  'cost_origin',
] as const

/** The new rating columns of one record whose outcome changed. */
export type OutcomeUpdate = { id: number } & Record<
  (typeof COLUMNS)[number],
  string | number | null
>

/** Every record of the period in start order: allowances are consumed in that order. */
export async function periodRecords(
  trx: TransactionClientContract,
  customerId: number,
  period: string
): Promise<StoredRecord[]> {
  return trx
    .from('usage_records')
    .where('customer_id', customerId)
    .where('period', period)
    .orderBy('occurred_at')
    .orderBy('id')
    .select(...RECORD_COLUMNS)
}

/** Writes the changed outcomes in batches of {UPDATE_BATCH}. */
export async function writeOutcomes(trx: TransactionClientContract, updates: OutcomeUpdate[]) {
  for (let i = 0; i < updates.length; i += UPDATE_BATCH) {
    await writeBatch(trx, updates.slice(i, i + UPDATE_BATCH))
  }
}

/**
 * Writes one batch of outcomes. MySQL/MariaDB: UPDATE … JOIN a derived table of
 * the new values; SQLite: UPDATE … SET col = CASE id WHEN … END … WHERE id IN (…).
 */
async function writeBatch(trx: TransactionClientContract, batch: OutcomeUpdate[]) {
  if (batch.length === 0) return
  const bindings: (string | number | null)[] = []
  if (trx.dialect.name === 'mysql') {
    // Values escaped by mysql2 rather than bound: binding 11 values × thousands of rows through the
    // query builder costs more than the UPDATE itself.
    const rows = batch.map((u, i) =>
      i === 0
        ? `SELECT ${Number(u.id)} AS id, ${COLUMNS.map((c) => `${mysqlLiteral(u[c])} AS ${c}`).join(', ')}`
        : `SELECT ${Number(u.id)}, ${COLUMNS.map((c) => mysqlLiteral(u[c])).join(', ')}`
    )
    const sql =
      `UPDATE usage_records u JOIN (${rows.join(' UNION ALL ')}) v ON u.id = v.id SET ` +
      COLUMNS.map((c) => `u.${c} = v.${c}`).join(', ')
    await trx.rawQuery(sql)
    return
  }
  const sets = COLUMNS.map((column) => {
    const whens = batch.map((u) => {
      bindings.push(u.id, u[column])
      return 'WHEN ? THEN ?'
    })
    return `${column} = CASE id ${whens.join(' ')} END`
  })
  for (const u of batch) bindings.push(u.id)
  const sql = `UPDATE usage_records SET ${sets.join(', ')} WHERE id IN (${batch.map(() => '?').join(', ')})`
  await trx.rawQuery(sql, bindings as any[])
}
