import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import { customerValidator } from '#validators/customer'
import { createCustomer, updateCustomer } from '#consolidation/customers'
import { customerFormProps, customersIndexProps } from '#consolidation/customer_views'
import { customerShowProps } from '#payments/customer_show_views'
import { pageQueryValidator } from '#validators/list_query'

export default class CustomersController {
  async index({ inertia, request }: HttpContext) {
    const search = String(request.input('q', '')).trim()
    const { page = 1 } = await request.validateUsing(pageQueryValidator)
    return inertia.render('customers/index', await customersIndexProps(search, page))
  }

  async create({ inertia }: HttpContext) {
    return inertia.render('customers/form', customerFormProps(null))
  }

  async store({ request, response, auth, session }: HttpContext) {
    const input = await request.validateUsing(customerValidator, { meta: { customerId: 0 } })
    const customer = await createCustomer(input, { userId: auth.user!.id })
    session.flash('success', `Customer ${customer.name} created`)
    return response.redirect(`/customers/${customer.id}`)
  }

  async show({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return inertia.render('customers/show', await customerShowProps(customer))
  }

  async edit({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return inertia.render('customers/form', customerFormProps(customer))
  }

  async update({ request, response, params, auth, session }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const input = await request.validateUsing(customerValidator, {
      meta: { customerId: customer.id },
    })
    await updateCustomer(customer, input, { userId: auth.user!.id })
    session.flash('success', 'Customer saved')
    return response.redirect(`/customers/${customer.id}`)
  }
}
