import type { HttpContext } from '@adonisjs/core/http'
import { creditNoteUbl, invoiceUbl } from '#einvoice/ubl_documents'
import { sendUbl } from '#controllers/ubl_downloads'

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
    return sendUbl(response, make, (refusal) => {
      if (refusal.status === 404) return response.notFound({ error: refusal.message })
      // A script (or the API) gets the reason as JSON; a person clicking the button gets it on the page.
      if (request.accepts(['html', 'json']) === 'json')
        return response.unprocessableEntity({ error: refusal.message, field: refusal.field })
      session.flash('error', `No e-invoice: ${refusal.message}`)
      return response.redirect(back)
    })
  }
}
