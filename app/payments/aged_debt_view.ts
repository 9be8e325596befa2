import Customer from '#models/customer'
import { formatMoney } from '#lib/money'
import { agedDebt, agedInvoices, type Buckets } from '#payments/aged_debt'
import { AGE_BUCKETS, type AgeBucket } from '#payments/status'
import { openInvoiceView, type OpenInvoiceView } from '#payments/views'

/** The aged debt pages: money formatted with its currency, minor units alongside for the chart. */

/** An aged debt column: how far past the due date. */
export type AgeBucketColumn = { key: AgeBucket; label: string }

/** Owed, credit and net of one customer or one currency: formatted, with the columns in minor units. */
export type AgedDebtFigures = {
  currency: string
  /** Minor units per column (the chart's values). */
  bucketsMinor: Buckets
  /** Formatted per column. */
  buckets: Record<AgeBucket, string>
  owed: string
  credit: string
  net: string
}

export type AgedDebtCustomerRow = AgedDebtFigures & {
  customerId: number
  name: string
  accountNumber: string
  /** Open invoices. */
  invoices: number
}

export type AgedDebtProps = {
  /** ISO time the report was computed at. */
  asOf: string
  buckets: AgeBucketColumn[]
  rows: AgedDebtCustomerRow[]
  /** One row per currency. */
  totals: AgedDebtFigures[]
}

export type AgedInvoiceView = OpenInvoiceView & { bucket: AgeBucket; bucketLabel: string }

export type AgedCustomerProps = {
  customer: { id: number; name: string; accountNumber: string; timeZone: string }
  buckets: AgeBucketColumn[]
  invoices: AgedInvoiceView[]
}

const bucketColumns = (): AgeBucketColumn[] =>
  AGE_BUCKETS.map((b) => ({ key: b.key, label: b.label }))

function figures(
  currency: string,
  t: { buckets: Buckets; owedMinor: number; creditMinor: number; netMinor: number }
): AgedDebtFigures {
  const fmt = (m: number) => formatMoney(m, currency)
  const buckets = {} as Record<AgeBucket, string>
  for (const b of AGE_BUCKETS) buckets[b.key] = fmt(t.buckets[b.key])
  return {
    currency,
    bucketsMinor: t.buckets,
    buckets,
    owed: fmt(t.owedMinor),
    credit: fmt(t.creditMinor),
    net: fmt(t.netMinor),
  }
}

export async function agedDebtProps(now = new Date()): Promise<AgedDebtProps> {
  const report = await agedDebt({ now })
  return {
    asOf: report.asOf,
    buckets: bucketColumns(),
    rows: report.rows.map((r) => ({
      customerId: r.customerId,
      name: r.name,
      accountNumber: r.accountNumber,
      invoices: r.invoices,
      ...figures(r.currency, r),
    })),
    totals: report.totals.map((t) => figures(t.currency, t)),
  }
}

export async function agedCustomerProps(
  customerId: number,
  now = new Date()
): Promise<AgedCustomerProps> {
  const customer = await Customer.findOrFail(customerId)
  const invoices = await agedInvoices(customer.id, now)
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      accountNumber: customer.accountNumber,
      timeZone: customer.timeZone,
    },
    buckets: bucketColumns(),
    invoices: invoices.map((i) => ({
      ...openInvoiceView(i),
      bucket: i.bucket,
      bucketLabel: i.bucketLabel,
    })),
  }
}
