import db from '@adonisjs/lucid/services/db'

/**
 * A per-process cache of the heavy insights results (dashboard, employee breakdowns), so that a page
 * costs one index dive however many rollups lie behind it.
 *
 * Each entry remembers the customer's newest rollup id when it was computed; every request reads that
 * id again (`MAX(id) WHERE customer_id = ?`, answered from the (customer_id, id) index without
 * touching rows). Rollups are refreshed by delete + insert, so any refresh that writes rows gives them
 * new ids and invalidates the entry at once. Changes that insert nothing (a period emptied, an
 * employee renamed) show within TTL_MS. Concurrent misses share one computation.
 */
export const TTL_MS = 60_000
const MAX_ENTRIES = 500

type Entry = { stamp: number; at: number; value: Promise<unknown> }
const entries = new Map<string, Entry>()

export async function newestRollupId(customerId: number): Promise<number> {
  const row = await db.from('monthly_rollups').where('customer_id', customerId).max('id as m').first()
  return Number(row?.m ?? 0)
}

/**
 * `scope` must identify the customer uniquely over time (id plus account number), so that a
 * customer id reused after a truncate never meets an old entry.
 */
export async function cached<T>(customer: { id: number; accountNumber: string }, key: string, compute: () => Promise<T>): Promise<T> {
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
