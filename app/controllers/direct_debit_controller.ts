import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import {
  completeRedirectFlow,
  enterMandate,
  startRedirectFlow,
} from '#payments/gocardless_mandates'
import { PaymentError, flashPaymentError } from '#payments/errors'

const mandateValidator = vine.compile(
  vine.object({ mandateId: vine.string().trim().maxLength(64) })
)
const completeValidator = vine.compile(
  vine.object({ redirect_flow_id: vine.string().trim().maxLength(64) })
)

/** A customer's Direct Debit mandate: from an existing GoCardless mandate id, or through GoCardless's hosted pages. */
export default class DirectDebitController {
  async enter({ params, request, response, session, auth }: HttpContext) {
    const { mandateId } = await request.validateUsing(mandateValidator)
    try {
      const id = await enterMandate(Number(params.id), mandateId, auth.user!.id)
      session.flash(
        'success',
        `Mandate ${id} is active: invoices are collected by Direct Debit on their due date`
      )
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      flashPaymentError(session, error)
    }
    return response.redirect(`/customers/${params.id}/account`)
  }

  async start({ params, request, response, session, auth, inertia }: HttpContext) {
    try {
      const back = `${request.protocol()}://${request.host()}/customers/${params.id}/direct-debit/complete`
      // GoCardless's page is another site: a full-page visit, not an Inertia request.
      return inertia.location(await startRedirectFlow(Number(params.id), back, auth.user!.id))
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      flashPaymentError(session, error)
      return response.redirect(`/customers/${params.id}/account`)
    }
  }

  async complete({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(completeValidator, { data: request.qs() })
    try {
      const id = await completeRedirectFlow(
        Number(params.id),
        input.redirect_flow_id,
        auth.user!.id
      )
      session.flash('success', `Mandate ${id} set up through GoCardless`)
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      flashPaymentError(session, error)
    }
    return response.redirect(`/customers/${params.id}/account`)
  }
}
