import db from '@adonisjs/lucid/services/db'
import { e4ToMinor } from '#lib/money'
import { monthsBetween } from '#insights/periods'
import type { Range } from '#insights/queries'

/**
 * Margin (admin MI only, never the portal): sell − supplier cost per customer, category, destination
 * and month, from the rollups (monthly_rollups and recurring_rollups for customers, categories and
 * months; destination_rollups for destinations).
 *
 * Usage records without a supplier cost (a PBX CDR with no buy deck) are not margin: they are
 * counted apart ("no cost": records and their sell), and margin and margin % are taken over the
 * costed sell only, so they never read as 100 %. Recurring charges carry their unit cost.
 * Sums stay in e4 until the end and each figure is rounded once, half-up.
 */

export type MarginRow = {
  sellMinor: number
  costMinor: number
  /** sell of the costed part − cost */
  marginMinor: number
  /** margin ÷ costed sell, one decimal; null when nothing is costed */
  marginPct: number | null
  uncostedRecords: number
  uncostedSellMinor: number
}

type Acc = { sell: number; cost: number; uncostedCount: number; uncostedSell: number }
const acc = (): Acc => ({ sell: 0, cost: 0, uncostedCount: 0, uncostedSell: 0 })
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))

/** The margin figures of accumulated e4 sums (pure). */
export function marginOf(a: {
  sell: number
  cost: number
  uncostedCount: number
  uncostedSell: number
}): MarginRow {
  const costedSell = a.sell - a.uncostedSell
  const margin = costedSell - a.cost
  return {
    sellMinor: e4ToMinor(a.sell),
    costMinor: e4ToMinor(a.cost),
    marginMinor: e4ToMinor(margin),
    marginPct: costedSell === 0 ? null : Math.round((margin / costedSell) * 1000) / 10,
    uncostedRecords: a.uncostedCount,
    uncostedSellMinor: e4ToMinor(a.uncostedSell),
  }
}

function add(map: Map<string, Acc>, key: string, r: Record<string, unknown>) {
  let a = map.get(key)
  if (!a) map.set(key, (a = acc()))
  a.sell += num(r.price)
  a.cost += num(r.cost)
  a.uncostedCount += num(r.uncosted_count)
  a.uncostedSell += num(r.uncosted_price)
}

/** One customer, or every customer billing in one currency (amounts of two currencies never add). */
export type MarginFilter = { customerId?: number; currency?: string; category?: string }

function scoped(table: string, range: Range, filter: MarginFilter, customerIds: number[]) {
  const q = db
    .from(table)
    .whereBetween('period', [range.from, range.to])
    .whereIn('customer_id', customerIds)
  if (filter.category) q.where('category', filter.category)
  return q
}

type CustomerRow = { id: unknown; name: unknown; account_number: unknown; currency: unknown }

/** Margin by month, customer, category and destination over a range (all customers, or one). */
export async function marginReport(range: Range, filter: MarginFilter = {}) {
  const customers: CustomerRow[] = await db
    .from('customers')
    .select('id', 'name', 'account_number', 'currency')
    .orderBy('name')
  const { chosen, currency, ids } = scopeOf(customers, filter)
  const [usage, charges, destinations] = await rollupSums(range, filter, ids)
  const sums = accumulate([...usage, ...charges])
  const sorted = <T extends MarginRow>(rows: T[]) =>
    rows.sort((a, b) => b.marginMinor - a.marginMinor)
  return {
    range,
    periods: monthsBetween(range.from, range.to),
    currency,
    customerId: chosen ? Number(chosen.id) : null,
    customers: customers.map((c) => ({
      id: Number(c.id),
      name: String(c.name),
      currency: String(c.currency),
    })),
    currencies: [...new Set(customers.map((c) => String(c.currency)))].sort(),
    totals: marginOf(sums.all.get('all') ?? acc()),
    byMonth: monthsBetween(range.from, range.to).map((period) => ({
      period,
      ...marginOf(sums.byMonth.get(period) ?? acc()),
    })),
    byCustomer: sorted(customerRows(sums.byCustomer, customers)),
    byCategory: sorted([...sums.byCategory].map(([category, a]) => ({ category, ...marginOf(a) }))),
    byDestination: sorted(destinations.map(destinationRow)).slice(0, 200),
  }
}

/** The chosen customer, or every customer in the filter's currency (GBP without one). */
function scopeOf(customers: CustomerRow[], filter: MarginFilter) {
  const chosen = filter.customerId
    ? customers.find((c) => Number(c.id) === filter.customerId)
    : null
  const currency = String(chosen?.currency ?? filter.currency ?? 'GBP')
  const ids = chosen
    ? [Number(chosen.id)]
    : customers.filter((c) => c.currency === currency).map((c) => Number(c.id))
  return { chosen, currency, ids }
}

/** Summed e4 figures of the usage, recurring and destination rollups of the customers. */
function rollupSums(range: Range, filter: MarginFilter, ids: number[]) {
  return Promise.all([
    scoped('monthly_rollups', range, filter, ids)
      .groupBy('customer_id', 'period', 'category')
      .select('customer_id', 'period', 'category')
      .sum('price_e4 as price')
      .sum('cost_e4 as cost')
      .sum('uncosted_count as uncosted_count')
      .sum('uncosted_price_e4 as uncosted_price'),
    scoped('recurring_rollups', range, filter, ids)
      .groupBy('customer_id', 'period', 'category')
      .select('customer_id', 'period', 'category')
      .sum('price_e4 as price')
      .sum('cost_e4 as cost'),
    scoped('destination_rollups', range, filter, ids)
      .groupBy('destination')
      .select('destination')
      .sum('price_e4 as price')
      .sum('cost_e4 as cost')
      .sum('uncosted_count as uncosted_count')
      .sum('uncosted_price_e4 as uncosted_price')
      .sum('record_count as records'),
  ])
}

/** Usage and recurring sums added up per month, customer, category and overall. */
function accumulate(rows: Record<string, unknown>[]) {
  const sums = {
    byMonth: new Map<string, Acc>(),
    byCustomer: new Map<string, Acc>(),
    byCategory: new Map<string, Acc>(),
    all: new Map<string, Acc>(),
  }
  for (const r of rows) {
    add(sums.byMonth, String(r.period), r)
    add(sums.byCustomer, String(r.customer_id), r)
    add(sums.byCategory, String(r.category), r)
    add(sums.all, 'all', r)
  }
  return sums
}

function customerRows(byCustomer: Map<string, Acc>, customers: CustomerRow[]) {
  const customerOf = new Map(customers.map((c) => [String(c.id), c]))
  return [...byCustomer].map(([id, a]) => ({
    customerId: Number(id),
    customer: String(customerOf.get(id)?.name ?? `Customer #${id}`),
    accountNumber: String(customerOf.get(id)?.account_number ?? ''),
    ...marginOf(a),
  }))
}

function destinationRow(r: Record<string, unknown>) {
  return {
    destination: String(r.destination) || '(no destination: data, messages …)',
    records: num(r.records),
    ...marginOf({
      sell: num(r.price),
      cost: num(r.cost),
      uncostedCount: num(r.uncosted_count),
      uncostedSell: num(r.uncosted_price),
    }),
  }
}

export type MarginReport = Awaited<ReturnType<typeof marginReport>>
