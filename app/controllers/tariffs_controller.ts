import type { HttpContext } from '@adonisjs/core/http'
import { DeckImportError } from '#rating/deck_csv'
import { TariffAssignmentError, deleteRate, type RerateSummary } from '#rating/tariffs'
import {
  TariffNotFoundError,
  TariffRuleError,
  addAllowance,
  assignTariff,
  createTariff,
  deleteTariff,
  removeAllowance,
  saveRateFromForm,
  updateTariff,
} from '#rating/tariff_admin'
import { tariffHeader, tariffIndexProps, tariffShowProps } from '#rating/tariff_views'
import { importStagedDeck, stageDeck } from '#rating/deck_upload'
import { rerateAndRefresh } from '#consolidation/usage_pipeline'
import {
  allowanceValidator,
  assignCustomerValidator,
  rateValidator,
  rerateValidator,
  tariffValidator,
} from '#validators/tariff'
import { pageQueryValidator } from '#validators/list_query'

export default class TariffsController {
  async index({ inertia }: HttpContext) {
    return inertia.render('tariffs/index', await tariffIndexProps())
  }

  async store({ request, response, auth, session }: HttpContext) {
    const input = await request.validateUsing(tariffValidator)
    try {
      const id = await createTariff(input, auth.user!.id)
      session.flash('success', `Tariff ${input.name} created`)
      return response.redirect(`/tariffs/${id}`)
    } catch (error) {
      if (!(error instanceof TariffRuleError)) throw error
      session.flash('error', error.message)
      return response.redirect().back()
    }
  }

  async update({ request, response, auth, session, params }: HttpContext) {
    if (!(await tariffHeader(Number(params.id)))) return response.notFound('No such tariff')
    const input = await request.validateUsing(tariffValidator)
    try {
      await updateTariff(Number(params.id), input, auth.user!.id)
    } catch (error) {
      if (!(error instanceof TariffRuleError)) throw error
      session.flash('error', error.message)
      return response.redirect().back()
    }
    session.flash('success', 'Tariff saved. Re-rate to apply a new markup to unbilled usage.')
    return response.redirect(`/tariffs/${params.id}`)
  }

  /** Only an unused tariff goes; one with customers, priced records or a costing connector is refused. */
  async destroy({ response, params, session, auth }: HttpContext) {
    try {
      await deleteTariff(Number(params.id), auth.user!.id)
    } catch (error) {
      if (error instanceof TariffNotFoundError) return response.notFound('No such tariff')
      if (!(error instanceof TariffRuleError)) throw error
      session.flash('error', error.message)
      return response.redirect(`/tariffs/${params.id}`)
    }
    session.flash('success', 'Tariff deleted')
    return response.redirect('/tariffs')
  }

  async show({ inertia, params, request, response, session }: HttpContext) {
    const { page = 1 } = await request.validateUsing(pageQueryValidator)
    const props = await tariffShowProps(Number(params.id), {
      search: String(request.input('q', '')).trim(),
      page,
      rerate: (session.flashMessages.get('rerate') as RerateSummary | undefined) ?? null,
    })
    if (!props) return response.notFound('No such tariff')
    return inertia.render('tariffs/show', props)
  }

  /** Step 1 of the upload: keep the file, validate every line, show the first rows and the errors. */
  async upload({ request, inertia, params, response, session }: HttpContext) {
    const tariff = await tariffHeader(Number(params.id))
    if (!tariff) return response.notFound('No such tariff')
    const file = request.file('deck', { extnames: ['csv', 'txt'], size: '200mb' })
    if (!file || !file.isValid || !file.tmpPath) {
      session.flash('error', file?.errors[0]?.message ?? 'Choose a CSV file to upload')
      return response.redirect(`/tariffs/${tariff.id}`)
    }
    return inertia.render('tariffs/preview', await stageDeck(tariff, file))
  }

