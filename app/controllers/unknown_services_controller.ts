import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import Employee from '#models/employee'
import { assignUnknownValidator } from '#validators/routing'
import { assignUnknown, listUnknownServices } from '#consolidation/unknown_services'
import { localTime, money } from '#consolidation/queries'
import { RESELLER_TIME_ZONE } from '#connectors/types'

export default class UnknownServicesController {
  /** The reseller-level queue of identifiers no customer owns yet. */
  async index({ inertia, request }: HttpContext) {
    const search = String(request.input('q', '') ?? '')
      .trim()
      .slice(0, 100)
    const page = Number(request.input('page', 1)) || 1
    const customerId = Number(request.input('customer', 0)) || null
    const queue = await listUnknownServices({ page, search })
    return inertia.render('unknown_services/index', {
      search,
      timeZone: RESELLER_TIME_ZONE,
      rows: queue.rows.map((r) => ({
        ...r,
        cost: r.costE4 === null ? null : money(r.costE4),
        firstSeen: localTime(r.firstSeen, RESELLER_TIME_ZONE),
        lastSeen: localTime(r.lastSeen, RESELLER_TIME_ZONE),
        firstDate: DateTime.fromSQL(r.firstSeen, { zone: 'utc' })
          .setZone(RESELLER_TIME_ZONE)
          .toISODate(),
      })),
      meta: queue.meta,
      totals: queue.totals,
      customers: async () =>
        (await Customer.query().orderBy('name').select('id', 'name', 'account_number')).map(
          (c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber })
        ),
      // The employees of the customer chosen in the assign form (partial reload).
      employees: async () =>
        customerId
          ? (
              await Employee.query()
                .where('customer_id', customerId)
                .where('active', true)
                .orderBy('name')
                .select('id', 'name')
            ).map((e) => ({ id: e.id, name: e.name }))
          : [],
    })
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
