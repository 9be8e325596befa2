import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedRecord } from '#connectors/types'
import { openBatchInsertSink } from '#connectors/usage_insert'
import { openLoadDataSink } from '#connectors/usage_load_data'

/** Where the records of one import file go, inside the file's transaction. */
export interface UsageSink {
  /**
   * Adds a record read from file line `line`, for `customerId` (default the target's: a
   * reseller-wide import gives each record's routed customer); a returned promise asks the
   * caller to wait (backpressure).
   */
  add(
    record: ParsedRecord,
    line: number,
    customerId?: number,
    outcome?: StoredOutcome | null
  ): void | Promise<void>
  /** Writes what is left and tells how many records went in: the others were duplicates. */
  finish(): Promise<number>
  /** Stops writing after a failure; the caller then rolls the transaction back. */
  abort(): Promise<void>
}

/**
 * A record's mapping and rating, worked out while its file is read (usage_enricher.ts); without
 * one the record is stored pending, for the batch pass after commit.
 */
export interface StoredOutcome {
  service_id: number | null
  employee_id: number | null
  department_id: number | null
  price_e4: number | null
  tariff_id: number | null
  rate_id: number | null
  allowance_used: number
  rating_status: string
  unrated_reason: string | null
  category: string
  destination_name: string | null
  cost_e4: number | null
  cost_origin: string | null
}

export interface SinkTarget {
  /** The customer of a customer-scoped import; 0 for a reseller-wide one (each add() names it). */
  customerId: number
  source: string
  importId: number
}

/**
 * MySQL/MariaDB servers that allow LOAD DATA LOCAL get the records as one streamed
 * LOAD DATA statement (about four times the rows per second of multi-row INSERTs on
 * the same server); other servers (MySQL 8 ships with local_infile off) and SQLite
 * get batched INSERTs.
 */
export async function openUsageSink(
  trx: TransactionClientContract,
  target: SinkTarget
): Promise<UsageSink> {
  if (db.connection().dialect.name === 'mysql' && (await localInfileAllowed(trx)))
    return openLoadDataSink(trx, target)
  return openBatchInsertSink(trx, target)
}

async function localInfileAllowed(trx: TransactionClientContract) {
  const result: any = await trx.rawQuery('SELECT @@GLOBAL.local_infile AS allowed')
  return Number(result?.[0]?.[0]?.allowed) === 1
}
