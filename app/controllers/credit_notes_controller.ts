import type { HttpContext } from '@adonisjs/core/http'
import { createCreditNote } from '#billing/credit_notes'
import { BillingError } from '#billing/runs'
import { creditNoteValidator } from '#validators/billing'
import { parseDecimal } from '#lib/money'

export default class CreditNotesController {
  async store({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(creditNoteValidator)
    try {
      const note = await createCreditNote({
        invoiceId: Number(params.id),
        reason: input.reason,
        netMinor: input.amount ? parseDecimal(input.amount, 2) : undefined,
        userId: auth.user!.id,
      })
      session.flash('success', `Credit note ${note.number} issued`)
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect(`/invoices/${params.id}`)
  }
}
