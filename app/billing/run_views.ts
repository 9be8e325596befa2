import { DateTime } from 'luxon'
import Customer from '#models/customer'
import type Invoice from '#models/invoice'
import type BillingRun from '#models/billing_run'
import { runReview } from '#billing/runs'
import { diffView, type DiffView } from '#billing/draft_diff'
import type { FlagView } from '#billing/flags'
import { formatMoney } from '#lib/money'
import { isoOf } from '#lib/iso_time'

/** Read models of the new run form (billing/new) and a run's review page (billing/show). Money is formatted, times are ISO. */

export type RunNewProps = {
  /** Last month ("yyyy-MM"), the month usually billed. */
  defaultPeriod: string
  customers: { id: number; name: string; accountNumber: string }[]
}

export type RunHeaderView = {
  id: number
  period: string
  status: BillingRun['status']
  createdAt: string
  finalizedAt: string | null
}

export type RunInvoiceView = {
  id: number
  customer: string
  account: string
  number: string | null
  status: Invoice['status']
  subtotal: string
  tax: string
  total: string
  hasPdf: boolean
  delivery: { status: string; attempts: number } | null
  held: boolean
  flags: FlagView[]
  regenerated: DiffView | null
}

/** Customers of a draft whose usage is not all rated yet (finalizing needs a confirmation). */
export type RunWarningView = {
  customerId: number
  account: string
  unrated: number
  pending: number
  late: number
}

export type RunLateUsageView = { invoiceId: number; account: string; records: number }

/**
 * An anomaly as insights' finder reports it. Billing may not import insights, so the caller hands
 * the finder in (see `runShowProps`).
 */
export type RunAnomaly = {
  kind: string
  employeeId?: number
  employeeName?: string
  subject: string
  amountMinor: number
  baselineMinor?: number
  message: string
}

export type RunAnomalyView = RunAnomaly & { customer: string }

export type AnomalyLookup = (customerId: number, period: string) => Promise<RunAnomaly[]>

export type RunShowProps = {
  run: RunHeaderView
  invoices: RunInvoiceView[]
  totals: { subtotal: string; tax: string; total: string }
  warnings: RunWarningView[]
  lateUsage: RunLateUsageView[]
  anomalies: RunAnomalyView[]
}

type Review = Awaited<ReturnType<typeof runReview>>

function runHeader(run: BillingRun): RunHeaderView {
  return {
    id: run.id,
    period: run.period,
    status: run.status,
    createdAt: isoOf(run.createdAt),
    finalizedAt: run.finalizedAt?.toISO() ?? null,
  }
}

function invoiceView(invoice: Invoice, review: Review): RunInvoiceView {
  return {
    id: invoice.id,
    customer: invoice.customer.name,
    account: invoice.customer.accountNumber,
    number: invoice.number,
    status: invoice.status,
    subtotal: formatMoney(invoice.subtotalMinor, invoice.currency),
    tax: formatMoney(invoice.taxMinor, invoice.currency),
    total: formatMoney(invoice.totalMinor, invoice.currency),
    hasPdf: Boolean(invoice.pdfPath),
    delivery: invoice.delivery
      ? { status: invoice.delivery.status, attempts: invoice.delivery.attempts }
      : null,
    held: review.held.has(invoice.id),
    flags: review.flags.get(invoice.id) ?? [],
    regenerated: diffView(invoice.snapshot?.regenerated, invoice.currency),
  }
}

/** The run's totals over all its invoices, in the default currency. */
function runTotals(invoices: Invoice[]): RunShowProps['totals'] {
  return {
    subtotal: formatMoney(invoices.reduce((s, i) => s + i.subtotalMinor, 0)),
    tax: formatMoney(invoices.reduce((s, i) => s + i.taxMinor, 0)),
    total: formatMoney(invoices.reduce((s, i) => s + i.totalMinor, 0)),
  }
}

/** Only a draft is looked over for anomalies: a finalized run can no longer change. */
async function draftAnomalies(review: Review, lookup: AnomalyLookup): Promise<RunAnomalyView[]> {
  const anomalies: RunAnomalyView[] = []
  if (review.run.status !== 'draft') return anomalies
  for (const invoice of review.invoices) {
    for (const a of await lookup(invoice.customerId, review.run.period))
      anomalies.push({ customer: invoice.customer.accountNumber, ...a })
  }
  return anomalies
}

/** A billing run's review: its invoices (flagged and held first), totals, warnings and anomalies. */
export async function runShowProps(runId: number, anomalies: AnomalyLookup): Promise<RunShowProps> {
  const review = await runReview(runId)
  return {
    run: runHeader(review.run),
    invoices: review.invoices.map((i) => invoiceView(i, review)),
    totals: runTotals(review.invoices),
    warnings: review.warnings,
    lateUsage: review.lateUsage.map((l) => ({
      invoiceId: l.invoiceId,
      account: l.account,
      records: l.records,
    })),
    anomalies: await draftAnomalies(review, anomalies),
  }
}

export async function runNewProps(): Promise<RunNewProps> {
  const customers = await Customer.query().orderBy('name').select('id', 'name', 'account_number')
  return {
    defaultPeriod: DateTime.now().minus({ months: 1 }).toFormat('yyyy-MM'),
    customers: customers.map((c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber })),
  }
}
