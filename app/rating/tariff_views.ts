import db from '@adonisjs/lucid/services/db'
import { formatScaled } from '#lib/money'
import { pageMeta, type PageMeta } from '#lib/db_helpers'
import { isoDateOf } from '#rating/deck_store'
import type { RerateSummary } from '#rating/tariffs'

/**
 * Read models of the tariff pages (tariffs/index, tariffs/show): the queries and the
 * exact shapes the Vue pages import with `import type`. Rates are shown as decimal
 * strings of their micros, never as floats.
 */

const PAGE_SIZE = 50

export interface RateView {
  id: number
  prefix: string
  destination: string
  category: string
  peak: string
  offpeak: string
  weekend: string
  connection: string
  minimum: string
  increments: string
  effectiveFrom: string
}

export interface TariffHeaderView {
  id: number
  name: string
  currency: string
  /** Percentage with 2 decimals ("12.50"). */
  defaultMarkup: string
  description: string | null
}

export interface TariffListItem extends TariffHeaderView {
  rates: number
  customers: number
}

export interface TariffAssignmentView {
  id: number
  customerId: number
  customerName: string
  accountNumber: string
  tariffId: number
  tariffName: string
  startsOn: string
  endsOn: string | null
}

export interface CustomerOption {
  id: number
  name: string
  accountNumber: string
}

export interface AllowanceView {
  id: number
  name: string
  categories: string
  unit: string
  quantity: number
  scope: string
}

export type TariffIndexProps = {
  tariffs: TariffListItem[]
  assignments: TariffAssignmentView[]
  customers: CustomerOption[]
}

export type TariffShowProps = {
  tariff: TariffHeaderView
  search: string
  rates: RateView[]
  meta: PageMeta
  allowances: AllowanceView[]
  assignments: TariffAssignmentView[]
  customers: CustomerOption[]
  /** The last re-rate's differences (flashed by the action that ran it). */
  rerate: RerateSummary | null
}

/** A rate row (snake_case from the query builder, or camelCase deck fields) as the pages show it. */
export function rateView(r: any): RateView {
  return {
    id: Number(r.id),
    prefix: r.prefix,
    destination: r.destination,
    category: r.category,
    peak: formatScaled(Number(r.peak_micros ?? r.peakMicros), 6),
    offpeak: formatScaled(Number(r.offpeak_micros ?? r.offpeakMicros), 6),
    weekend: formatScaled(Number(r.weekend_micros ?? r.weekendMicros), 6),
    connection: formatScaled(Number(r.connection_micros ?? r.connectionMicros), 6),
    minimum: formatScaled(Number(r.minimum_micros ?? r.minimumMicros), 6),
    increments: `${r.initial_s ?? r.initialS}/${r.subsequent_s ?? r.subsequentS}`,
    effectiveFrom: isoDateOf(r.effective_from ?? r.effectiveFrom),
  }
}

function headerView(t: any): TariffHeaderView {
  return {
    id: Number(t.id),
    name: t.name,
    currency: t.currency,
    defaultMarkup: formatScaled(Number(t.default_markup_bp), 2),
    description: t.description,
  }
}

/** The tariff's header, or null when there is no such tariff. */
export async function tariffHeader(id: number): Promise<TariffHeaderView | null> {
  const row = await db.from('tariffs').where('id', id).first()
  return row ? headerView(row) : null
}

async function customerOptions(): Promise<CustomerOption[]> {
  const rows = await db
    .from('customers')
    .select('id', 'name', 'account_number')
    .orderBy('name')
    .limit(5000)
  return rows.map((c: any) => ({ id: Number(c.id), name: c.name, accountNumber: c.account_number }))
}

async function assignments(where: { tariffId?: number }): Promise<TariffAssignmentView[]> {
  const q = db
    .from('customer_tariffs as ct')
    .join('customers as c', 'c.id', 'ct.customer_id')
    .join('tariffs as t', 't.id', 'ct.tariff_id')
    .select(
      'ct.id',
      'ct.customer_id',
      'ct.tariff_id',
      'ct.starts_on',
      'ct.ends_on',
      'c.name as customer_name',
      'c.account_number',
      't.name as tariff_name'
    )
    .orderBy('c.name')
    .orderBy('ct.starts_on', 'desc')
  if (where.tariffId) q.where('ct.tariff_id', where.tariffId)
  return (await q).map((a: any) => ({
    id: Number(a.id),
    customerId: Number(a.customer_id),
    customerName: a.customer_name,
    accountNumber: a.account_number,
    tariffId: Number(a.tariff_id),
    tariffName: a.tariff_name,
    startsOn: isoDateOf(a.starts_on),
    endsOn: a.ends_on ? isoDateOf(a.ends_on) : null,
  }))
}

export async function tariffIndexProps(): Promise<TariffIndexProps> {
  const tariffs = await db.from('tariffs').select('*').orderBy('name')
  const counts = await db.from('rates').select('tariff_id').count('* as n').groupBy('tariff_id')
  const rateCount = new Map(counts.map((c: any) => [Number(c.tariff_id), Number(c.n)]))
  const list = await assignments({})
  return {
    tariffs: tariffs.map((t: any) => ({
      ...headerView(t),
      rates: rateCount.get(Number(t.id)) ?? 0,
      customers: new Set(list.filter((a) => a.tariffId === Number(t.id)).map((a) => a.customerId))
        .size,
    })),
    assignments: list,
    customers: await customerOptions(),
  }
}

/** Digits search the prefix, anything else the destination name or the exact category. */
function searchRates(tariffId: number, search: string) {
  const q = db.from('rates').where('tariff_id', tariffId)
  if (!search) return q
  const digits = search.replace(/^\+/, '')
  if (/^\d+$/.test(digits)) q.where('prefix', 'like', `${digits}%`)
  else
    q.where((w) =>
      w.where('destination', 'like', `%${search}%`).orWhere('category', search.toLowerCase())
    )
  return q
}

/** The tariff page; null when there is no such tariff. */
export async function tariffShowProps(
  id: number,
  options: { search: string; page: number; rerate: RerateSummary | null }
): Promise<TariffShowProps | null> {
  const tariff = await tariffHeader(id)
  if (!tariff) return null
  const rates = await searchRates(id, options.search)
    .orderBy('prefix')
    .orderBy('effective_from', 'desc')
    .paginate(options.page, PAGE_SIZE)
  const allowances = await db.from('allowances').where('tariff_id', id).orderBy('id')
  return {
    tariff,
    search: options.search,
    rates: rates.all().map(rateView),
    meta: pageMeta(rates),
    allowances: allowances.map((a: any) => ({
      id: Number(a.id),
      name: a.name,
      categories: a.categories,
      unit: a.unit,
      quantity: Number(a.quantity),
      scope: a.scope,
    })),
    assignments: await assignments({ tariffId: id }),
    customers: await customerOptions(),
    rerate: options.rerate,
  }
}
