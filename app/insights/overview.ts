import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { e4ToMinor } from '#lib/money'

/**
 * The reseller's overview: what was billed, what it earned, what recurs, and what waits for a
 * person. Every figure is an integer in minor units, per currency (customers bill in their own),
 * read from invoices, the usage/recurring rollups and the open recurring charges.
 */

const int = (v: unknown) => Number(v ?? 0)
const ZONE = 'Europe/London'

export interface OverviewMonth {
  /** YYYY-MM */
  month: string
  /** net of finalised invoices issued in the month */
  billedMinor: number
  /** rated price of the month's usage and recurring charges */
  ratedMinor: number
  /** rated price less carrier and licence cost */
  marginMinor: number
  recurringMinor: number
}

export interface OverviewCurrency {
  currency: string
  billedThisMonthMinor: number
  billedLastMonthMinor: number
  /** the last complete month with rated usage: price, cost and their difference */
  marginMonth: string | null
  marginMinor: number
  marginRatedMinor: number
  /** open recurring charges today, per month */
  recurringMonthlyMinor: number
  trend: OverviewMonth[]
}

export interface Waiting {
  draftInvoices: number
  draftInvoicesMinor: number
  draftRuns: number
  failedImports: number
  failedDeliveries: number
  unallocatedRecords: number
  unallocatedMinor: number
  unratedRecords: number
}

export interface Overview {
  today: string
  thisMonth: string
  lastMonth: string
  currencies: OverviewCurrency[]
  waiting: Waiting
  counts: { customers: number; employees: number }
  recentImports: {
    id: number
    sourceName: string
    status: string
    rowsRead: number
    rowsImported: number
    rowsRejected: number
    createdAt: string | null
  }[]
}

async function recentImports() {
  const rows = await db
    .from('imports')
    .select(
      'id',
      'source_name',
      'status',
      'rows_read',
      'rows_imported',
      'rows_rejected',
      'created_at'
    )
    .orderBy('id', 'desc')
    .limit(8)
  return rows.map((r: any) => ({
    id: int(r.id),
    sourceName: String(r.source_name),
    status: String(r.status),
    rowsRead: int(r.rows_read),
    rowsImported: int(r.rows_imported),
    rowsRejected: int(r.rows_rejected),
    createdAt:
      r.created_at instanceof Date
        ? r.created_at.toISOString()
        : r.created_at
          ? String(r.created_at)
          : null,
  }))
}

function months(end: DateTime, n: number) {
  return Array.from({ length: n }, (_, i) => end.minus({ months: n - 1 - i }).toFormat('yyyy-MM'))
}

async function billedByMonth(from: string) {
  const rows = await db
    .from('invoices')
    .where('status', 'finalized')
    .where('issue_date', '>=', `${from}-01`)
    .select('currency', 'issue_date')
    .sum('subtotal_minor as net')
    .groupBy('currency', 'issue_date')
  const out = new Map<string, number>()
  for (const r of rows) {
    const d =
      r.issue_date instanceof Date
        ? DateTime.fromJSDate(r.issue_date, { zone: 'utc' })
        : DateTime.fromISO(String(r.issue_date).slice(0, 10))
    const key = `${r.currency}|${d.toFormat('yyyy-MM')}`
    out.set(key, (out.get(key) ?? 0) + int(r.net))
  }
  return out
}

/** Rated price and cost per currency and month from both rollups (usage by usage month, recurring by charge month). */
async function ratedByMonth(from: string) {
  const out = new Map<string, { price: number; cost: number; recurring: number }>()
  for (const table of ['monthly_rollups', 'recurring_rollups'] as const) {
    const rows = await db
      .from(table)
      .join('customers', 'customers.id', `${table}.customer_id`)
      .where(`${table}.period`, '>=', from)
      .select('customers.currency as currency', `${table}.period as period`)
      .sum(`${table}.price_e4 as price`)
      .sum(`${table}.cost_e4 as cost`)
      .groupBy('customers.currency', `${table}.period`)
    for (const r of rows) {
      const key = `${r.currency}|${r.period}`
      const v = out.get(key) ?? { price: 0, cost: 0, recurring: 0 }
      v.price += int(r.price)
      v.cost += int(r.cost)
      if (table === 'recurring_rollups') v.recurring += int(r.price)
      out.set(key, v)
    }
  }
  return out
}

