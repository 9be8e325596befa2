import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { sqlTime } from '#lib/db_helpers'
import { makeCustomer } from '#tests/helpers/factories'

/**
 * Finalized invoices written straight to the tables (billing runs and rating belong to other
 * areas and are tested there): exact totals, numbers and dates a payments test can reason about.
 */

let seq = 0

export async function makeInvoice(
  customer: Customer,
  attrs: {
    totalMinor: number
    issueDate: string
    dueDate: string
    number?: string
    period?: string
    status?: 'draft' | 'finalized'
  }
) {
  const now = sqlTime()
  const period = attrs.period ?? `${attrs.issueDate.slice(0, 7)}`
  const [runId] = await db.table('billing_runs').insert({
    period,
    status: 'finalized',
    customer_ids: JSON.stringify([customer.id]),
    created_at: now,
  })
  const number = attrs.number ?? `INV-${String(++seq + 1000).padStart(6, '0')}`
  const subtotal = Math.round((attrs.totalMinor * 5) / 6)
  const [id] = await db.table('invoices').insert({
    billing_run_id: Number(runId),
    customer_id: customer.id,
    period,
    number: attrs.status === 'draft' ? null : number,
    status: attrs.status ?? 'finalized',
    issue_date: attrs.issueDate,
    tax_point: attrs.issueDate,
    due_date: attrs.dueDate,
    currency: customer.currency,
    subtotal_minor: subtotal,
    tax_minor: attrs.totalMinor - subtotal,
    total_minor: attrs.totalMinor,
    snapshot: JSON.stringify({
      customer: {
        name: customer.name,
        account_number: customer.accountNumber,
        billing_email: customer.billingEmail,
        tax_rate_bp: 2000,
        time_zone: customer.timeZone,
      },
      supplier: { name: 'Reseller Communications Ltd' },
    }),
    created_at: now,
  })
  return { id: Number(id), number, totalMinor: attrs.totalMinor }
}

/** A customer with three finalized invoices of different ages (due 2026-09-01, 10-01, 11-01). */
export async function customerWithInvoices(attrs: Partial<Customer> = {}) {
  const customer = await makeCustomer(attrs)
  const sept = await makeInvoice(customer, {
    totalMinor: 12000,
    issueDate: '2026-08-02',
    dueDate: '2026-09-01',
    period: '2026-07',
  })
  const oct = await makeInvoice(customer, {
    totalMinor: 24000,
    issueDate: '2026-09-01',
    dueDate: '2026-10-01',
    period: '2026-08',
  })
  const nov = await makeInvoice(customer, {
    totalMinor: 36050,
    issueDate: '2026-10-02',
    dueDate: '2026-11-01',
    period: '2026-09',
  })
  return { customer, invoices: [sept, oct, nov] }
}
