import type { HttpContext } from '@adonisjs/core/http'
import { accountingExportPage } from '#accounting/views'
import { exportAccounts } from '#accounting/export'
import { AccountingError } from '#accounting/errors'
import type { Selection } from '#accounting/documents'
import { accountsExportValidator, accountsSelectionValidator } from '#validators/accounting'

const selectionOf = (input: { runId?: number; from?: string; to?: string }): Selection =>
  input.runId ? { runId: input.runId } : { from: input.from!, to: input.to! }

export default class AccountingExportsController {
  async index({ inertia, request }: HttpContext) {
    const query = request.qs()
    const chosen =
      query.runId || query.from || query.to
        ? selectionOf(await accountsSelectionValidator.validate(query))
        : null
    return inertia.render('accounting/export', await accountingExportPage(chosen))
  }

  async download({ request, response, session }: HttpContext) {
    const input = await accountsExportValidator.validate(request.qs())
    try {
      const file = await exportAccounts(input.product, input.file, selectionOf(input))
      response.header('Content-Type', 'text/csv; charset=utf-8')
      response.attachment(file.filename)
      return response.send(file.csv)
    } catch (error) {
      if (!(error instanceof AccountingError)) throw error
      session.flash('error', error.message)
      return response.redirect().back()
    }
  }
}
