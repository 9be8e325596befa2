import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'

/** The columns of monthly_rollups filled from usage_records; 0 stands for "none". */
const INSERT_COLUMNS =
  'customer_id, period, department_id, employee_id, service_id, category, record_count, duration_s, volume_bytes, cost_e4, price_e4'

const SELECT_GROUPED = `SELECT customer_id, period,
    COALESCE(department_id, 0), COALESCE(employee_id, 0), COALESCE(service_id, 0), category,
    COUNT(*), COALESCE(SUM(duration_s), 0), COALESCE(SUM(volume_bytes), 0),
    COALESCE(SUM(COALESCE(cost_e4, 0)), 0), COALESCE(SUM(COALESCE(price_e4, 0)), 0)
  FROM usage_records`

const GROUP_BY = `GROUP BY customer_id, period, COALESCE(department_id, 0), COALESCE(employee_id, 0), COALESCE(service_id, 0), category`

/**
 * Runs the work in the caller's transaction, or in its own one. Two schedulers refreshing the same
 * month at once can deadlock on MySQL's gap locks; the loser simply runs again.
 */
async function inTransaction<T>(trx: TransactionClientContract | undefined, work: (client: QueryClientContract) => Promise<T>) {
  if (trx) return work(trx)
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((t) => work(t))
    } catch (error: any) {
      const retry = ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_AUTOINC_READ_FAILED'].includes(error?.code) && attempt < 5
      if (!retry) throw error
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
    }
  }
}

/**
 * Recomputes the monthly rollups of the given (customer, period) pairs from usage_records:
 * delete, then INSERT … SELECT … GROUP BY, in one transaction so readers never see a gap.
 */
export async function refreshRollups(customerId: number, periods: string[], trx?: TransactionClientContract) {
  const unique = [...new Set(periods)].filter(Boolean).sort()
  if (unique.length === 0) return { periods: [], rows: 0 }
  const marks = unique.map(() => '?').join(',')
  return inTransaction(trx, async (client) => {
    // One refresh per customer at a time (several web/scheduler instances may share the database).
    if (client.dialect.name === 'mysql') await client.rawQuery('SELECT id FROM customers WHERE id = ? FOR UPDATE', [customerId])
    await client.rawQuery(`DELETE FROM monthly_rollups WHERE customer_id = ? AND period IN (${marks})`, [customerId, ...unique])
    await client.rawQuery(
      `INSERT INTO monthly_rollups (${INSERT_COLUMNS}) ${SELECT_GROUPED}
        WHERE customer_id = ? AND period IN (${marks}) ${GROUP_BY}`,
      [customerId, ...unique]
    )
    const count = await client.from('monthly_rollups').where('customer_id', customerId).whereIn('period', unique).count('* as n')
    return { periods: unique, rows: Number(count[0].n) }
  })
}

/** Throws away every rollup and recomputes them all, one customer per transaction. */
export async function rebuildRollups() {
  const customers = await db.from('usage_records').distinct('customer_id').orderBy('customer_id')
  const ids = customers.map((c) => Number(c.customer_id))
  let rows = 0
  await db.transaction(async (trx) => {
    if (ids.length === 0) await trx.rawQuery('DELETE FROM monthly_rollups')
    else await trx.rawQuery(`DELETE FROM monthly_rollups WHERE customer_id NOT IN (${ids.map(() => '?').join(',')})`, ids)
  })
  for (const id of ids) {
    await inTransaction(undefined, async (trx) => {
      if (trx.dialect.name === 'mysql') await trx.rawQuery('SELECT id FROM customers WHERE id = ? FOR UPDATE', [id])
      await trx.rawQuery('DELETE FROM monthly_rollups WHERE customer_id = ?', [id])
      await trx.rawQuery(`INSERT INTO monthly_rollups (${INSERT_COLUMNS}) ${SELECT_GROUPED} WHERE customer_id = ? ${GROUP_BY}`, [id])
    })
  }
  const count = await db.from('monthly_rollups').count('* as n')
  rows = Number(count[0].n)
  return { customers: ids.length, rows }
}
