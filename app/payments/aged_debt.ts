import db from '@adonisjs/lucid/services/db'
import { int } from '#lib/db_helpers'
import { invoiceBalances, type InvoiceBalance } from '#payments/balances'
import { AGE_BUCKETS, ageBucket, type AgeBucket } from '#payments/status'
import type { ExportTable } from '#insights/export'

/**
 * Aged debt: what each customer owes, by how far past the due date each invoice is (in the
 * customer's time zone), with their unallocated credit beside it. Amounts in minor units.
 */

export type Buckets = Record<AgeBucket, number>

export interface AgedDebtRow {
  customerId: number
  name: string
  accountNumber: string
  currency: string
  buckets: Buckets
  owedMinor: number
  /** Unallocated payments and unapplied credit notes (a positive number reduces the debt). */
  creditMinor: number
  netMinor: number
  invoices: number
}

export interface AgedDebtReport {
  asOf: string
  rows: AgedDebtRow[]
  /** One total row per currency. */
  totals: {
    currency: string
    buckets: Buckets
    owedMinor: number
    creditMinor: number
    netMinor: number
  }[]
  buckets: typeof AGE_BUCKETS
}

const emptyBuckets = (): Buckets => ({ current: 0, d1_30: 0, d31_60: 0, d61_90: 0, d90_plus: 0 })

async function creditByCustomer(): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  const add = (id: unknown, v: unknown) => out.set(Number(id), (out.get(Number(id)) ?? 0) + int(v))
  for (const r of await db
    .from('payments')
    .groupBy('customer_id')
    .select('customer_id')
    .sum('amount_minor as t'))
    add(r.customer_id, r.t)
  const allocated = await db
    .from('payment_allocations as a')
    .join('payments as p', 'p.id', 'a.payment_id')
    .groupBy('p.customer_id')
    .select('p.customer_id')
    .sum('a.amount_minor as t')
  for (const r of allocated) add(r.customer_id, -int(r.t))
  const notes = await db
    .from('credit_notes as n')
    .join('invoices as i', 'i.id', 'n.invoice_id')
    .groupBy('i.customer_id')
    .select('i.customer_id')
    .sum('n.total_minor as t')
  for (const r of notes) add(r.customer_id, r.t)
  const applied = await db
    .from('credit_note_applications as a')
    .join('credit_notes as n', 'n.id', 'a.credit_note_id')
    .join('invoices as i', 'i.id', 'n.invoice_id')
    .groupBy('i.customer_id')
    .select('i.customer_id')
    .sum('a.amount_minor as t')
  for (const r of applied) add(r.customer_id, -int(r.t))
  return out
}

export async function agedDebt(
  options: { now?: Date; customerIds?: number[] } = {}
): Promise<AgedDebtReport> {
  const now = options.now ?? new Date()
  const open = await invoiceBalances({ openOnly: true, customerIds: options.customerIds, now })
  const credit = await creditByCustomer()
  const customerIds = new Set([
    ...open.map((i) => i.customerId),
    ...[...credit.entries()].filter(([, v]) => v > 0).map(([id]) => id),
  ])
  if (options.customerIds)
    for (const id of [...customerIds]) if (!options.customerIds.includes(id)) customerIds.delete(id)
  const customers = customerIds.size
    ? await db
        .from('customers')
        .whereIn('id', [...customerIds])
        .select('id', 'name', 'account_number', 'currency')
    : []
  const rows = new Map<number, AgedDebtRow>()
  for (const c of customers) {
    const creditMinor = Math.max(0, credit.get(Number(c.id)) ?? 0)
    rows.set(Number(c.id), {
      customerId: Number(c.id),
      name: c.name,
      accountNumber: c.account_number,
      currency: c.currency,
      buckets: emptyBuckets(),
      owedMinor: 0,
      creditMinor,
      netMinor: -creditMinor,
      invoices: 0,
    })
  }
  for (const invoice of open) {
    const row = rows.get(invoice.customerId)!
    row.buckets[ageBucket(invoice.daysOverdue)] += invoice.outstandingMinor
    row.owedMinor += invoice.outstandingMinor
    row.netMinor += invoice.outstandingMinor
    row.invoices++
  }
  const sorted = [...rows.values()].sort(
    (a, b) => b.netMinor - a.netMinor || a.name.localeCompare(b.name)
  )
  const totals = new Map<string, AgedDebtReport['totals'][number]>()
  for (const row of sorted) {
    const t = totals.get(row.currency) ?? {
      currency: row.currency,
      buckets: emptyBuckets(),
      owedMinor: 0,
      creditMinor: 0,
      netMinor: 0,
    }
    for (const b of AGE_BUCKETS) t.buckets[b.key] += row.buckets[b.key]
    t.owedMinor += row.owedMinor
    t.creditMinor += row.creditMinor
    t.netMinor += row.netMinor
    totals.set(row.currency, t)
  }
  return {
    asOf: now.toISOString(),
    rows: sorted,
    totals: [...totals.values()],
    buckets: AGE_BUCKETS,
  }
}

