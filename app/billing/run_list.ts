import db from '@adonisjs/lucid/services/db'
import BillingRun from '#models/billing_run'
import { formatMoney } from '#lib/money'
import { isoOf } from '#lib/iso_time'

/** Read model of the billing runs list (billing/index). */

export interface BillingRunListItem {
  id: number
  period: string
  status: string
  customers: number
  invoices: number
  /** The run's invoice totals, formatted. */
  total: string
  createdAt: string
  finalizedAt: string | null
}

export type BillingRunsIndexProps = {
  runs: BillingRunListItem[]
}

/** The latest 200 runs, newest first, with their invoice count and total. */
export async function billingRunsIndexProps(): Promise<BillingRunsIndexProps> {
  const runs = await BillingRun.query().withCount('invoices').orderBy('id', 'desc').limit(200)
  const totals = new Map<number, number>()
  if (runs.length) {
    const sums = await db
      .from('invoices')
      .whereIn(
        'billing_run_id',
        runs.map((r) => r.id)
      )
      .groupBy('billing_run_id')
      .select('billing_run_id')
      .sum('total_minor as total')
    for (const s of sums) totals.set(Number(s.billing_run_id), Number(s.total))
  }
  return {
    runs: runs.map((r) => ({
      id: r.id,
      period: r.period,
      status: r.status,
      customers: r.customerIds?.length ?? 0,
      invoices: Number(r.$extras.invoices_count),
      total: formatMoney(totals.get(r.id) ?? 0),
      createdAt: isoOf(r.createdAt),
      finalizedAt: r.finalizedAt?.toISO() ?? null,
    })),
  }
}
