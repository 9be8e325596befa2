import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import { customerValidator } from '#validators/customer'
import { apiSearchValidator } from '#validators/api'
import { createCustomer, customerPage, updateCustomer } from '#consolidation/customers'
import { customerJson } from '#api/consolidation_resources'
import { pageOf } from '#api/pagination'
import { actorOf, paging } from '#controllers/api/helpers'

export default class ApiCustomersController {
  async index({ request }: HttpContext) {
    const input = await request.validateUsing(apiSearchValidator, { data: request.qs() })
    const { page, perPage } = paging(input)
    return pageOf(await customerPage(input.search ?? '', page, perPage), customerJson)
  }

  async show({ params }: HttpContext) {
    return { data: customerJson(await Customer.findOrFail(params.id)) }
  }

  async store({ request, response, auth }: HttpContext) {
    const input = await request.validateUsing(customerValidator, { meta: { customerId: 0 } })
    const customer = await createCustomer(input, actorOf(auth))
    return response.created({ data: customerJson(customer) })
  }

  async update({ request, params, auth }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(customerValidator, {
      meta: { customerId: customer.id },
    })
    return { data: customerJson(await updateCustomer(customer, input, actorOf(auth))) }
  }
}
