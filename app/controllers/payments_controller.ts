import type { HttpContext } from '@adonisjs/core/http'
import { allocatePayment, recordPayment } from '#payments/payments'
import { PaymentError, flashPaymentError } from '#payments/errors'
import { paymentIndexProps, paymentNewProps, paymentShowProps } from '#payments/views'
import { allocateValidator, recordPaymentValidator } from '#validators/payments'

const toAllocations = (rows?: { invoiceId: number; amount?: number }[]) =>
  (rows ?? [])
    .filter((r) => r.amount)
    .map((r) => ({ invoiceId: r.invoiceId, amountMinor: r.amount! }))

export default class PaymentsController {
  async index({ inertia, request }: HttpContext) {
    const customerId = Number(request.input('customer')) || null
    return inertia.render('payments/index', await paymentIndexProps(customerId))
  }

  async create({ inertia, request }: HttpContext) {
    const customerId = Number(request.input('customer')) || null
    return inertia.render('payments/new', await paymentNewProps(customerId))
  }

  async store({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(recordPaymentValidator)
    try {
      const payment = await recordPayment({
        ...input,
        amountMinor: input.amount,
        allocations: toAllocations(input.allocations),
        userId: auth.user!.id,
      })
      session.flash('success', 'Payment recorded')
      return response.redirect(`/payments/${payment.id}`)
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      flashPaymentError(session, error)
      session.flashAll()
      return response.redirect().back()
    }
  }

  async show({ inertia, params }: HttpContext) {
    return inertia.render('payments/show', await paymentShowProps(Number(params.id)))
  }

  async allocate({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(allocateValidator)
    try {
      const result = await allocatePayment(
        Number(params.id),
        toAllocations(input.allocations),
        auth.user!.id
      )
      session.flash(
        'success',
        result.leftMinor
          ? 'Allocated; the rest stays as credit on the account'
          : 'Allocated in full'
      )
    } catch (error) {
      if (!(error instanceof PaymentError)) throw error
      flashPaymentError(session, error)
    }
    return response.redirect(`/payments/${params.id}`)
  }
}
