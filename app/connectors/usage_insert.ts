import mysql2 from 'mysql2'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedRecord } from '#connectors/types'
import type { SinkTarget, UsageSink } from '#connectors/usage_sink'

/** Rows per multi-row INSERT: 15 columns × 2000 stays under SQLite's 32766 bind variables. */
const BATCH = 2000
const SQLITE_ROWS = 400
const mysqlEscape = (v: string) => mysql2.escape(v)

const USAGE_COLUMNS = [
  'customer_id', 'source', 'dedupe_key', 'import_id', 'identifier', 'occurred_at', 'period', 'category',
  'destination', 'duration_s', 'volume_bytes', 'quantity', 'description', 'cost_e4', 'rating_status',
  'charge_code', 'time_band', 'cost_origin',
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
async function insertNew(trx: TransactionClientContract, rows: Record<string, unknown>[], mysqlDialect: boolean): Promise<number> {
  if (mysqlDialect) {
    let values = ''
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]
      let tuple = '('
      for (let c = 0; c < USAGE_COLUMNS.length; c++) {
        const v = r[USAGE_COLUMNS[c]]
        tuple += (c ? ',' : '') + (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : mysqlEscape(String(v)))
      }
      values += (i ? ',' : '') + tuple + ')'
    }
    const result: any = await trx.rawQuery(`INSERT INTO usage_records (${USAGE_COLUMNS.join(',')}) VALUES ${values} ON DUPLICATE KEY UPDATE id = id`)
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
    const { sql, bindings } = trx.knexQuery().table('usage_records').insert(chunk).onConflict(['dedupe_key']).ignore().toSQL()
    inserted += affectedRows(await trx.rawQuery(sql, bindings as any[]))
  }
  return inserted
}

function affectedRows(result: any): number {
  if (Array.isArray(result)) return Number(result[0]?.affectedRows ?? 0)
  return Number(result?.changes ?? result?.affectedRows ?? 0)
}

/** Inserts rows built outside the CSV pipeline (API snapshots) the same way: ignore duplicates, count them. */
export async function insertUsageRows(trx: TransactionClientContract, rows: Record<string, unknown>[]) {
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
    add(r: ParsedRecord, _line: number, customerId = target.customerId) {
      rows.push({
        customer_id: customerId,
        source: target.source,
        dedupe_key: r.dedupeKey,
        import_id: target.importId,
        identifier: r.identifier,
        occurred_at: r.occurredAt,
        period: r.period,
        category: r.category,
        destination: r.destination,
        duration_s: r.durationS,
        volume_bytes: r.volumeBytes,
        quantity: r.quantity,
        description: r.description,
        cost_e4: r.costE4,
        rating_status: 'pending',
        charge_code: r.chargeCode ?? null,
        time_band: r.timeBand ?? null,
        cost_origin: r.costE4 === null ? null : 'supplier',
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
