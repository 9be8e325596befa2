import db from '@adonisjs/lucid/services/db'
import { formatScaled } from '#lib/money'
import { epochMsOf } from '#rating/deck_store'
import { REASON_NO_TARIFF } from '#rating/types'
import type { RerateSummary } from '#rating/tariffs'

/** Read model of the rating exceptions page: unrated, unbilled records and who has no tariff. */

export interface ExceptionGroup {
  reason: string
  tariffId: number | null
  tariffName: string | null
  category: string
  /** The leading digits of the destination the group shares. */
  prefix: string
  sample: string | null
  records: number
  customers: number
  /** Minutes with one decimal ("12.5"). */
  minutes: string
  firstAt: string | null
  lastAt: string | null
}

export type ExceptionsIndexProps = {
  digits: number
  total: number
  groups: ExceptionGroup[]
  customersWithoutTariff: { id: number; name: string; accountNumber: string; records: number }[]
  tariffs: { id: number; name: string }[]
  rerate: RerateSummary | null
}

/** Customers with unbilled unrated records (optionally only those last rated against one tariff). */
export async function customersWithExceptions(tariffId?: number): Promise<number[]> {
  const q = db
    .from('usage_records')
    .where('rating_status', 'unrated')
    .whereNull('invoice_id')
    .distinct('customer_id')
  if (tariffId) q.where((w) => w.where('tariff_id', tariffId).orWhereNull('tariff_id'))
  return (await q).map((r: any) => Number(r.customer_id))
}

/** Unrated, unbilled records grouped by reason, tariff, category and the first `digits` destination digits. */
async function exceptionGroups(digits: number) {
  const prefixExpr = `substr(replace(coalesce(destination, ''), '+', ''), 1, ${digits})`
  return db
    .from('usage_records')
    .where('rating_status', 'unrated')
    .whereNull('invoice_id')
    .select(
      db.raw('unrated_reason as reason'),
      'tariff_id',
      'category',
      db.raw(`${prefixExpr} as prefix`),
      db.raw('count(*) as records'),
      db.raw('count(distinct customer_id) as customers'),
      db.raw('min(destination) as sample'),
      db.raw('min(occurred_at) as first_at'),
      db.raw('max(occurred_at) as last_at'),
      db.raw('sum(duration_s) as seconds')
    )
    .groupByRaw(`unrated_reason, tariff_id, category, ${prefixExpr}`)
    .orderBy('records', 'desc')
    .limit(500)
}

async function customersWithoutTariff() {
  const rows = await db
    .from('usage_records as u')
    .join('customers as c', 'c.id', 'u.customer_id')
    .where('u.rating_status', 'unrated')
    .whereNull('u.invoice_id')
    .where('u.unrated_reason', REASON_NO_TARIFF)
    .select('c.id', 'c.name', 'c.account_number')
    .count('* as records')
    .groupBy('c.id', 'c.name', 'c.account_number')
    .orderBy('c.name')
  return rows.map((c: any) => ({
    id: Number(c.id),
    name: c.name,
    accountNumber: c.account_number,
    records: Number(c.records),
  }))
}

function groupView(g: any, tariffName: Map<number, string>): ExceptionGroup {
  return {
    reason: g.reason ?? 'unknown',
    tariffId: g.tariff_id ? Number(g.tariff_id) : null,
    tariffName: g.tariff_id ? (tariffName.get(Number(g.tariff_id)) ?? null) : null,
    category: g.category,
    prefix: g.prefix,
    sample: g.sample,
    records: Number(g.records),
    customers: Number(g.customers),
    minutes: formatScaled(Math.round((Number(g.seconds) || 0) / 6), 1),
    firstAt: g.first_at ? new Date(epochMsOf(g.first_at)).toISOString() : null,
    lastAt: g.last_at ? new Date(epochMsOf(g.last_at)).toISOString() : null,
  }
}

/** `digits`: how many leading destination digits group the records (1–8; anything else means 4). */
export async function exceptionsIndexProps(
  requestedDigits: unknown,
  rerate: RerateSummary | null
): Promise<ExceptionsIndexProps> {
  const digits = Math.min(8, Math.max(1, Number(requestedDigits ?? 4) || 4))
  const groups = await exceptionGroups(digits)
  const tariffs = await db.from('tariffs').select('id', 'name').orderBy('name')
  const tariffName = new Map<number, string>(tariffs.map((t: any) => [Number(t.id), t.name]))
  return {
    digits,
    total: groups.reduce((s: number, g: any) => s + Number(g.records), 0),
    groups: groups.map((g: any) => groupView(g, tariffName)),
    customersWithoutTariff: await customersWithoutTariff(),
    tariffs: tariffs.map((t: any) => ({ id: Number(t.id), name: t.name })),
    rerate,
  }
}
