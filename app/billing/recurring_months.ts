import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { addMonths, recurringMonthFor } from '#rating/recurring'
import { isMysql } from '#lib/db_helpers'

/**
 * Which months of a customer's recurring charges are already billed (README,
 * "Billing, invoices and email" → recurring charges). Every month of every
 * charge is billed exactly once:
 * - a recurring invoice line records the charge and the month it bills
 *   (invoice_lines.recurring_charge_id / recurring_month); a month counts as
 *   billed once a FINALIZED invoice of the customer has such a line;
 * - lines written before those columns existed (recurring_month NULL) are
 *   covered by their invoice's snapshot.recurring_month (the one month the old
 *   logic billed: Q + 1 in advance, Q in arrears; Q + 1 when the snapshot has
 *   none): every month up to the latest such month counts as billed for every
 *   charge, so upgrading never bills history again;
 * - the look-back starts at the customer's first finalized invoice (or the
 *   run's own period when that is earlier or there is none): a charge starting in or
 *   after that period is billed from its start month (the part month and any
 *   month in advance); a charge that started earlier is billed from the
 *   recurring month of that first invoice, its earlier months being outside
 *   Tollgate's history (billed before the customer was set up here).
 */

export interface RecurringHistory {
  /** "chargeId:YYYY-MM" of months on finalized invoices */
  billed: Set<string>
  /** every month ≤ this is billed for every charge (pre-upgrade invoices); null = none */
  legacyThrough: string | null
  /** period of the first finalized invoice, or the run's period when earlier / none */
  firstPeriod: string
  /** the recurring month of that invoice (or of the run) */
  firstRecurringMonth: string
}

function snapshotOf(value: unknown): Record<string, any> {
  if (!value) return {}
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) ?? {}
    } catch {
      return {}
    }
  }
  return value as Record<string, any>
}

export async function recurringHistory(
  client: QueryClientContract,
  customerId: number,
  period: string,
  mode: 'advance' | 'arrears',
  /** Finalize: locking reads (MySQL), so a month another transaction just finalized is seen despite REPEATABLE READ. */
  lock = false
): Promise<RecurringHistory> {
  const locked = <T extends { forShare(): any }>(q: T): T =>
    lock && isMysql(client) ? q.forShare() : q
  const billed = new Set<string>()
  const rows = await locked(
    client
      .from('invoice_lines as l')
      .join('invoices as i', 'i.id', 'l.invoice_id')
      .where('i.customer_id', customerId)
      .where('i.status', 'finalized')
      .whereNotNull('l.recurring_charge_id')
      .whereNotNull('l.recurring_month')
      .distinct('l.recurring_charge_id', 'l.recurring_month')
  )
  for (const r of rows) billed.add(`${Number(r.recurring_charge_id)}:${r.recurring_month}`)

  const invoices: { id: number; period: string }[] = await locked(
    client
      .from('invoices')
      .where('customer_id', customerId)
      .where('status', 'finalized')
      .orderBy('period')
      .select('id', 'period')
  )
  let legacyThrough: string | null = null
  const legacyIds = new Set(
    (
      await locked(
        client
          .from('invoice_lines as l')
          .join('invoices as i', 'i.id', 'l.invoice_id')
          .where('i.customer_id', customerId)
          .where('i.status', 'finalized')
          .where('l.kind', 'recurring')
          .whereNull('l.recurring_month')
          .distinct('l.invoice_id')
      )
    ).map((r: any) => Number(r.invoice_id))
  )
  // Snapshots hold whole customer, employee and service lists: only the invoices whose recurring month is needed are read.
  const first = invoices[0]
  const wanted = invoices
    .filter((inv, i) => i === 0 || legacyIds.has(Number(inv.id)))
    .map((inv) => Number(inv.id))
  const snapshots = new Map<number, unknown>(
    wanted.length
      ? (await client.from('invoices').whereIn('id', wanted).select('id', 'snapshot')).map(
          (r: any) => [Number(r.id), r.snapshot]
        )
      : []
  )
  const monthOf = (inv: { id: number; period: string }) => {
    const m = snapshotOf(snapshots.get(Number(inv.id))).recurring_month
    return typeof m === 'string' && /^\d{4}-\d{2}$/.test(m)
      ? m
      : recurringMonthFor(String(inv.period), 'advance')
  }
  for (const inv of invoices) {
    if (!legacyIds.has(Number(inv.id))) continue
    const m = monthOf(inv)
    if (legacyThrough === null || m > legacyThrough) legacyThrough = m
  }
  // The look-back starts at the earlier of the first finalized invoice and this run: a run for an
  // earlier period finalized after a later one still bills the months nobody billed.
  const fromFirst = first && String(first.period) <= period
  return {
    billed,
    legacyThrough,
    firstPeriod: fromFirst ? String(first.period) : period,
    firstRecurringMonth: fromFirst ? monthOf(first) : recurringMonthFor(period, mode),
  }
}

/**
 * The months (YYYY-MM, ascending) of one charge an invoice for `period` bills:
 * from the charge's first billable month to the target month (P + 1 advance,
 * P arrears), clipped to the charge's end, minus months already billed.
 * Months with no active day are dropped by the caller (recurringForMonth).
 */
export function billableMonths(
  charge: { id: number; startsOn: string | null; endsOn: string | null },
  target: string,
  history: RecurringHistory
): string[] {
  const startMonth = charge.startsOn ? charge.startsOn.slice(0, 7) : history.firstRecurringMonth
  let from = startMonth >= history.firstPeriod ? startMonth : history.firstRecurringMonth
  if (history.legacyThrough !== null && from <= history.legacyThrough)
    from = addMonths(history.legacyThrough, 1)
  const endMonth = charge.endsOn ? charge.endsOn.slice(0, 7) : null
  const to = endMonth !== null && endMonth < target ? endMonth : target
  const months: string[] = []
  // Bounded: at most the months since the customer's first invoice.
  for (let m = from; m <= to; m = addMonths(m, 1)) {
    if (!history.billed.has(`${charge.id}:${m}`)) months.push(m)
  }
  return months
}
