import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import { resendDelivery, deliverDue, filterFor } from '#deliveries/deliveries'
import { deliveriesIndexProps } from '#deliveries/delivery_list'
import Delivery from '#models/delivery'

export default class DeliveriesController {
  async index({ inertia, request }: HttpContext) {
    const status = String(request.input('status', ''))
    const type = String(request.input('type', ''))
    // Invoices and credit notes in one list: a credit note's row names the credit note and links to its invoice.
    return inertia.render('deliveries/index', await deliveriesIndexProps(status, type))
  }

  async resend({ params, response, session, auth }: HttpContext) {
    try {
      await resendDelivery(Number(params.id), auth.user!.id)
      const delivery = await Delivery.findOrFail(params.id)
      setImmediate(() => {
        deliverDue(filterFor(delivery)).catch((error) =>
          logger.error({ err: error }, 'resend failed')
        )
      })
      session.flash('success', 'Queued to send again')
    } catch (error: any) {
      session.flash('error', error.message)
    }
    return response.redirect().back()
  }
}
