import type { HttpContext } from '@adonisjs/core/http'
import Payment from '#models/payment'
import { recordPayment } from '#payments/payments'
import { PaymentError } from '#payments/errors'
import { recordPaymentValidator } from '#validators/payments'
import { apiPaymentsQueryValidator } from '#validators/api'
import { paymentJson, paymentPage } from '#api/billing_resources'
import { actorOf, paging, unprocessable } from '#controllers/api/helpers'

const toAllocations = (rows?: { invoiceId: number; amount?: number }[]) =>
  (rows ?? [])
    .filter((r) => r.amount)
    .map((r) => ({ invoiceId: r.invoiceId, amountMinor: r.amount! }))

/** Payments received: list, read, record (with allocations to invoices), as the payments pages do. */
export default class ApiPaymentsController {
  async index({ request }: HttpContext) {
    const input = await request.validateUsing(apiPaymentsQueryValidator, { data: request.qs() })
    return paymentPage({ ...paging(input), customerId: input.customerId })
  }

  async show({ params }: HttpContext) {
    return { data: paymentJson(await Payment.findOrFail(params.id)) }
  }

  async store({ request, response, auth }: HttpContext) {
    const input = await request.validateUsing(recordPaymentValidator)
    try {
      const payment = await recordPayment({
        ...input,
        amountMinor: input.amount,
        allocations: toAllocations(input.allocations),
        userId: actorOf(auth).userId,
      })
      return response.created({ data: paymentJson(payment) })
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      if (error.kind === 'not_found')
        return response.notFound({ errors: [{ field: error.field, message: error.message }] })
      return unprocessable(response, error.field, error.message)
    }
  }
}
