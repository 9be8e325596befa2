import { mapUsage } from '#consolidation/map_usage'
import { rateUsage } from '#rating/rate_usage'
import { refreshRollups } from '#consolidation/rollups'
import { rerate, type RerateSummary } from '#rating/tariffs'
import type { DeckMemo } from '#rating/deck_store'
import { rerateRollups } from '#consolidation/rerate_rollups'

/** Called after every usage change (billing's bill-shock check, registered at boot by start/billing_hooks.ts). */
type UsageListener = (customerId: number, periods: string[]) => Promise<unknown>
const listeners: UsageListener[] = []
export function onUsageChanged(listener: UsageListener) {
  if (!listeners.includes(listener)) listeners.push(listener)
}

/**
 * The one pipeline every change to usage goes through (import, mapping change,
 * tariff change): tie records to people, price them, then refresh the rollups
 * that insights read. Each step only touches unbilled records.
 */
export async function afterUsageChange(
  customerId: number,
  periods: string[],
  reason = 'usage change (import or mapping)',
  decks?: DeckMemo
) {
  const unique = [...new Set(periods)].sort()
  const mapping = { mapped: 0, unallocated: 0 }
  const rating = { records: 0, rated: 0, unrated: 0, changed: 0 }
  for (const period of unique) {
    const m = await mapUsage({ customerId, period })
    mapping.mapped += m.mapped
    mapping.unallocated += m.unallocated
    const r = await rateUsage({ customerId, period, reason, decks })
    rating.records += r.records
    rating.rated += r.rated
    rating.unrated += r.unrated
    rating.changed += r.changed
  }
  await refreshRollups(customerId, unique)
  await notifyUsageChanged(customerId, unique)
  return { periods: unique, mapping, rating }
}

/**
 * Tells the listeners a customer's usage of these months changed (the records are mapped, rated
 * and rolled up already: an import that did so on the way in calls this alone).
 */
export async function notifyUsageChanged(customerId: number, periods: string[]) {
  const unique = [...new Set(periods)].sort()
  // A listener that fails (say a bill-shock email) must not undo the import: it is logged and runs again next time.
  for (const listener of listeners) {
    try {
      await listener(customerId, unique)
    } catch (error) {
      const { default: logger } = await import('@adonisjs/core/services/logger')
      logger.error({ err: error, customerId }, 'usage change listener failed')
    }
  }
}

/**
 * Re-rates unbilled records after a tariff change (see `rerate`) and refreshes the
 * downstream rollups of every customer whose prices changed: what UI, CLI and demo call.
 */
export async function rerateAndRefresh(
  scope: Parameters<typeof rerate>[0],
  userId: number | null = null
): Promise<RerateSummary> {
  const decks: DeckMemo = new Map()
  // Mapping is untouched by a price change, and the rollups move with each changed record in
  // its rating transaction: only the listeners are left.
  const summary = await rerate({ ...scope, decks, observer: rerateRollups() }, userId)
  for (const customer of summary.customers) {
    if (customer.changed > 0) await notifyUsageChanged(customer.customerId, customer.periods)
  }
  return summary
}
