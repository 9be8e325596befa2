import type { HttpContext } from '@adonisjs/core/http'
import { accountingSettingsPage } from '#accounting/views'
import { saveAccountingSettings } from '#accounting/settings'
import { AccountingError } from '#accounting/errors'
import { parseDecimal } from '#lib/money'
import { accountingSettingsValidator } from '#validators/accounting'

export default class AccountingSettingsController {
  async show({ inertia }: HttpContext) {
    return inertia.render('accounting/settings', await accountingSettingsPage())
  }

  async update({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(accountingSettingsValidator)
    try {
      await saveAccountingSettings(
        {
          accounts: input.accounts,
          taxes: input.taxes.map((t) => ({
            rateBp: parseDecimal(t.rate, 2),
            xero: t.xero,
            sage: t.sage,
            quickbooks: t.quickbooks,
          })),
          sageBankNominal: input.sageBankNominal,
        },
        auth.user!.id
      )
      session.flash('success', 'Account and tax codes saved')
    } catch (error) {
      if (!(error instanceof AccountingError)) throw error
      session.flash('error', error.message)
      session.flashErrors({ [error.field ?? 'accounts']: error.message })
    }
    return response.redirect('/accounting/settings')
  }
}
