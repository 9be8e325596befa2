import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import { rerateCsv } from '#rating/rerate_history'
import { rerateChangesView, rerateIndexProps, rerateShowProps } from '#rating/rerate_views'
import { rerateListValidator, rerateChangesValidator } from '#validators/rerates'

/** Re-rating history: every re-rate, and per re-rate what changed (filters, CSV). */
export default class ReratesController {
  async index({ request, inertia }: HttpContext) {
    const input = await request.validateUsing(rerateListValidator, { data: request.qs() })
    return inertia.render('rerates/index', await rerateIndexProps(input.customer))
  }

  async show({ params, request, inertia, response }: HttpContext) {
    const input = await request.validateUsing(rerateChangesValidator, { data: request.qs() })
    const filter = { destination: input.destination, reason: input.reason }
    const data = await rerateChangesView(Number(params.id), filter)
    if (!data) return response.notFound('No such re-rate')
    if (input.format === 'csv') {
      return sendDownload(response, {
        filename: `rerate-${data.rerate.id}.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: rerateCsv(data),
      })
    }
    return inertia.render('rerates/show', rerateShowProps(data, filter))
  }
}
