import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import CreditNote from '#models/credit_note'
import type Delivery from '#models/delivery'
import { isResendable } from '#deliveries/deliveries'
import { formatMoney } from '#lib/money'
import { invoicePdfBytes, renderInvoiceHtml } from '#documents/invoice_pdf'
import { creditNotePdfBytes } from '#documents/credit_note_pdf'
import { categoryLabel } from '#billing/compute'
import { changeAgainstLast, changeVsLastView } from '#billing/draft_diff'
import { invoiceLineGroups } from '#documents/invoice_lines_view'
import { invoiceSettlement } from '#payments/views'

function deliveryProps(d: Delivery) {
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

/** The PDF and HTML preview may only draw inline styles and data: images. */
const DOCUMENT_CSP =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"

export default class InvoicesController {
  async show({ params, inertia }: HttpContext) {
    const invoice = await Invoice.query()
      .where('id', params.id)
      .preload('customer')
      .preload('delivery')
      .preload('billingRun')
      .firstOrFail()
    const lines = await InvoiceLine.query().where('invoice_id', invoice.id).orderBy('id')
    const credits = await CreditNote.query()
      .where('invoice_id', invoice.id)
      .preload('delivery')
      .orderBy('id')
    const money = (m: number) => formatMoney(m, invoice.currency)
    return inertia.render('invoices/show', {
      invoice: {
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
      },
      lineGroups: await invoiceLineGroups(invoice, lines),
      lines: lines.map((l) => ({
        id: l.id,
        kind: l.kind,
        category: categoryLabel(l.category),
        description: l.description,
        quantity: l.quantity,
        employeeId: l.employeeId,
        amount: money(l.amountMinor),
      })),
      creditNotes: credits.map((c) => ({
        id: c.id,
        number: c.number,
        reason: c.reason,
        issueDate: c.issueDate.toISODate(),
        total: money(c.totalMinor),
        hasPdf: Boolean(c.pdfPath),
        // Its email: null = never queued ("Send credit note"), else the delivery's status.
        delivery: c.delivery ? deliveryProps(c.delivery) : null,
        sendUrl: `/credit-notes/${c.id}/send`,
      })),
      delivery: invoice.delivery ? deliveryProps(invoice.delivery) : null,
      changeVsLast: changeVsLastView(await changeAgainstLast(invoice.id), invoice.currency),
      settlement: invoice.status === 'finalized' ? await invoiceSettlement(invoice.id) : null,
    })
  }

  /** Streams the stored PDF inline (rendering it first when missing). */
  async pdf({ params, response }: HttpContext) {
    const { bytes, invoice } = await invoicePdfBytes(Number(params.id))
    // Shown inline in the admin invoice page's frame (shield sends DENY by default).
    const headers: Record<string, string> = { 'X-Frame-Options': 'SAMEORIGIN' }
    if (invoice.pdfSha256) headers.ETag = `"${invoice.pdfSha256}"`
    return sendDownload(response, {
      filename: `${invoice.number ?? `draft-${invoice.id}`}.pdf`,
      contentType: 'application/pdf',
      body: bytes,
      inline: true,
      headers,
    })
  }

  async html({ params, response }: HttpContext) {
    const { html } = await renderInvoiceHtml(Number(params.id))
    response.header('Content-Type', 'text/html; charset=utf-8')
    response.header('Content-Security-Policy', DOCUMENT_CSP)
    response.header('Cache-Control', 'private, no-store')
    // Shown inline in the admin invoice page's frame (shield sends DENY by default).
    response.header('X-Frame-Options', 'SAMEORIGIN')
    return response.send(html)
  }

  async creditNotePdf({ params, response }: HttpContext) {
    const { bytes, note } = await creditNotePdfBytes(Number(params.id))
    // Shown inline in the admin invoice page's frame (shield sends DENY by default).
    return sendDownload(response, {
      filename: `${note.number}.pdf`,
      contentType: 'application/pdf',
      body: bytes,
      inline: true,
      headers: { 'X-Frame-Options': 'SAMEORIGIN' },
    })
  }
}
