import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { RateDeck } from '#rating/deck'
import type { DeckRate } from '#rating/types'
import type { AllowanceDef } from '#rating/allowances'

/** A DATE / DATETIME value from either driver as "YYYY-MM-DD". */
export function isoDateOf(value: unknown): string {
  if (value instanceof Date) return isoOfDate(value)
  if (value && typeof (value as any).toISODate === 'function') return (value as any).toISODate()
  return String(value).slice(0, 10)
}

// A 200k-row deck carries a handful of distinct dates: formatting each row's Date again cost
// about a second per deck load, and each copy of the same string stayed alive in its rate.
const isoDates = new Map<number, string>()
function isoOfDate(value: Date): string {
  const time = value.getTime()
  let iso = isoDates.get(time)
  if (iso === undefined) {
    iso = value.toISOString().slice(0, 10)
    if (isoDates.size < 10_000) isoDates.set(time, iso)
  }
  return iso
}

/** The same category string for every rate of it (a deck row's string is otherwise its own copy). */
const categories = new Map<string, string>()
function categoryOf(value: string): string {
  const seen = categories.get(value)
  if (seen !== undefined) return seen
  if (categories.size < 1000) categories.set(value, value)
  return value
}

/** A DATETIME value from either driver (Date from MySQL, "YYYY-MM-DD HH:mm:ss" from SQLite; UTC) as epoch ms. */
export function epochMsOf(value: unknown): number {
  if (value instanceof Date) return value.getTime()
  if (value && typeof (value as any).toMillis === 'function') return (value as any).toMillis()
  const text = String(value)
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      text
    )
  if (!m) {
    const parsed = Date.parse(text)
    if (Number.isNaN(parsed)) throw new SyntaxError(`"${text}" is not a date-time`)
    return parsed
  }
  if (m[8] && m[8] !== 'Z') return Date.parse(text.replace(' ', 'T'))
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms)
}

export function deckRateFromRow(row: any): DeckRate {
  return {
    id: Number(row.id),
    prefix: String(row.prefix),
    destination: row.destination,
    category: categoryOf(row.category),
    peakMicros: Number(row.peak_micros),
    offpeakMicros: Number(row.offpeak_micros),
    weekendMicros: Number(row.weekend_micros),
    connectionMicros: Number(row.connection_micros),
    minimumMicros: Number(row.minimum_micros),
    initialS: Number(row.initial_s),
    subsequentS: Number(row.subsequent_s),
    effectiveFrom: isoDateOf(row.effective_from),
  }
}

const cache = new Map<number, { stamp: string; deck: RateDeck }>()

/**
 * Decks already checked during one pass over many customers (a re-rate): within the pass the
 * deck's version is checked once, not once per customer (the check sums a 200k-row deck).
 */
export type DeckMemo = Map<number, RateDeck>

/**
 * The compiled deck of a tariff. Decks are cached per process and rebuilt when
 * the rates change (row count, highest id, last update and a price checksum).
 */
export async function loadDeck(
  tariffId: number,
  trx?: QueryClientContract,
  memo?: DeckMemo
): Promise<RateDeck> {
  const seen = memo?.get(tariffId)
  if (seen) return seen
  const deck = await checkedDeck(tariffId, trx)
  memo?.set(tariffId, deck)
  return deck
}

async function checkedDeck(tariffId: number, trx?: QueryClientContract): Promise<RateDeck> {
  const client = trx ?? db
  const s = await client
    .from('rates')
    .where('tariff_id', tariffId)
    .select(
      client.raw('count(*) as n'),
      client.raw('max(id) as max_id'),
      client.raw('max(updated_at) as last_update'),
      client.raw(
        'sum(peak_micros + offpeak_micros * 3 + weekend_micros * 7 + connection_micros * 11 + minimum_micros * 13 + initial_s * 17 + subsequent_s * 19) as checksum'
      )
    )
    .first()
  const stamp = [
    s?.n,
    s?.max_id,
    s?.last_update instanceof Date ? s.last_update.getTime() : s?.last_update,
    s?.checksum,
  ]
    .map(String)
    .join('|')
  const hit = cache.get(tariffId)
  if (hit && hit.stamp === stamp) return hit.deck
  const deck = new RateDeck([], Number(s?.n ?? 0))
  // Pages small enough that their rows die young: 50k-row pages lived long enough to be promoted,
  // and a 200k-row deck load grew the heap by ~140 MB of garbage.
  const pageSize = 10_000
  let lastId = 0
  for (;;) {
    const rows = await client
      .from('rates')
      .where('tariff_id', tariffId)
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(pageSize)
      .select(
        'id',
        'prefix',
        'destination',
        'category',
        'peak_micros',
        'offpeak_micros',
        'weekend_micros',
        'connection_micros',
        'minimum_micros',
        'initial_s',
        'subsequent_s',
        'effective_from'
      )
    for (const row of rows) deck.add(deckRateFromRow(row))
    if (rows.length < pageSize) break
    lastId = Number(rows[rows.length - 1].id)
  }
  deck.seal()
  cache.set(tariffId, { stamp, deck })
  return deck
}

export async function loadAllowances(
  tariffId: number,
  trx?: QueryClientContract
): Promise<AllowanceDef[]> {
  const rows = await (trx ?? db).from('allowances').where('tariff_id', tariffId).orderBy('id')
  return rows.map((r: any) => ({
    id: Number(r.id),
    name: r.name,
    categories: String(r.categories),
    unit: r.unit,
    quantity: Number(r.quantity),
    scope: r.scope,
  }))
}
