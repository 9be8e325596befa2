import type { HttpContext } from '@adonisjs/core/http'
import { agedDebtExport } from '#payments/aged_debt'
import { agedCustomerProps, agedDebtProps } from '#payments/aged_debt_view'
import { exportFormat, sendExport } from '#insights/export'

export default class AgedDebtController {
  async index({ inertia }: HttpContext) {
    return inertia.render('payments/aged_debt', await agedDebtProps())
  }

  async export({ request, response }: HttpContext) {
    const format = exportFormat(request.input('format'))
    if (!format) return response.badRequest('format must be csv or xlsx')
    const { name, tables } = await agedDebtExport()
    return sendExport(response, format, name, tables)
  }

  async customer({ inertia, params }: HttpContext) {
    return inertia.render('payments/aged_customer', await agedCustomerProps(Number(params.id)))
  }
}
