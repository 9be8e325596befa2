import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import { assignUnknownValidator } from '#validators/routing'
import { assignUnknown } from '#consolidation/unknown_services'
import { unknownServicesIndexProps } from '#connectors/unknown_service_views'

export default class UnknownServicesController {
  /** The reseller-level queue of identifiers no customer owns yet. */
  async index({ inertia, request }: HttpContext) {
    const search = String(request.input('q', '') ?? '')
      .trim()
      .slice(0, 100)
    const page = Number(request.input('page', 1)) || 1
    const customerId = Number(request.input('customer', 0)) || null
    return inertia.render(
      'unknown_services/index',
      await unknownServicesIndexProps({ search, page, customerId })
    )
  }

  async assign({ request, response, auth, session }: HttpContext) {
    const input = await request.validateUsing(assignUnknownValidator)
    const result = await assignUnknown(input, auth.user!.id)
    const customer = await Customer.findOrFail(result.customerId)
    session.flash(
      'success',
      `${input.identifier} now belongs to ${customer.name}: ${result.records} record(s) moved to its usage`
    )
    return response.redirect().back()
  }
}
