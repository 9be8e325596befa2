import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import { invoicePdfBytes, renderInvoiceHtml } from '#documents/invoice_pdf'
import { creditNotePdfBytes } from '#documents/credit_note_pdf'
import { invoiceShowProps } from '#payments/invoice_views'

/** The PDF and HTML preview may only draw inline styles and data: images. */
const DOCUMENT_CSP =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"

export default class InvoicesController {
  async show({ params, inertia }: HttpContext) {
    return inertia.render('invoices/show', await invoiceShowProps(Number(params.id)))
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
