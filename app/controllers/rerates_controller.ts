import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import Customer from '#models/customer'
import { rerateList, rerateChanges, rerateCsv, CHANGE_REASON_LABELS } from '#rating/rerate_history'
import { rerateListValidator, rerateChangesValidator } from '#validators/rerates'

/** Re-rating history: every re-rate, and per re-rate what changed (filters, CSV). */
export default class ReratesController {
  async index({ request, inertia }: HttpContext) {
    const input = await request.validateUsing(rerateListValidator, { data: request.qs() })
    const customers = await Customer.query()
      .orderBy('account_number')
      .select('id', 'name', 'account_number')
    return inertia.render('rerates/index', {
      rerates: await rerateList({ customerId: input.customer }),
      customers: customers.map((c) => ({ id: c.id, label: `${c.accountNumber} — ${c.name}` })),
      customer: input.customer ?? null,
    })
  }

  async show({ params, request, inertia, response }: HttpContext) {
    const input = await request.validateUsing(rerateChangesValidator, { data: request.qs() })
    const data = await rerateChanges(Number(params.id), {
      destination: input.destination,
      reason: input.reason,
    })
    if (!data) return response.notFound('No such re-rate')
    if (input.format === 'csv') {
      return sendDownload(response, {
        filename: `rerate-${data.rerate.id}.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: rerateCsv(data),
      })
    }
    return inertia.render('rerates/show', {
      ...data,
      filters: { destination: input.destination ?? '', reason: input.reason ?? '' },
      reasons: CHANGE_REASON_LABELS,
    })
  }
}
