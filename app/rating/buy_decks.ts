import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { RateDeck } from '#rating/deck'
import { loadDeck, type DeckMemo } from '#rating/deck_store'

/** A supplier's buy (cost) deck, as rating uses it. */
export interface BuyDeck {
  tariffId: number
  deck: RateDeck
}

/**
 * The buy deck of each import's connector (setting `buyTariff`: the name or id of a tariff of
 * kind "buy"), for the imports of the records being rated. Records of manual imports, and of
 * connectors without one, have none. A connector naming a missing or sell tariff has none
 * either: its records keep no cost rather than a cost from the wrong deck.
 */
export async function buyDecksForImports(
  importIds: number[],
  trx: TransactionClientContract,
  memo?: DeckMemo
): Promise<Map<number, BuyDeck>> {
  const out = new Map<number, BuyDeck>()
  if (importIds.length === 0) return out
  const rows = await trx
    .from('imports')
    .join('connectors', 'connectors.id', 'imports.connector_id')
    .whereIn('imports.id', importIds)
    .select('imports.id as import_id', 'connectors.settings as settings')
  const decks = new Map<string, BuyDeck | null>()
  for (const row of rows) {
    const ref = buyTariffRef(row.settings)
    if (!ref) continue
    if (!decks.has(ref)) decks.set(ref, await resolve(ref, trx, memo))
    const deck = decks.get(ref)
    if (deck) out.set(Number(row.import_id), deck)
  }
  return out
}

function buyTariffRef(settings: unknown): string | null {
  let s: any = settings
  if (typeof s === 'string') {
    try {
      s = JSON.parse(s)
    } catch {
      return null
    }
  }
  const ref = s?.buyTariff ?? s?.buyTariffId
  return ref === undefined || ref === null || String(ref).trim() === '' ? null : String(ref).trim()
}

async function resolve(
  ref: string,
  trx: QueryClientContract,
  memo?: DeckMemo
): Promise<BuyDeck | null> {
  const q = trx.from('tariffs').where('kind', 'buy')
  const t = /^\d+$/.test(ref)
    ? await q.where('id', Number(ref)).first()
    : await q.where('name', ref).first()
  if (!t) return null
  return { tariffId: Number(t.id), deck: await loadDeck(Number(t.id), trx, memo) }
}

/** The buy deck a connector's settings name (what its imports' records are costed with), if any. */
export async function buyDeckOfSettings(
  settings: unknown,
  trx: QueryClientContract
): Promise<BuyDeck | null> {
  const ref = buyTariffRef(settings)
  return ref ? resolve(ref, trx) : null
}
