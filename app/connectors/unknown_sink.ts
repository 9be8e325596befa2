import { createReadStream } from 'node:fs'
import { appendFile, rm } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedRecord } from '#connectors/types'

/** Rows per INSERT (SQLite takes at most 500 in one multi-row insert). */
const BATCH = 400
/** Rows kept in memory before they wait in a spill file. */
const IN_MEMORY = 5000

type UnknownRow = Record<string, unknown>
type Target = { source: string; importId: number; connectorId: number | null }
type Insert = (batch: UnknownRow[]) => PromiseLike<unknown>

/**
 * Records of a reseller-wide file that belong to no customer yet go to the unknown-services
 * queue (unknown_usage_records), in the file's transaction, leaving out calls already
 * queued (same per-reseller dedupe key). They are written in finish(), after the usage
 * sink has finished: a LOAD DATA statement streaming on the transaction's connection
 * would hold any other statement on it until the file ends (and the file would wait for
 * that statement). Until then they wait in memory, then in a spill file.
 */
export function openUnknownSink(trx: TransactionClientContract, target: Target) {
  let rows: UnknownRow[] = []
  let spilled = 0
  const spillPath = join(
    tmpdir(),
    `tollgate-import-${target.importId}-${process.pid}.unknown.ndjson`
  )
  const insert: Insert = (batch) =>
    trx.knexQuery().table('unknown_usage_records').insert(batch).onConflict(['dedupe_key']).ignore()

  return {
    add(r: ParsedRecord): Promise<void> | void {
      rows.push(unknownRow(target, r))
      if (rows.length >= IN_MEMORY) {
        const out = rows
        rows = []
        spilled += out.length
        return appendFile(spillPath, out.map((o) => JSON.stringify(o)).join('\n') + '\n')
      }
    },
    /**
     * Writes the queued records (call it once the usage sink has finished), drops this file's
     * queued records that are stored for a customer already, and drops older queued copies of
     * calls this file stored for a customer; returns how many of this file's records are queued.
     */
    async finish(): Promise<number> {
      try {
        if (spilled) await insertSpilled(spillPath, insert)
        for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH))
        rows = []
      } finally {
        await rm(spillPath, { force: true })
      }
      return dropStoredAndCount(trx, target.importId)
    },
    async abort() {
      rows = []
      await rm(spillPath, { force: true })
    },
  }
}

function unknownRow(target: Target, r: ParsedRecord): UnknownRow {
  return {
    source: target.source,
    dedupe_key: r.dedupeKey,
    import_id: target.importId,
    connector_id: target.connectorId,
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
  }
}

/** Inserts the rows waiting in the spill file, BATCH at a time. */
async function insertSpilled(spillPath: string, insert: Insert) {
  let chunk: UnknownRow[] = []
  for await (const text of createInterface({
    input: createReadStream(spillPath),
    crlfDelay: Infinity,
  })) {
    if (!text) continue
    chunk.push(JSON.parse(text))
    if (chunk.length >= BATCH) {
      await insert(chunk)
      chunk = []
    }
  }
  if (chunk.length) await insert(chunk)
}

/**
 * Drops the import's queued records stored for a customer already, and older queued copies of
 * calls it stored; returns how many of its records stay queued.
 */
async function dropStoredAndCount(trx: TransactionClientContract, importId: number) {
  await trx.rawQuery(
    'DELETE FROM unknown_usage_records WHERE import_id = ? AND dedupe_key IN (SELECT dedupe_key FROM usage_records)',
    [importId]
  )
  await trx.rawQuery(
    'DELETE FROM unknown_usage_records WHERE dedupe_key IN (SELECT dedupe_key FROM usage_records WHERE import_id = ?)',
    [importId]
  )
  const row = await trx
    .from('unknown_usage_records')
    .where('import_id', importId)
    .count('* as n')
    .first()
  return Number(row?.n ?? 0)
}
