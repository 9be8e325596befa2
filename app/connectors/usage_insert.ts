import mysql2 from 'mysql2'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedRecord } from '#connectors/types'
import type { SinkTarget, StoredOutcome, UsageSink } from '#connectors/usage_sink'

/** Rows per multi-row INSERT on MySQL (SQLite goes in SQLITE_ROWS: 27 columns × 400 stays under its 32766 bind variables). */
const BATCH = 2000
const SQLITE_ROWS = 400
const mysqlEscape = (v: string) => mysql2.escape(v)

const USAGE_COLUMNS = [
  'customer_id',
  'source',
  'dedupe_key',
  'import_id',
  'identifier',
  'occurred_at',
  'period',
  'category',
  'destination',
  'duration_s',
  'volume_bytes',
  'quantity',
  'description',
  'cost_e4',
  'rating_status',
  'charge_code',
  'time_band',
  'cost_origin',
  'service_id',
  'employee_id',
  'department_id',
  'destination_name',
  'price_e4',
  'tariff_id',
  'rate_id',
  'allowance_used',
  'unrated_reason',
] as const

/**
 * Inserts usage rows, leaving out those whose dedupe_key (unique per reseller) exists, and returns
 * how many went in. Only the duplicate key is tolerated: any other error (too long,
 * foreign key) fails the statement, and with it the file's transaction.
 * On MySQL the statement is built with mysql2's escaping (a 2000-row insert has 30 000
 * values: binding them through the query builder costs more than the insert itself) and
 * the server's "Records: n  Duplicates: d" tells the duplicates; elsewhere the query
 * builder's ON CONFLICT DO NOTHING and the changed-rows count.
 */
async function insertNew(
  trx: TransactionClientContract,
  rows: Record<string, unknown>[],
  mysqlDialect: boolean
): Promise<number> {
  if (mysqlDialect) {
    let values = ''
    for (const [i, r] of rows.entries()) {
      let tuple = '('
      for (const [c, USAGE_COLUMN] of USAGE_COLUMNS.entries()) {
        const v = r[USAGE_COLUMN]
        // A column the caller's rows do not have (API snapshots) takes its default.
        tuple +=
          (c ? ',' : '') +
          (v === undefined
            ? 'DEFAULT'
            : v === null
              ? 'NULL'
              : typeof v === 'number'
                ? String(v)
                : mysqlEscape(String(v)))
      }
      values += (i ? ',' : '') + tuple + ')'
    }
    const result: any = await trx.rawQuery(
      `INSERT INTO usage_records (${USAGE_COLUMNS.join(',')}) VALUES ${values} ON DUPLICATE KEY UPDATE id = id`
    )
    const header = Array.isArray(result) ? result[0] : result
    const dup = /Duplicates:\s*(\d+)/.exec(String(header?.info ?? ''))
    if (dup) return rows.length - Number(dup[1])
    // A one-row insert has no info line: 1 = inserted, 0 = duplicate (without FOUND_ROWS).
    return rows.length === 1 ? Math.min(1, Number(header?.affectedRows ?? 0)) : rows.length
  }
  // SQLite's query builder turns a multi-row insert into a compound SELECT (at most 500 terms).
  let inserted = 0
  for (let i = 0; i < rows.length; i += SQLITE_ROWS) {
    const chunk = rows.slice(i, i + SQLITE_ROWS)
    const { sql, bindings } = trx
      .knexQuery()
      .table('usage_records')
      .insert(chunk)
      .onConflict(['dedupe_key'])
      .ignore()
      .toSQL()
    inserted += affectedRows(await trx.rawQuery(sql, bindings as any[]))
  }
  return inserted
}

function affectedRows(result: any): number {
  if (Array.isArray(result)) return Number(result[0]?.affectedRows ?? 0)
  return Number(result?.changes ?? result?.affectedRows ?? 0)
}

/** Inserts rows built outside the CSV pipeline (API snapshots) the same way: ignore duplicates, count them. */
export async function insertUsageRows(
  trx: TransactionClientContract,
  rows: Record<string, unknown>[]
) {
  const mysqlDialect = db.connection().dialect.name === 'mysql'
  let inserted = 0
  for (let i = 0; i < rows.length; i += BATCH) {
    inserted += await insertNew(trx, rows.slice(i, i + BATCH), mysqlDialect)
  }
  return { inserted, duplicates: rows.length - inserted }
}

/**
 * Batched INSERTs with one statement in flight while the next batch is parsed, so the
 * database and the parser work at the same time.
 */
export function openBatchInsertSink(trx: TransactionClientContract, target: SinkTarget): UsageSink {
  const mysqlDialect = db.connection().dialect.name === 'mysql'
  let rows: Record<string, unknown>[] = []
  let inserted = 0
  let inflight: Promise<void> | null = null

  const drain = async () => {
    if (inflight) {
      const p = inflight
      inflight = null
      await p
    }
  }
  const flush = async () => {
    await drain()
    if (!rows.length) return
    const batch = rows
    rows = []
    inflight = insertNew(trx, batch, mysqlDialect).then((n) => {
      inserted += n
    })
    // A failing insert must not go unobserved until the next drain.
    inflight.catch(() => {})
  }

  return {
    add(r: ParsedRecord, _line: number, customerId = target.customerId, o?: StoredOutcome | null) {
      rows.push({
        customer_id: customerId,
        source: target.source,
        dedupe_key: r.dedupeKey,
        import_id: target.importId,
        identifier: r.identifier,
        occurred_at: r.occurredAt,
        period: r.period,
        category: o ? o.category : r.category,
        destination: r.destination,
        duration_s: r.durationS,
        volume_bytes: r.volumeBytes,
        quantity: r.quantity,
        description: r.description,
        cost_e4: o ? o.cost_e4 : r.costE4,
        rating_status: o ? o.rating_status : 'pending',
        charge_code: r.chargeCode ?? null,
        time_band: r.timeBand ?? null,
        cost_origin: o ? o.cost_origin : r.costE4 === null ? null : 'supplier',
        service_id: o ? o.service_id : null,
        employee_id: o ? o.employee_id : null,
        department_id: o ? o.department_id : null,
        destination_name: o ? o.destination_name : null,
        price_e4: o ? o.price_e4 : null,
        tariff_id: o ? o.tariff_id : null,
        rate_id: o ? o.rate_id : null,
        allowance_used: o ? o.allowance_used : 0,
        unrated_reason: o ? o.unrated_reason : null,
      })
      if (rows.length >= BATCH) return flush()
    },
    async finish() {
      await flush()
      await drain()
      return inserted
    },
    async abort() {
      rows = []
      await inflight?.catch(() => {})
      inflight = null
    },
  }
}
