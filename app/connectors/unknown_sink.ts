import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedRecord } from '#connectors/types'

const BATCH = 400

/**
 * Records of a reseller-wide file that belong to no customer yet go to the unknown-services
 * queue (unknown_usage_records), in the file's transaction, leaving out calls already
 * queued (same per-reseller dedupe key).
 */
export function openUnknownSink(trx: TransactionClientContract, target: { source: string; importId: number; connectorId: number | null }) {
  let rows: Record<string, unknown>[] = []
  let added = 0
  const flush = async () => {
    if (!rows.length) return
    const batch = rows
    rows = []
    await trx.knexQuery().table('unknown_usage_records').insert(batch).onConflict(['dedupe_key']).ignore()
  }
  return {
    /** Records handed over (duplicates included). */
    get added() {
      return added
    },
    add(r: ParsedRecord): Promise<void> | void {
      added++
      rows.push({
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
      })
      if (rows.length >= BATCH) return flush()
    },
    /**
     * Writes what is left, drops this file's queued records that are stored for a customer
     * already, and drops older queued copies of calls this file routed; returns how many of
     * this file's records are now queued.
     */
    async finish(): Promise<number> {
      await flush()
      await trx.rawQuery(
        'DELETE FROM unknown_usage_records WHERE import_id = ? AND dedupe_key IN (SELECT dedupe_key FROM usage_records)',
        [target.importId]
      )
      await trx.rawQuery(
        'DELETE FROM unknown_usage_records WHERE dedupe_key IN (SELECT dedupe_key FROM usage_records WHERE import_id = ?)',
        [target.importId]
      )
      const row = await trx.from('unknown_usage_records').where('import_id', target.importId).count('* as n').first()
      return Number(row?.n ?? 0)
    },
  }
}
