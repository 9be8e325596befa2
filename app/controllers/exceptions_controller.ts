import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import type { RerateSummary } from '#rating/tariffs'
import { TariffNotFoundError, TariffRuleError, saveRateFromForm } from '#rating/tariff_admin'
import { exceptionsIndexProps } from '#rating/exception_views'
import { rerateExceptions } from '#consolidation/exception_rerate'
import { rateValidator } from '#validators/tariff'

const tariffIdValidator = vine.compile(
  vine.object({ tariffId: vine.number().withoutDecimals().positive() })
)

export default class ExceptionsController {
  /** Unrated, unbilled records grouped by reason, tariff, category and leading destination digits. */
  async index({ inertia, request, session }: HttpContext) {
    const rerate = (session.flashMessages.get('rerate') as RerateSummary | undefined) ?? null
    return inertia.render(
      'exceptions/index',
      await exceptionsIndexProps(request.input('digits', 4), rerate)
    )
  }

  /** "Add a rate" from an exception group, then re-rate the customers concerned. */
  async storeRate({ request, response, session, auth }: HttpContext) {
    const { tariffId } = await request.validateUsing(tariffIdValidator)
    const input = await request.validateUsing(rateValidator)
    let saved
    try {
      saved = await saveRateFromForm(tariffId, input, auth.user!.id)
    } catch (error) {
      if (!(error instanceof TariffNotFoundError) && !(error instanceof TariffRuleError))
        throw error
      session.flash('error', error.message)
      return response.redirect('/exceptions')
    }
    let message = `Rate ${saved.fields.prefix || '(any)'} ${saved.fields.destination} added to ${saved.tariffName}`
    if (input.rerate !== false) {
      const summary = await rerateExceptions(auth.user!.id, tariffId)
      session.flash('rerate', summary)
      message += `; re-rated ${summary.records} records, ${summary.changed} changed`
    }
    session.flash('success', message)
    return response.redirect('/exceptions')
  }

  /** Re-rates every customer that has unrated unbilled records. */
  async rerate({ response, session, auth }: HttpContext) {
    const summary = await rerateExceptions(auth.user!.id)
    session.flash('rerate', summary)
    session.flash(
      'success',
      `Re-rated ${summary.records} records of ${summary.customers.length} customers: ${summary.changed} changed, ${summary.unrated} still unrated`
    )
    return response.redirect('/exceptions')
  }
}
