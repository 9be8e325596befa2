import db from '@adonisjs/lucid/services/db'

/**
 * A per-process cache of the heavy insights results (dashboard, employee breakdowns), so that a page
 * costs one index dive however many rollups lie behind it.
 *
 * Each entry remembers the customer's newest rollup ids (monthly_rollups and recurring_rollups) when
 * it was computed; every request reads them again (`MAX(id) WHERE customer_id = ?`, answered from the
 * (customer_id, id) indexes without touching rows). Rollups are refreshed by delete + insert, so any
 * refresh that writes rows gives them new ids and invalidates the entry at once. Changes that insert nothing (a period emptied, an
 * employee renamed) show within TTL_MS. Concurrent misses share one computation.
 */
export const TTL_MS = 60_000
const MAX_ENTRIES = 500

type Entry = { stamp: string; at: number; value: Promise<unknown> }
const entries = new Map<string, Entry>()

/**
 * The customer's newest usage and recurring rollup ids and its count of finalized invoices (a
 * finalized month is read from its invoice), in one round trip (index dives).
 */
export async function newestRollupId(customerId: number): Promise<string> {
  const result = await db.rawQuery(
    `SELECT (SELECT MAX(id) FROM monthly_rollups WHERE customer_id = ?) AS u, (SELECT MAX(id) FROM recurring_rollups WHERE customer_id = ?) AS r,
      (SELECT COUNT(*) FROM invoices WHERE customer_id = ? AND status = 'finalized') AS f`,
    [customerId, customerId, customerId]
  )
  const row = db.connection().dialect.name === 'mysql' ? result[0][0] : result[0]
  return `${Number(row?.u ?? 0)}|${Number(row?.r ?? 0)}|${Number(row?.f ?? 0)}`
}

/**
 * `scope` must identify the customer uniquely over time (id plus account number), so that a
 * customer id reused after a truncate never meets an old entry.
 */
export async function cached<T>(
  customer: { id: number; accountNumber: string },
  key: string,
  compute: () => Promise<T>
): Promise<T> {
  const stamp = await newestRollupId(customer.id)
  const full = `${customer.id}|${customer.accountNumber}|${key}`
  const hit = entries.get(full)
  if (hit && hit.stamp === stamp && Date.now() - hit.at < TTL_MS) {
    // LRU: most recently used last
    entries.delete(full)
    entries.set(full, hit)
    return hit.value as Promise<T>
  }
  const value = compute()
  entries.set(full, { stamp, at: Date.now(), value })
  value.catch(() => {
    if (entries.get(full)?.value === value) entries.delete(full)
  })
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!)
  return value
}

export function clearInsightsCache() {
  entries.clear()
}
