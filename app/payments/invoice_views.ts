import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import CreditNote from '#models/credit_note'
import type Delivery from '#models/delivery'
import { formatMoney } from '#lib/money'
import { isoDayOf } from '#lib/iso_time'
import { categoryLabel } from '#billing/compute'
import { changeAgainstLast, changeVsLastView, type ChangeVsLastView } from '#billing/draft_diff'
import { invoiceLineGroups, type LineGroup } from '#documents/invoice_lines_view'
import { isResendable } from '#deliveries/deliveries'
import { invoiceSettlement, type InvoiceSettlementView } from '#payments/views'

/**
 * Read model of the invoice page (invoices/show): header, lines (flat and grouped by employee),
 * credit notes, the emails, the change against the last invoice and, once final, the payments.
 * It reads billing, documents, deliveries and payments, so it lives in the highest of them.
 */

/** An invoice's or credit note's email; times ISO. */
export type DeliveryView = {
  id: number
  status: Delivery['status']
  attempts: number
  to: string
  messageId: string | null
  lastError: string | null
  sentAt: string | null
  nextAttemptAt: string | null
  canResend: boolean
}

export type InvoiceHeaderView = {
  id: number
  number: string | null
  status: Invoice['status']
  period: string
  runId: number
  runStatus: string
  customer: { id: number; name: string; account: string }
  issueDate: string | null
  dueDate: string | null
  subtotal: string
  tax: string
  total: string
  pdfSha256: string | null
}

export type InvoiceLineView = {
  id: number
  kind: InvoiceLine['kind']
  category: string
  description: string
  quantity: number
  employeeId: number | null
  amount: string
}

export type CreditNoteView = {
  id: number
  number: string
  reason: string
  issueDate: string
  total: string
  hasPdf: boolean
  /** null = never queued ("Send credit note"), else its email. */
  delivery: DeliveryView | null
  sendUrl: string
}

export type InvoiceShowProps = {
  invoice: InvoiceHeaderView
  lineGroups: LineGroup[]
  lines: InvoiceLineView[]
  creditNotes: CreditNoteView[]
  delivery: DeliveryView | null
  changeVsLast: ChangeVsLastView
  settlement: InvoiceSettlementView | null
}

function deliveryView(d: Delivery): DeliveryView {
  return {
    id: d.id,
    status: d.status,
    attempts: d.attempts,
    to: d.toAddress,
    messageId: d.messageId,
    lastError: d.lastError,
    sentAt: d.sentAt?.toISO() ?? null,
    nextAttemptAt: d.nextAttemptAt?.toISO() ?? null,
    canResend: isResendable({ status: d.status, updatedAt: d.updatedAt ?? d.createdAt }),
  }
}

function invoiceHeader(invoice: Invoice): InvoiceHeaderView {
  const money = (m: number) => formatMoney(m, invoice.currency)
  return {
    id: invoice.id,
    number: invoice.number,
    status: invoice.status,
    period: invoice.period,
    runId: invoice.billingRunId,
    runStatus: invoice.billingRun.status,
    customer: {
      id: invoice.customer.id,
      name: invoice.customer.name,
      account: invoice.customer.accountNumber,
    },
    issueDate: invoice.issueDate?.toISODate() ?? null,
    dueDate: invoice.dueDate?.toISODate() ?? null,
    subtotal: money(invoice.subtotalMinor),
    tax: money(invoice.taxMinor),
    total: money(invoice.totalMinor),
    pdfSha256: invoice.pdfSha256,
  }
}

function lineView(line: InvoiceLine, currency: string): InvoiceLineView {
  return {
    id: line.id,
    kind: line.kind,
    category: categoryLabel(line.category),
    description: line.description,
    quantity: line.quantity,
    employeeId: line.employeeId,
    amount: formatMoney(line.amountMinor, currency),
  }
}

async function creditNotesOf(invoice: Invoice): Promise<CreditNoteView[]> {
  const credits = await CreditNote.query()
    .where('invoice_id', invoice.id)
    .preload('delivery')
    .orderBy('id')
  return credits.map((c) => ({
    id: c.id,
    number: c.number,
    reason: c.reason,
    issueDate: isoDayOf(c.issueDate),
    total: formatMoney(c.totalMinor, invoice.currency),
    hasPdf: Boolean(c.pdfPath),
    delivery: c.delivery ? deliveryView(c.delivery) : null,
    sendUrl: `/credit-notes/${c.id}/send`,
  }))
}

/** The invoice page; a missing invoice is Lucid's row-not-found (a 404). */
export async function invoiceShowProps(invoiceId: number): Promise<InvoiceShowProps> {
  const invoice = await Invoice.query()
    .where('id', invoiceId)
    .preload('customer')
    .preload('delivery')
    .preload('billingRun')
    .firstOrFail()
  const lines = await InvoiceLine.query().where('invoice_id', invoice.id).orderBy('id')
  return {
    invoice: invoiceHeader(invoice),
    lineGroups: await invoiceLineGroups(invoice, lines),
    lines: lines.map((l) => lineView(l, invoice.currency)),
    creditNotes: await creditNotesOf(invoice),
    delivery: invoice.delivery ? deliveryView(invoice.delivery) : null,
    changeVsLast: changeVsLastView(await changeAgainstLast(invoice.id), invoice.currency),
    settlement: invoice.status === 'finalized' ? await invoiceSettlement(invoice.id) : null,
  }
}
