import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import CreditNote from '#models/credit_note'
import { issueCreditNote } from '#deliveries/credit_note_issue'
import { deliverDue, DeliveryError, requestCreditNoteDelivery } from '#deliveries/deliveries'
import { BillingError } from '#billing/runs'
import { creditNoteValidator } from '#validators/billing'
import { parseDecimal } from '#lib/money'

export default class CreditNotesController {
  async store({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(creditNoteValidator)
    try {
      const { note, sending } = await issueCreditNote({
        invoiceId: Number(params.id),
        reason: input.reason,
        netMinor: input.amount ? parseDecimal(input.amount, 2) : undefined,
        userId: auth.user!.id,
      })
      // With auto_send the email goes out in the background; the scheduler retries failures.
      sending?.catch((error) =>
        logger.error({ err: error }, `sending credit note ${note.number} failed`)
      )
      session.flash(
        'success',
        sending
          ? `Credit note ${note.number} issued and being emailed to the customer`
          : `Credit note ${note.number} issued`
      )
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect(`/invoices/${params.id}`)
  }

  /** "Send credit note": queue (or re-queue a failed/stuck) email and send it now; never a second time once sent. */
  async send({ params, response, session, auth }: HttpContext) {
    const note = await CreditNote.findOrFail(params.id)
    try {
      await requestCreditNoteDelivery(note.id, auth.user!.id)
      setImmediate(() => {
        deliverDue({ creditNoteIds: [note.id] }).catch((error) =>
          logger.error({ err: error }, `sending credit note ${note.number} failed`)
        )
      })
      session.flash('success', `Credit note ${note.number} queued to send`)
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect(`/invoices/${note.invoiceId}`)
  }
}
