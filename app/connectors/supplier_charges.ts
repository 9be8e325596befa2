import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedCharge } from '#connectors/types'

const BATCH = 400

export interface ChargeTarget {
  importId: number
  connectorId: number | null
  customerId: number | null
  source: string
}

/**
 * Stores a file's supplier service charges (rentals, one-offs, credits) on the import's
 * transaction; a charge already stored from the same source (same dedupe key) is left
 * out. Returns how many went in.
 */
export async function insertSupplierCharges(
  trx: TransactionClientContract,
  charges: ParsedCharge[],
  target: ChargeTarget
): Promise<number> {
  const stamp = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
  let inserted = 0
  for (let i = 0; i < charges.length; i += BATCH) {
    const rows = charges.slice(i, i + BATCH).map((c) => ({
      import_id: target.importId,
      connector_id: target.connectorId,
      customer_id: target.customerId,
      source: target.source,
      dedupe_key: c.dedupeKey,
      account: c.account,
      identifier: c.identifier,
      charge_type: c.chargeType,
      charge_code: c.chargeCode,
      description: c.description,
      starts_on: c.startsOn,
      ends_on: c.endsOn,
      quantity: c.quantity,
      cost_e4: c.costE4,
      currency: c.currency,
      created_at: stamp,
    }))
    const before = await countSource(trx, target.source)
    await trx
      .knexQuery()
      .table('supplier_charges')
      .insert(rows)
      .onConflict(['source', 'dedupe_key'])
      .ignore()
    inserted += (await countSource(trx, target.source)) - before
  }
  return inserted
}

async function countSource(trx: TransactionClientContract, source: string): Promise<number> {
  const row: any = await trx
    .from('supplier_charges')
    .where('source', source)
    .count('* as n')
    .first()
  return Number(row?.n ?? 0)
}
