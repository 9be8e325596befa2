import type { HttpContext } from '@adonisjs/core/http'
import { creditNoteUbl, invoiceUbl } from '#einvoice/ubl_documents'
import { EInvoiceError } from '#einvoice/errors'

/** Downloads of the UBL e-invoice of a finalized invoice or a credit note (staff). */
export default class EInvoiceDocumentsController {
  async invoice(ctx: HttpContext) {
    return this.download(ctx, () => invoiceUbl(Number(ctx.params.id)), `/invoices/${ctx.params.id}`)
  }

  async creditNote(ctx: HttpContext) {
    return this.download(
      ctx,
      () => creditNoteUbl(Number(ctx.params.id)),
      ctx.request.header('referer') ?? '/billing-runs'
    )
  }

  private async download(
    { request, response, session }: HttpContext,
    make: () => Promise<{ filename: string; xml: string }>,
    back: string
  ) {
    try {
      const { filename, xml } = await make()
      response.header('Content-Type', 'application/xml; charset=utf-8')
      response.header('Content-Disposition', `attachment; filename="${filename}"`)
      response.header('Cache-Control', 'private, no-store')
      return response.send(xml)
    } catch (error) {
      if (!(error instanceof EInvoiceError)) throw error
      if (error.code === 'not_found') return response.notFound({ error: error.message })
      // A script (or the API) gets the reason as JSON; a person clicking the button gets it on the page.
      if (request.accepts(['html', 'json']) === 'json')
        return response.unprocessableEntity({ error: error.message, field: error.field })
      session.flash('error', `No e-invoice: ${error.message}`)
      return response.redirect(back)
    }
  }
}
