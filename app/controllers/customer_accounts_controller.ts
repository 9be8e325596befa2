import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import { customerAccountProps } from '#payments/views'
import { statementPdf } from '#payments/statement'
import { applyCreditNote } from '#payments/credit_applications'
import { PaymentError, flashPaymentError } from '#payments/errors'
import { applyCreditNoteValidator, statementRangeValidator } from '#validators/payments'

/** A customer's account: what they owe and have paid, the statement of account, credit note applications. */
export default class CustomerAccountsController {
  async show({ inertia, params }: HttpContext) {
    return inertia.render('payments/account', await customerAccountProps(Number(params.id)))
  }

  async statement({ params, request, response, session }: HttpContext) {
    const range = await request.validateUsing(statementRangeValidator, { data: request.qs() })
    try {
      const { pdf, filename } = await statementPdf(Number(params.id), range.from, range.to)
      return sendDownload(response, {
        filename,
        contentType: 'application/pdf',
        body: pdf,
        inline: true,
      })
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      if (error.kind === 'not_found') return response.notFound('Not found')
      flashPaymentError(session, error)
      return response.redirect(`/customers/${params.id}/account`)
    }
  }

  async applyCreditNote({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(applyCreditNoteValidator)
    try {
      await applyCreditNote(Number(params.noteId), input.invoiceId, input.amount, auth.user!.id)
      session.flash('success', 'Credit note applied')
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      flashPaymentError(session, error)
    }
    return response.redirect(`/customers/${params.id}/account`)
  }
}
