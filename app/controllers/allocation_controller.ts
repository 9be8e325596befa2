import type { HttpContext } from '@adonisjs/core/http'
import Customer from '#models/customer'
import { allocationHealth, departmentTotals } from '#consolidation/queries'
import { unallocatedIdentifiers } from '#consolidation/unallocated'
import { formatMoney } from '#lib/money'
import { money } from '#consolidation/queries'

/** How much of a customer's cost is tied to a person, month by month. */
export default class AllocationController {
  async show({ inertia, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const months = await allocationHealth(customer.id, customer.currency)
    const latest = months[0]?.period ?? null
    const top = await unallocatedIdentifiers(customer.id, { limit: 10 })
    return inertia.render('allocation/show', {
      customer: { id: customer.id, name: customer.name },
      months,
      latest,
      departments: latest ? await departmentTotals(customer.id, latest, customer.currency) : [],
      topUnallocated: top.map((t) => ({
        identifier: t.identifier,
        records: t.records,
        cost: money(t.costE4, customer.currency),
        price: formatMoney(t.priceMinor, customer.currency),
      })),
    })
  }
}
