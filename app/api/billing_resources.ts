import Invoice from '#models/invoice'
import CreditNote from '#models/credit_note'
import Payment from '#models/payment'
import BillingRun from '#models/billing_run'
import { pageOf } from '#api/pagination'
import { day, e4, instant, minor } from '#api/serialize'

/** The JSON shapes of /api/v1 for billing runs, invoices, credit notes and payments. */

export function runJson(run: BillingRun, invoices: Invoice[] | null = null) {
  return {
    id: run.id,
    period: run.period,
    status: run.status,
    customerIds: run.customerIds,
    createdAt: instant(run.createdAt),
    finalizedAt: instant(run.finalizedAt),
    invoiceIds: invoices ? invoices.map((i) => i.id) : undefined,
  }
}

export function invoiceJson(i: Invoice) {
  return {
    id: i.id,
    billingRunId: i.billingRunId,
    customerId: i.customerId,
    period: i.period,
    number: i.number,
    status: i.status,
    issueDate: day(i.issueDate),
    taxPoint: day(i.taxPoint),
    dueDate: day(i.dueDate),
    currency: i.currency,
    subtotal: minor(i.subtotalMinor, i.currency),
    tax: minor(i.taxMinor, i.currency),
    total: minor(i.totalMinor, i.currency),
    hasPdf: Boolean(i.pdfPath),
  }
}

export async function invoiceWithLines(invoice: Invoice) {
  await invoice.load('lines', (q) => q.orderBy('id'))
  await invoice.load('creditNotes')
  return {
    ...invoiceJson(invoice),
    lines: invoice.lines.map((l) => ({
      id: l.id,
      kind: l.kind,
      category: l.category,
      description: l.description,
      identifier: l.identifier,
      employeeId: l.employeeId,
      departmentId: l.departmentId,
      serviceId: l.serviceId,
      quantity: Number(l.quantity),
      unitPrice: e4(l.unitPriceE4, invoice.currency),
      amount: minor(l.amountMinor, invoice.currency),
      taxRateBp: l.taxRateBp,
    })),
    creditNoteIds: invoice.creditNotes.map((c) => c.id),
  }
}

export function creditNoteJson(c: CreditNote, currency: string) {
  return {
    id: c.id,
    invoiceId: c.invoiceId,
    number: c.number,
    reason: c.reason,
    issueDate: day(c.issueDate),
    subtotal: minor(c.subtotalMinor, currency),
    tax: minor(c.taxMinor, currency),
    total: minor(c.totalMinor, currency),
    hasPdf: Boolean(c.pdfPath),
  }
}

export function paymentJson(p: Payment) {
  return {
    id: p.id,
    customerId: p.customerId,
    receivedOn: day(p.receivedOn),
    amount: minor(p.amountMinor, p.currency),
    method: p.method,
    reference: p.reference,
    note: p.note,
    source: p.source,
    createdAt: instant(p.createdAt),
  }
}

type Paging = { page: number; perPage: number }

export async function runPage(filter: Paging & { period?: string; status?: string }) {
  const page = await BillingRun.query()
    .if(filter.period, (q) => q.where('period', filter.period!))
    .if(filter.status, (q) => q.where('status', filter.status!))
    .orderBy('id', 'desc')
    .paginate(filter.page, filter.perPage)
  return pageOf(page, (r: BillingRun) => runJson(r))
}

export async function invoicePage(
  filter: Paging & { customerId?: number; period?: string; status?: string }
) {
  const page = await Invoice.query()
    .if(filter.customerId, (q) => q.where('customer_id', filter.customerId!))
    .if(filter.period, (q) => q.where('period', filter.period!))
    .if(filter.status, (q) => q.where('status', filter.status!))
    .orderBy('id', 'desc')
    .paginate(filter.page, filter.perPage)
  return pageOf(page, invoiceJson)
}

export async function creditNotePage(filter: Paging & { customerId?: number }) {
  const page = await CreditNote.query()
    .preload('invoice')
    .if(filter.customerId, (q) =>
      q.whereHas('invoice', (i) => i.where('customer_id', filter.customerId!))
    )
    .orderBy('id', 'desc')
    .paginate(filter.page, filter.perPage)
  return pageOf(page, (c: CreditNote) => creditNoteJson(c, c.invoice.currency))
}

export async function creditNoteWithCurrency(id: number) {
  const note = await CreditNote.query().where('id', id).preload('invoice').firstOrFail()
  return creditNoteJson(note, note.invoice.currency)
}

export async function paymentPage(filter: Paging & { customerId?: number }) {
  const page = await Payment.query()
    .if(filter.customerId, (q) => q.where('customer_id', filter.customerId!))
    .orderBy('id', 'desc')
    .paginate(filter.page, filter.perPage)
  return pageOf(page, paymentJson)
}
