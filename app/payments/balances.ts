import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { int } from '#lib/db_helpers'
import { dateOnly } from '#rating/recurring'
import {
  daysOverdue,
  localToday,
  outstandingOf,
  paymentStatus,
  STATUS_LABELS,
  type PaymentStatus,
} from '#payments/status'

/**
 * Read model: what each finalized invoice still owes (total − payment allocations − credit note
 * applications) and its payment status in its customer's time zone. Drafts owe nothing yet.
 */

export interface InvoiceBalance {
  id: number
  number: string
  customerId: number
  period: string
  issueDate: string | null
  dueDate: string | null
  currency: string
  totalMinor: number
  paidMinor: number
  creditedMinor: number
  outstandingMinor: number
  status: PaymentStatus
  statusLabel: string
  daysOverdue: number
}

export interface BalanceFilter {
  customerIds?: number[]
  invoiceIds?: number[]
  /** Only invoices that still owe something. */
  openOnly?: boolean
  now?: Date
}

async function sumsBy(client: QueryClientContract, table: string, ids: number[]) {
  const out = new Map<number, number>()
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await client
      .from(table)
      .whereIn('invoice_id', ids.slice(i, i + 1000))
      .groupBy('invoice_id')
      .select('invoice_id')
      .sum('amount_minor as total')
    for (const r of rows) out.set(Number(r.invoice_id), int(r.total))
  }
  return out
}

export async function invoiceBalances(
  filter: BalanceFilter = {},
  client: QueryClientContract = db.connection()
): Promise<InvoiceBalance[]> {
  const q = client
    .from('invoices as i')
    .join('customers as c', 'c.id', 'i.customer_id')
    .where('i.status', 'finalized')
    .orderBy('i.due_date')
    .orderBy('i.id')
    .select(
      'i.id',
      'i.number',
      'i.customer_id',
      'i.period',
      'i.issue_date',
      'i.due_date',
      'i.currency',
      'i.total_minor',
      'c.time_zone'
    )
  if (filter.customerIds) q.whereIn('i.customer_id', filter.customerIds)
  if (filter.invoiceIds) q.whereIn('i.id', filter.invoiceIds)
  const rows = await q
  const ids = rows.map((r: any) => Number(r.id))
  const paid = await sumsBy(client, 'payment_allocations', ids)
  const credited = await sumsBy(client, 'credit_note_applications', ids)
  const now = filter.now ?? new Date()
  const out: InvoiceBalance[] = []
  for (const r of rows) {
    const money = {
      totalMinor: int(r.total_minor),
      paidMinor: paid.get(Number(r.id)) ?? 0,
      creditedMinor: credited.get(Number(r.id)) ?? 0,
    }
    const outstandingMinor = outstandingOf(money)
    if (filter.openOnly && outstandingMinor <= 0) continue
    const dueDate = dateOnly(r.due_date)
    const today = localToday(r.time_zone, now)
    const status = paymentStatus(money, dueDate, today)
    out.push({
      id: Number(r.id),
      number: r.number,
      customerId: Number(r.customer_id),
      period: r.period,
      issueDate: dateOnly(r.issue_date),
      dueDate,
      currency: r.currency,
      ...money,
      outstandingMinor,
      status,
      statusLabel: STATUS_LABELS[status],
      daysOverdue: Math.max(0, daysOverdue(dueDate, today)),
    })
  }
  return out
}

export async function invoiceBalance(
  invoiceId: number,
  client?: QueryClientContract
): Promise<InvoiceBalance | null> {
  return (await invoiceBalances({ invoiceIds: [invoiceId] }, client))[0] ?? null
}

/** Payment status per invoice id (finalized invoices only), for list pages. */
export async function statusByInvoice(invoiceIds: number[]): Promise<Map<number, InvoiceBalance>> {
  if (!invoiceIds.length) return new Map()
  return new Map((await invoiceBalances({ invoiceIds })).map((b) => [b.id, b]))
}

export interface AccountCredit {
  /** Σ payments − Σ their allocations. */
  unallocatedPaymentsMinor: number
  /** Σ credit notes − Σ their applications. */
  unappliedCreditNotesMinor: number
  totalMinor: number
}

/** What a customer has paid or been credited that no invoice has taken yet. */
export async function accountCredit(
  customerId: number,
  client: QueryClientContract = db.connection()
): Promise<AccountCredit> {
  const paid = await client
    .from('payments')
    .where('customer_id', customerId)
    .sum('amount_minor as t')
    .first()
  const allocated = await client
    .from('payment_allocations as a')
    .join('payments as p', 'p.id', 'a.payment_id')
    .where('p.customer_id', customerId)
    .sum('a.amount_minor as t')
    .first()
  const notes = await client
    .from('credit_notes as n')
    .join('invoices as i', 'i.id', 'n.invoice_id')
    .where('i.customer_id', customerId)
    .sum('n.total_minor as t')
    .first()
  const applied = await client
    .from('credit_note_applications as a')
    .join('credit_notes as n', 'n.id', 'a.credit_note_id')
    .join('invoices as i', 'i.id', 'n.invoice_id')
    .where('i.customer_id', customerId)
    .sum('a.amount_minor as t')
    .first()
  const unallocatedPaymentsMinor = int(paid?.t) - int(allocated?.t)
  const unappliedCreditNotesMinor = int(notes?.t) - int(applied?.t)
  return {
    unallocatedPaymentsMinor,
    unappliedCreditNotesMinor,
    totalMinor: unallocatedPaymentsMinor + unappliedCreditNotesMinor,
  }
}
