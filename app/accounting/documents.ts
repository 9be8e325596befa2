import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { int } from '#lib/db_helpers'
import { dateOnly } from '#rating/recurring'
import { splitTax, type PostingLine } from '#accounting/postings'
import { AccountingError } from '#accounting/errors'

/**
 * Read model of what an accounts export contains: the finalized invoices and the credit notes of a
 * billing run or issued in a date range, each as posting lines (category × VAT rate, net and tax in
 * minor units that add up exactly to the document), and the payments received. Drafts never leave.
 */

export type Selection = { runId: number } | { from: string; to: string }

export interface Party {
  accountNumber: string
  name: string
  email: string | null
}

export interface SalesDocument {
  kind: 'invoice' | 'credit_note'
  number: string
  /** The invoice a credit note credits; the billed month of an invoice. */
  reference: string
  date: string
  dueDate: string
  currency: string
  customer: Party
  narrative: string | null
  lines: PostingLine[]
  netMinor: number
  taxMinor: number
  totalMinor: number
}

export interface ReceivedPayment {
  id: number
  receivedOn: string
  amountMinor: number
  currency: string
  method: string
  reference: string | null
  customer: Party
}

const party = (r: any): Party => ({
  accountNumber: String(r.account_number),
  name: String(r.customer_name),
  email: r.billing_email ? String(r.billing_email) : null,
})

function inSelection(q: any, selection: Selection, runColumn: string, dateColumn: string) {
  if ('runId' in selection) q.where(runColumn, selection.runId)
  else q.whereBetween(dateColumn, [selection.from, `${selection.to} 23:59:59`]) // a date stored with a time (SQLite) is still in its day
  return q
}

async function linesByInvoice(client: QueryClientContract, ids: number[]) {
  const out = new Map<number, { category: string; rateBp: number; netMinor: number }[]>()
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await client
      .from('invoice_lines')
      .whereIn('invoice_id', ids.slice(i, i + 1000))
      .groupBy('invoice_id', 'category', 'tax_rate_bp')
      .orderBy('invoice_id')
      .orderBy('category')
      .orderBy('tax_rate_bp', 'desc')
      .select('invoice_id', 'category', 'tax_rate_bp')
      .sum('amount_minor as net')
    for (const r of rows) {
      const list = out.get(Number(r.invoice_id)) ?? []
      list.push({ category: String(r.category), rateBp: int(r.tax_rate_bp), netMinor: int(r.net) })
      out.set(Number(r.invoice_id), list)
    }
  }
  return out
}

export async function invoicesOf(
  selection: Selection,
  client: QueryClientContract = db.connection()
): Promise<SalesDocument[]> {
  const q = client
    .from('invoices as i')
    .join('customers as c', 'c.id', 'i.customer_id')
    .where('i.status', 'finalized')
    .orderBy('i.issue_date')
    .orderBy('i.number')
    .select(
      'i.id',
      'i.number',
      'i.period',
      'i.issue_date',
      'i.due_date',
      'i.currency',
      'i.subtotal_minor',
      'i.tax_minor',
      'i.total_minor',
      'c.account_number',
      'c.name as customer_name',
      'c.billing_email'
    )
  const rows = await inSelection(q, selection, 'i.billing_run_id', 'i.issue_date')
  const lines = await linesByInvoice(
    client,
    rows.map((r: any) => Number(r.id))
  )
  return rows.map((r: any) => {
    const doc = {
      netMinor: int(r.subtotal_minor),
      taxMinor: int(r.tax_minor),
      totalMinor: int(r.total_minor),
    }
    const posted = splitTax(lines.get(Number(r.id)) ?? [])
    const net = posted.reduce((s, l) => s + l.netMinor, 0)
    const tax = posted.reduce((s, l) => s + l.taxMinor, 0)
    if (net !== doc.netMinor || tax !== doc.taxMinor) {
      throw new AccountingError(
        `Invoice ${r.number}: its lines come to ${net} net and ${tax} VAT (pence), not the invoice's ${doc.netMinor} and ${doc.taxMinor}; nothing was exported`,
        'invoice'
      )
    }
    return {
      kind: 'invoice' as const,
      number: String(r.number),
      reference: String(r.period),
      date: dateOnly(r.issue_date)!,
      dueDate: dateOnly(r.due_date) ?? dateOnly(r.issue_date)!,
      currency: String(r.currency),
      customer: party(r),
      narrative: null,
      lines: posted,
      ...doc,
    }
  })
}

function snapshotRate(snapshot: unknown): number | null {
  try {
    const value = typeof snapshot === 'string' ? JSON.parse(snapshot) : snapshot
    const rate = (value as any)?.customer?.tax_rate_bp
    return rate === undefined || rate === null ? null : int(rate)
  } catch {
    return null
  }
}

export async function creditNotesOf(
  selection: Selection,
  client: QueryClientContract = db.connection()
): Promise<SalesDocument[]> {
  const q = client
    .from('credit_notes as n')
    .join('invoices as i', 'i.id', 'n.invoice_id')
    .join('customers as c', 'c.id', 'i.customer_id')
    .orderBy('n.issue_date')
    .orderBy('n.number')
    .select(
      'n.id',
      'n.number',
      'n.reason',
      'n.issue_date',
      'n.subtotal_minor',
      'n.tax_minor',
      'n.total_minor',
      'i.number as invoice_number',
      'i.currency',
      'i.snapshot',
      'c.tax_rate_bp',
      'c.account_number',
      'c.name as customer_name',
      'c.billing_email'
    )
  const rows = await inSelection(q, selection, 'i.billing_run_id', 'n.issue_date')
  return rows.map((r: any) => {
    const rateBp = snapshotRate(r.snapshot) ?? int(r.tax_rate_bp)
    const date = dateOnly(r.issue_date)!
    return {
      kind: 'credit_note' as const,
      number: String(r.number),
      reference: String(r.invoice_number),
      date,
      dueDate: date,
      currency: String(r.currency),
      customer: party(r),
      narrative: r.reason ? String(r.reason) : null,
      lines: [
        { category: 'credit', rateBp, netMinor: int(r.subtotal_minor), taxMinor: int(r.tax_minor) },
      ],
      netMinor: int(r.subtotal_minor),
      taxMinor: int(r.tax_minor),
      totalMinor: int(r.total_minor),
    }
  })
}

/** Payments received in the range; for a run, the payments put against its invoices. */
export async function paymentsOf(
  selection: Selection,
  client: QueryClientContract = db.connection()
): Promise<ReceivedPayment[]> {
  const q = client
    .from('payments as p')
    .join('customers as c', 'c.id', 'p.customer_id')
    .orderBy('p.received_on')
    .orderBy('p.id')
    .select(
      'p.id',
      'p.received_on',
      'p.amount_minor',
      'p.currency',
      'p.method',
      'p.reference',
      'c.account_number',
      'c.name as customer_name',
      'c.billing_email'
    )
  if ('runId' in selection) {
    q.whereIn(
      'p.id',
      client
        .from('payment_allocations as a')
        .join('invoices as i', 'i.id', 'a.invoice_id')
        .where('i.billing_run_id', selection.runId)
        .select('a.payment_id')
    )
  } else {
    q.whereBetween('p.received_on', [selection.from, `${selection.to} 23:59:59`])
  }
  const rows = await q
  return rows.map((r: any) => ({
    id: Number(r.id),
    receivedOn: dateOnly(r.received_on)!,
    amountMinor: int(r.amount_minor),
    currency: String(r.currency),
    method: String(r.method),
    reference: r.reference ? String(r.reference) : null,
    customer: party(r),
  }))
}
