import type { HttpContext } from '@adonisjs/core/http'
import { pageMeta } from '#lib/db_helpers'
import { accountSummary } from '#payments/views'
import Customer from '#models/customer'
import { customerValidator } from '#validators/customer'
import { formatScaled } from '#lib/money'
import { customerAliases } from '#consolidation/account_aliases'
import { unbilledUsageOf } from '#consolidation/unknown_services'
import { money } from '#consolidation/queries'
import {
  createCustomer,
  customerCounts,
  customerPage,
  updateCustomer,
} from '#consolidation/customers'
import { pageQueryValidator } from '#validators/list_query'

function toForm(customer: Customer) {
  return {
    ...customer.serialize(),
    taxRate: formatScaled(customer.taxRateBp, 2).replace(/\.00$/, ''),
  }
}

export default class CustomersController {
  async index({ inertia, request }: HttpContext) {
    const search = String(request.input('q', '')).trim()
    const { page = 1 } = await request.validateUsing(pageQueryValidator)
    const customers = await customerPage(search, page, 50)
    return inertia.render('customers/index', {
      search,
      customers: customers
        .all()
        .map((c) => ({ ...c.serialize(), employeeCount: Number(c.$extras.employees_count) })),
      meta: pageMeta(customers),
    })
  }

  async create({ inertia }: HttpContext) {
    return inertia.render('customers/form', { customer: null })
  }

  async store({ request, response, auth, session }: HttpContext) {
    const input = await request.validateUsing(customerValidator, { meta: { customerId: 0 } })
    const customer = await createCustomer(input, { userId: auth.user!.id })
    session.flash('success', `Customer ${customer.name} created`)
    return response.redirect(`/customers/${customer.id}`)
  }

  async show({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return inertia.render('customers/show', {
      customer: toForm(customer),
      counts: await customerCounts(customer.id),
      accountAliases: () => customerAliases(customer.id),
      unbilled: async () => {
        const u = await unbilledUsageOf(customer)
        return { records: u.records, price: money(u.priceE4, u.currency) }
      },
      account: await accountSummary(customer.id),
    })
  }

  async edit({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return inertia.render('customers/form', { customer: toForm(customer) })
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
