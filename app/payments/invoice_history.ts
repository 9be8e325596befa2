import db from '@adonisjs/lucid/services/db'
import type Customer from '#models/customer'
import { formatMoney } from '#lib/money'
import { statusByInvoice, type InvoiceBalance } from '#payments/balances'

/** Read model of a customer's invoice history (invoices/index): every invoice, its email, credit notes and payment state. */

const paymentProps = (b: InvoiceBalance | undefined) =>
  b
    ? {
        status: b.status,
        label: b.statusLabel,
        daysOverdue: b.daysOverdue,
        outstanding: formatMoney(b.outstandingMinor, b.currency),
      }
    : null

export interface InvoiceHistoryItem {
  id: number
  number: string | null
  period: string
  status: string
  runId: number
  issueDate: string | null
  dueDate: string | null
  net: string
  tax: string
  total: string
  totalMinor: number
  /** The email's delivery status, when one was queued. */
  email: string | null
  creditNotes: number
  credited: string | null
  payment: ReturnType<typeof paymentProps>
}

export type InvoiceHistoryProps = {
  customer: { id: number; name: string; accountNumber: string }
  invoices: InvoiceHistoryItem[]
}

export async function invoiceHistoryProps(customer: Customer): Promise<InvoiceHistoryProps> {
  const invoices = await db
    .from('invoices as i')
    .leftJoin('deliveries as d', 'd.invoice_id', 'i.id')
    .where('i.customer_id', customer.id)
    .orderBy('i.period', 'desc')
    .orderBy('i.id', 'desc')
    .select(
      'i.id',
      'i.number',
      'i.period',
      'i.status',
      'i.billing_run_id',
      'i.issue_date',
      'i.due_date',
      'i.subtotal_minor',
      'i.tax_minor',
      'i.total_minor',
      'i.currency',
      'd.status as delivery_status'
    )
  const credits = invoices.length
    ? await db
        .from('credit_notes')
        .whereIn(
          'invoice_id',
          invoices.map((i) => i.id)
        )
        .groupBy('invoice_id')
        .select('invoice_id')
        .count('* as n')
        .sum('total_minor as total')
    : []
  const payment = await statusByInvoice(
    invoices.filter((i) => i.status === 'finalized').map((i) => Number(i.id))
  )
  const creditOf = new Map(
    credits.map((c) => [Number(c.invoice_id), { count: Number(c.n), totalMinor: Number(c.total) }])
  )
  const day = (v: unknown) =>
    v ? (v instanceof Date ? v.toISOString() : String(v)).slice(0, 10) : null
  return {
    customer: { id: customer.id, name: customer.name, accountNumber: customer.accountNumber },
    invoices: invoices.map((i) => {
      const credit = creditOf.get(Number(i.id))
      return {
        id: Number(i.id),
        number: i.number,
        period: i.period,
        status: i.status,
        runId: Number(i.billing_run_id),
        issueDate: day(i.issue_date),
        dueDate: day(i.due_date),
        net: formatMoney(Number(i.subtotal_minor), i.currency),
        tax: formatMoney(Number(i.tax_minor), i.currency),
        total: formatMoney(Number(i.total_minor), i.currency),
        totalMinor: Number(i.total_minor),
        email: i.delivery_status ?? null,
        creditNotes: credit?.count ?? 0,
        credited: credit ? formatMoney(credit.totalMinor, i.currency) : null,
        payment: paymentProps(payment.get(Number(i.id))),
      }
    }),
  }
}
