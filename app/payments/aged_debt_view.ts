import Customer from '#models/customer'
import { formatMoney } from '#lib/money'
import { agedDebt, agedInvoices } from '#payments/aged_debt'
import { AGE_BUCKETS } from '#payments/status'
import { openInvoiceView } from '#payments/views'

/** The aged debt pages: money formatted with its currency, minor units alongside for the chart. */

export async function agedDebtPage(now = new Date()) {
  const report = await agedDebt({ now })
  const fmt = (m: number, c: string) => formatMoney(m, c)
  return {
    asOf: report.asOf,
    buckets: AGE_BUCKETS.map((b) => ({ key: b.key, label: b.label })),
    rows: report.rows.map((r) => ({
      customerId: r.customerId,
      name: r.name,
      accountNumber: r.accountNumber,
      currency: r.currency,
      invoices: r.invoices,
      bucketsMinor: r.buckets,
      buckets: Object.fromEntries(
        AGE_BUCKETS.map((b) => [b.key, fmt(r.buckets[b.key], r.currency)])
      ) as Record<string, string>,
      owed: fmt(r.owedMinor, r.currency),
      credit: fmt(r.creditMinor, r.currency),
      net: fmt(r.netMinor, r.currency),
    })),
    totals: report.totals.map((t) => ({
      currency: t.currency,
      bucketsMinor: t.buckets,
      buckets: Object.fromEntries(
        AGE_BUCKETS.map((b) => [b.key, fmt(t.buckets[b.key], t.currency)])
      ) as Record<string, string>,
      owed: fmt(t.owedMinor, t.currency),
      credit: fmt(t.creditMinor, t.currency),
      net: fmt(t.netMinor, t.currency),
    })),
  }
}

export async function agedCustomerPage(customerId: number, now = new Date()) {
  const customer = await Customer.findOrFail(customerId)
  const invoices = await agedInvoices(customer.id, now)
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      accountNumber: customer.accountNumber,
      timeZone: customer.timeZone,
    },
    buckets: AGE_BUCKETS.map((b) => ({ key: b.key, label: b.label })),
    invoices: invoices.map((i) => ({
      ...openInvoiceView(i),
      bucket: i.bucket,
      bucketLabel: i.bucketLabel,
    })),
  }
}

export type AgedDebtPageView = Awaited<ReturnType<typeof agedDebtPage>>
export type AgedCustomerPageView = Awaited<ReturnType<typeof agedCustomerPage>>
