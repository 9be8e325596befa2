import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { isMysql } from '#lib/db_helpers'

/**
 * Gapless document numbers. The sequence row is created when missing, then
 * locked for the rest of the caller's transaction (FOR UPDATE on MySQL;
 * SQLite has a single writer), so two finalizes queue behind each other and a
 * rolled-back finalize hands its numbers back.
 */
export async function takeNumbers(
  trx: TransactionClientContract,
  name: string,
  count: number
): Promise<number[]> {
  if (count <= 0) return []
  const lock = () => {
    const query = trx.from('number_sequences').where('name', name)
    if (isMysql(trx)) query.forUpdate()
    return query.first()
  }
  // Lock the existing row first (the usual case): taking a shared lock through
  // an ignored insert and then upgrading it could deadlock two finalizers.
  let row = await lock()
  if (!row) {
    await trx
      .knexQuery()
      .table('number_sequences')
      .insert({ name, next_value: 1 })
      .onConflict('name')
      .ignore()
    row = await lock()
  }
  const first = Number(row.next_value)
  await trx
    .from('number_sequences')
    .where('name', name)
    .update({ next_value: first + count })
  return Array.from({ length: count }, (_, i) => first + i)
}

export function formatNumber(prefix: string, value: number, width = 6) {
  return `${prefix}${String(value).padStart(width, '0')}`
}
