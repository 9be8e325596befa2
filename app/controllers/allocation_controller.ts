import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import { allocationShowProps } from '#consolidation/allocation_views'

/** How much of a customer's cost is tied to a person, month by month. */
export default class AllocationController {
  async show({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return inertia.render('allocation/show', await allocationShowProps(customer))
  }
}