/** One customer's open invoices with the aged debt column each falls in (the drill-down). */
export async function agedInvoices(
  customerId: number,
  now = new Date()
): Promise<(InvoiceBalance & { bucket: AgeBucket; bucketLabel: string })[]> {
  const open = await invoiceBalances({ openOnly: true, customerIds: [customerId], now })
  return open.map((i) => {
    const bucket = ageBucket(i.daysOverdue)
    return { ...i, bucket, bucketLabel: AGE_BUCKETS.find((b) => b.key === bucket)!.label }
  })
}

/** The report as export tables: customers, then every open invoice. */
export async function agedDebtTables(report: AgedDebtReport): Promise<ExportTable[]> {
  const bucketColumns = AGE_BUCKETS.map((b) => ({
    key: b.key,
    label: b.label,
    type: 'money' as const,
  }))
  const customers: ExportTable = {
    name: 'Aged debt',
    columns: [
      { key: 'account', label: 'Account' },
      { key: 'name', label: 'Customer' },
      { key: 'currency', label: 'Currency' },
      ...bucketColumns,
      { key: 'owed', label: 'Total owed', type: 'money' },
      { key: 'credit', label: 'Unallocated credit', type: 'money' },
      { key: 'net', label: 'Net balance', type: 'money' },
    ],
    rows: report.rows.map((r) => ({
      account: r.accountNumber,
      name: r.name,
      currency: r.currency,
      ...r.buckets,
      owed: r.owedMinor,
      credit: r.creditMinor,
      net: r.netMinor,
    })),
  }
  const open = await invoiceBalances({
    openOnly: true,
    customerIds: report.rows.map((r) => r.customerId),
    now: new Date(report.asOf),
  })
  const names = new Map(report.rows.map((r) => [r.customerId, r]))
  const invoices: ExportTable = {
    name: 'Open invoices',
    columns: [
      { key: 'account', label: 'Account' },
      { key: 'number', label: 'Invoice' },
      { key: 'due', label: 'Due date' },
      { key: 'days', label: 'Days overdue', type: 'int' },
      { key: 'bucket', label: 'Age' },
      { key: 'total', label: 'Invoice total', type: 'money' },
      { key: 'outstanding', label: 'Outstanding', type: 'money' },
    ],
    rows: open.map((i) => ({
      account: names.get(i.customerId)?.accountNumber,
      number: i.number,
      due: i.dueDate,
      days: i.daysOverdue,
      bucket: AGE_BUCKETS.find((b) => b.key === ageBucket(i.daysOverdue))!.label,
      total: i.totalMinor,
      outstanding: i.outstandingMinor,
    })),
  }
  return [customers, invoices]
}

/** Today's report as a file name and its export tables. */
export async function agedDebtExport(now = new Date()) {
  const report = await agedDebt({ now })
  return { name: `aged-debt-${report.asOf.slice(0, 10)}`, tables: await agedDebtTables(report) }
}