  /** Step 2: import the previewed file (all or nothing), optionally re-rate. */
  async import({ request, response, params, session, auth }: HttpContext) {
    const tariff = await tariffHeader(Number(params.id))
    if (!tariff) return response.notFound('No such tariff')
    const fileName = String(request.input('fileName', 'upload.csv')).slice(0, 200)
    try {
      const staged = {
        token: String(request.input('token', '')),
        fileName,
        replace: Boolean(request.input('replace')),
      }
      const result = await importStagedDeck(tariff.id, staged, auth.user!.id)
      if (!result) {
        session.flash('error', 'The upload has expired; upload the file again')
        return response.redirect(`/tariffs/${tariff.id}`)
      }
      session.flash(
        'success',
        `${result.rates} rates imported from ${fileName}: ${result.inserted} new, ${result.updated} updated${result.removed ? `, ${result.removed} removed` : ''}`
      )
      if (request.input('rerate'))
        session.flash('rerate', await rerateAndRefresh({ tariffId: tariff.id }, auth.user!.id))
    } catch (error) {
      if (!(error instanceof DeckImportError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect(`/tariffs/${tariff.id}`)
  }

  async storeRate({ request, response, params, session, auth }: HttpContext) {
    if (!(await tariffHeader(Number(params.id)))) return response.notFound('No such tariff')
    const input = await request.validateUsing(rateValidator)
    try {
      const { fields } = await saveRateFromForm(Number(params.id), input, auth.user!.id)
      session.flash('success', `Rate ${fields.prefix || '(any)'} ${fields.destination} saved`)
    } catch (error) {
      if (!(error instanceof TariffRuleError)) throw error
      session.flash('error', error.message)
      return response.redirect().back()
    }
    if (input.rerate)
      session.flash(
        'rerate',
        await rerateAndRefresh({ tariffId: Number(params.id) }, auth.user!.id)
      )
    return response.redirect().back()
  }

  async destroyRate({ response, params, session, auth }: HttpContext) {
    const removed = await deleteRate(Number(params.id), Number(params.rateId), auth.user!.id)
    session.flash(removed ? 'success' : 'error', removed ? 'Rate removed' : 'No such rate')
    return response.redirect().back()
  }

  async storeAllowance({ request, response, params, session, auth }: HttpContext) {
    if (!(await tariffHeader(Number(params.id)))) return response.notFound('No such tariff')
    const input = await request.validateUsing(allowanceValidator)
    try {
      await addAllowance(Number(params.id), input, auth.user!.id)
    } catch (error) {
      if (!(error instanceof TariffNotFoundError)) throw error
      return response.notFound('No such tariff')
    }
    session.flash(
      'success',
      `Allowance ${input.name} added. Re-rate to apply it to unbilled usage.`
    )
    return response.redirect(`/tariffs/${params.id}`)
  }

  async destroyAllowance({ response, params, session, auth }: HttpContext) {
    if (!(await removeAllowance(Number(params.id), Number(params.allowanceId), auth.user!.id)))
      return response.notFound('No such allowance')
    session.flash('success', 'Allowance removed')
    return response.redirect(`/tariffs/${params.id}`)
  }

  async assign({ request, response, params, session, auth }: HttpContext) {
    if (!(await tariffHeader(Number(params.id)))) return response.notFound('No such tariff')
    const input = await request.validateUsing(assignCustomerValidator)
    try {
      const names = await assignTariff(
        Number(params.id),
        input.customerId,
        input.startsOn,
        auth.user!.id
      )
      session.flash(
        'success',
        `${names.customerName} is on ${names.tariffName} from ${input.startsOn}. Re-rate to price unbilled usage with it.`
      )
    } catch (error) {
      if (error instanceof TariffRuleError) session.flash('error', error.message)
      else if (error instanceof TariffAssignmentError)
        session.flashErrors({ customerId: error.message })
      else throw error
    }
    return response.redirect().back()
  }

  async rerate({ request, response, params, session, auth }: HttpContext) {
    if (!(await tariffHeader(Number(params.id)))) return response.notFound('No such tariff')
    const input = await request.validateUsing(rerateValidator)
    const summary = await rerateAndRefresh(
      {
        tariffId: Number(params.id),
        period: input.period,
        customerIds: input.customerId ? [input.customerId] : undefined,
      },
      auth.user!.id
    )
    session.flash('rerate', summary)
    session.flash(
      'success',
      `Re-rated ${summary.records} unbilled records: ${summary.changed} changed`
    )
    return response.redirect(`/tariffs/${params.id}`)
  }
}