async function recurringToday(today: string) {
  const rows = await db
    .from('recurring_charges')
    .join('customers', 'customers.id', 'recurring_charges.customer_id')
    .where('recurring_charges.starts_on', '<=', today)
    .where((q) =>
      q.whereNull('recurring_charges.ends_on').orWhere('recurring_charges.ends_on', '>=', today)
    )
    .select(
      'customers.currency as currency',
      'recurring_charges.quantity as quantity',
      'recurring_charges.unit_price_e4 as price'
    )
  const out = new Map<string, number>()
  for (const r of rows)
    out.set(r.currency, (out.get(r.currency) ?? 0) + int(r.quantity) * int(r.price))
  return out
}

async function waiting(): Promise<Waiting> {
  const count = async (q: ReturnType<typeof db.from>) => int((await q.count('* as n').first())?.n)
  const [drafts, draftRuns, failedImports, failedDeliveries, unallocated, unratedRecords] =
    await Promise.all([
      db
        .from('invoices')
        .where('status', 'draft')
        .count('* as n')
        .sum('subtotal_minor as net')
        .first(),
      count(db.from('billing_runs').where('status', 'draft')),
      count(db.from('imports').where('status', 'failed')),
      count(db.from('deliveries').where('status', 'failed')),
      db
        .from('usage_records')
        .whereNull('employee_id')
        .whereNull('invoice_id')
        .count('* as n')
        .sum('price_e4 as price')
        .first(),
      count(db.from('usage_records').where('rating_status', 'unrated').whereNull('invoice_id')),
    ])
  return {
    draftInvoices: int(drafts?.n),
    draftInvoicesMinor: int(drafts?.net),
    draftRuns,
    failedImports,
    failedDeliveries,
    unallocatedRecords: int(unallocated?.n),
    unallocatedMinor: e4ToMinor(int(unallocated?.price)),
    unratedRecords,
  }
}

export async function overview(now = DateTime.now().setZone(ZONE)): Promise<Overview> {
  const trendMonths = months(now, 12)
  const thisMonth = trendMonths[11]
  const lastMonth = trendMonths[10]
  const [billed, rated, recurring, wait, customers, employees, currencyRows, imports] =
    await Promise.all([
      billedByMonth(trendMonths[0]),
      ratedByMonth(trendMonths[0]),
      recurringToday(now.toISODate()!),
      waiting(),
      db.from('customers').count('* as n').first(),
      db.from('employees').count('* as n').first(),
      db.from('customers').distinct('currency').orderBy('currency'),
      recentImports(),
    ])
  const currencies = currencyRows.map((c: any) => String(c.currency))
  return {
    today: now.toISODate()!,
    thisMonth,
    lastMonth,
    currencies: currencies.map((currency) => {
      const trend = trendMonths.map((month) => {
        const r = rated.get(`${currency}|${month}`) ?? { price: 0, cost: 0, recurring: 0 }
        return {
          month,
          billedMinor: billed.get(`${currency}|${month}`) ?? 0,
          ratedMinor: e4ToMinor(r.price),
          marginMinor: e4ToMinor(r.price - r.cost),
          recurringMinor: e4ToMinor(r.recurring),
        }
      })
      // Margin of the newest complete month that has any rated figures (the current month is still filling).
      const marginRow =
        [...trend]
          .slice(0, 11)
          .reverse()
          .find((t) => t.ratedMinor !== 0) ?? null
      return {
        currency,
        billedThisMonthMinor: trend[11].billedMinor,
        billedLastMonthMinor: trend[10].billedMinor,
        marginMonth: marginRow?.month ?? null,
        marginMinor: marginRow?.marginMinor ?? 0,
        marginRatedMinor: marginRow?.ratedMinor ?? 0,
        recurringMonthlyMinor: e4ToMinor(recurring.get(currency) ?? 0),
        trend,
      }
    }),
    waiting: wait,
    counts: { customers: int(customers?.n), employees: int(employees?.n) },
    recentImports: imports,
  }
}

/** The billing team's landing page (dashboard/show). */
export type DashboardShowProps = { overview: Overview }

export async function dashboardShowProps(): Promise<DashboardShowProps> {
  return { overview: await overview() }
}
