import type { HttpContext } from '@adonisjs/core/http'
import { accountSummary } from '#payments/views'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { customerValidator } from '#validators/customer'
import { normaliseVatNumber } from '#lib/vat_number'
import { formatScaled, parseDecimal } from '#lib/money'
import { customerAliases } from '#consolidation/account_aliases'
import { unbilledUsageOf } from '#consolidation/unknown_services'
import { money } from '#consolidation/queries'
import { audit } from '#lib/audit'
import { pageQueryValidator } from '#validators/list_query'

type CustomerInput = Awaited<ReturnType<typeof customerValidator.validate>>

function toAttributes(input: CustomerInput) {
  return {
    accountNumber: input.accountNumber,
    name: input.name,
    billingEmail: input.billingEmail ?? null,
    billingContacts: input.billingContacts ?? null,
    address: input.address ?? null,
    vatNumber: input.vatNumber ? normaliseVatNumber(input.vatNumber) : null,
    taxRateBp: parseDecimal(input.taxRate, 2),
    currency: input.currency,
    timeZone: input.timeZone,
    paymentTermsDays: input.paymentTermsDays,
    billDay: input.billDay,
    recurringBilling: input.recurringBilling,
    itemiseCalls: Boolean(input.itemiseCalls),
  }
}

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
    const customers = await Customer.query()
      .if(search, (q) => q.where((w) => w.whereILike('name', `%${search}%`).orWhereILike('account_number', `%${search}%`)))
      .withCount('employees')
      .orderBy('name')
      .paginate(page, 50)
    return inertia.render('customers/index', {
      search,
      customers: customers.all().map((c) => ({ ...c.serialize(), employeeCount: Number(c.$extras.employees_count) })),
      meta: customers.getMeta(),
    })
  }

  async create({ inertia }: HttpContext) {
    return inertia.render('customers/form', { customer: null })
  }

  async store({ request, response, auth, session }: HttpContext) {
    const input = await request.validateUsing(customerValidator, { meta: { customerId: 0 } })
    const customer = await db.transaction(async (trx) => {
      const created = await Customer.create(toAttributes(input), { client: trx })
      await audit({ userId: auth.user!.id, action: 'customer.created', subjectType: 'customer', subjectId: created.id, changes: created.serialize() }, trx)
      return created
    })
    session.flash('success', `Customer ${customer.name} created`)
    return response.redirect(`/customers/${customer.id}`)
  }

  async show({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const count = async (table: string) =>
      Number((await db.from(table).where('customer_id', customer.id).count('* as n').first())?.n ?? 0)
    const [employees, services, departments, invoices] = await Promise.all([
      count('employees'),
      count('services'),
      count('departments'),
      count('invoices'),
    ])
    return inertia.render('customers/show', {
      customer: toForm(customer),
      counts: { employees, services, departments, invoices },
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
    const input = await request.validateUsing(customerValidator, { meta: { customerId: customer.id } })
    await db.transaction(async (trx) => {
      customer.useTransaction(trx)
      customer.merge(toAttributes(input))
      const changes = customer.$dirty
      await customer.save()
      await audit({ userId: auth.user!.id, action: 'customer.updated', subjectType: 'customer', subjectId: customer.id, changes }, trx)
    })
    session.flash('success', 'Customer saved')
    return response.redirect(`/customers/${customer.id}`)
  }
}
