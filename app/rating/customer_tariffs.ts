import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { isoDateOf, loadAllowances, loadDeck, type DeckMemo } from '#rating/deck_store'
import { clockFor, dayNumber, type ZoneClock } from '#rating/time_band'
import type { TariffContext } from '#rating/record_outcome'

/** A customer's sell tariffs over time, with their compiled decks (cached per deck version). */
export interface CustomerTariffs {
  clock: ZoneClock
  tariffs: Map<number, TariffContext>
  /** The tariff on a local day (days since 1970-01-01), or null when none is assigned. */
  on(day: number): TariffContext | null
  /** True when a tariff of the customer has allowances (records must then be rated in start order across a month). */
  hasAllowances: boolean
}

/**
 * Loads the tariff assignments of the given customers and each tariff once (deck, markup,
 * allowances). `zones` gives each customer's time zone.
 */
export async function loadCustomerTariffs(
  client: QueryClientContract,
  zones: Map<number, string>,
  memo?: DeckMemo
): Promise<Map<number, CustomerTariffs>> {
  const out = new Map<number, CustomerTariffs>()
  if (zones.size === 0) return out
  const ids = [...zones.keys()]
  const spans = new Map<number, { tariffId: number; from: number; until: number }[]>()
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await client
      .from('customer_tariffs')
      .whereIn('customer_id', ids.slice(i, i + 500))
      .orderBy('starts_on', 'desc')
      .orderBy('id', 'desc')
      .select('customer_id', 'tariff_id', 'starts_on', 'ends_on')
    for (const r of rows) {
      const list = spans.get(Number(r.customer_id)) ?? []
      list.push({
        tariffId: Number(r.tariff_id),
        from: dayNumber(isoDateOf(r.starts_on)),
        until: r.ends_on ? dayNumber(isoDateOf(r.ends_on)) : Number.POSITIVE_INFINITY,
      })
      spans.set(Number(r.customer_id), list)
    }
  }
  const contexts = new Map<number, TariffContext | null>()
  for (const list of spans.values()) {
    for (const s of list) {
      if (contexts.has(s.tariffId)) continue
      const t = await client
        .from('tariffs')
        .where('id', s.tariffId)
        .select('id', 'default_markup_bp')
        .first()
      contexts.set(
        s.tariffId,
        t
          ? {
              id: s.tariffId,
              markupBp: Number(t.default_markup_bp),
              deck: await loadDeck(s.tariffId, client, memo),
              allowances: await loadAllowances(s.tariffId, client),
            }
          : null
      )
    }
  }
  for (const [customerId, zone] of zones) {
    const list = spans.get(customerId) ?? []
    const tariffs = new Map<number, TariffContext>()
    for (const s of list) {
      const t = contexts.get(s.tariffId)
      if (t) tariffs.set(s.tariffId, t)
    }
    out.set(customerId, {
      clock: clockFor(zone || 'Europe/London'),
      tariffs,
      hasAllowances: [...tariffs.values()].some((t) => t.allowances.length > 0),
      on(day: number) {
        for (const s of list)
          if (s.from <= day && day < s.until) return tariffs.get(s.tariffId) ?? null
        return null
      },
    })
  }
  return out
}
