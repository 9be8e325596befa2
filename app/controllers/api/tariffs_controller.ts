import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import Tariff from '#models/tariff'
import Rate from '#models/rate'
import { rateValidator, tariffValidator } from '#validators/tariff'
import {
  createTariff,
  deleteTariff,
  rateFieldsFrom,
  TariffNotFoundError,
  TariffRuleError,
  updateTariff,
} from '#rating/tariff_admin'
import { apiSearchValidator } from '#validators/api'
import { deleteRate, importDeck, saveRate } from '#rating/tariffs'
import { DeckImportError } from '#rating/deck_csv'
import { rerateAndRefresh } from '#consolidation/usage_pipeline'
import { rateJson, ratePage, tariffJson, tariffPage } from '#api/rating_resources'
import { actorOf, paging, unprocessable } from '#controllers/api/helpers'

const deckValidator = vine.compile(
  vine.object({
    file: vine.file({ size: '50mb', extnames: ['csv', 'txt'] }),
    replace: vine.boolean().optional(),
    rerate: vine.boolean().optional(),
  })
)

/** The tariff write functions' refusals as the API answers them (404, 422 naming the field). */
async function tariffWrite<T>(response: HttpContext['response'], write: () => Promise<T>) {
  try {
    return await write()
  } catch (error) {
    if (error instanceof TariffNotFoundError)
      return response.notFound({ errors: [{ message: error.message }] })
    if (error instanceof TariffRuleError) return unprocessable(response, error.field, error.message)
    throw error
  }
}

/** Tariffs and their rates (read, write, deck upload) through the functions the tariff pages use. */
export default class ApiTariffsController {
  async index({ request }: HttpContext) {
    const input = await request.validateUsing(apiSearchValidator, { data: request.qs() })
    return tariffPage({ ...paging(input), search: input.search })
  }

  async show({ params }: HttpContext) {
    return { data: tariffJson(await Tariff.findOrFail(params.id)) }
  }

  async store({ request, response, auth }: HttpContext) {
    const input = await request.validateUsing(tariffValidator)
    return tariffWrite(response, async () => {
      const id = await createTariff(input, actorOf(auth).userId)
      return response.created({ data: tariffJson(await Tariff.findOrFail(id)) })
    })
  }

  async update({ request, response, params, auth }: HttpContext) {
    const input = await request.validateUsing(tariffValidator)
    return tariffWrite(response, async () => {
      await updateTariff(Number(params.id), input, actorOf(auth).userId)
      return { data: tariffJson(await Tariff.findOrFail(params.id)) }
    })
  }

  async destroy({ response, params, auth }: HttpContext) {
    return tariffWrite(response, async () => {
      await deleteTariff(Number(params.id), actorOf(auth).userId)
      return response.noContent()
    })
  }

  async rates({ request, params }: HttpContext) {
    const tariff = await Tariff.findOrFail(params.id)
    const input = await request.validateUsing(apiSearchValidator, { data: request.qs() })
    return ratePage(tariff, { ...paging(input), search: input.search })
  }

  async storeRate({ request, response, params, auth }: HttpContext) {
    const tariff = await Tariff.findOrFail(params.id)
    const input = await request.validateUsing(rateValidator)
    const fields = rateFieldsFrom(input)
    if (fields.prefix === '' && !['data', 'sms'].includes(fields.category)) {
      return unprocessable(response, 'prefix', 'Only data and sms rates may leave the prefix empty')
    }
    const { userId } = actorOf(auth)
    const rateId = await saveRate(tariff.id, fields, userId)
    const rerate = input.rerate ? await rerateAndRefresh({ tariffId: tariff.id }, userId) : null
    return response.created({
      data: rateJson(await Rate.findOrFail(rateId), tariff.currency),
      rerate,
    })
  }

  async destroyRate({ params, response, auth }: HttpContext) {
    const tariff = await Tariff.findOrFail(params.id)
    const removed = await deleteRate(tariff.id, Number(params.rateId), actorOf(auth).userId)
    return removed
      ? response.noContent()
      : response.notFound({ errors: [{ message: 'No such rate in this tariff' }] })
  }

  /** A rate deck CSV, all or nothing: a bad line is a 422 naming the file, line and field. */
  async importDeck({ request, response, params, auth }: HttpContext) {
    const tariff = await Tariff.findOrFail(params.id)
    const input = await request.validateUsing(deckValidator)
    const { userId } = actorOf(auth)
    try {
      const result = await importDeck({
        path: input.file.tmpPath!,
        displayName: input.file.clientName,
        tariffId: tariff.id,
        replace: Boolean(input.replace),
        userId,
      })
      const rerate = input.rerate ? await rerateAndRefresh({ tariffId: tariff.id }, userId) : null
      return {
        data: {
          tariffId: tariff.id,
          rates: result.rates,
          inserted: result.inserted,
          updated: result.updated,
          removed: result.removed,
        },
        rerate,
      }
    } catch (error) {
      if (!(error instanceof DeckImportError)) throw error
      const errors = error.errors.length
        ? error.errors.map((e) => ({
            field: e.field,
            line: e.line,
            message: `${error.file} line ${e.line}, field ${e.field}: ${e.message}`,
            rule: 'deck',
          }))
        : [{ field: 'file', line: null, message: error.message, rule: 'deck' }]
      return response.unprocessableEntity({ errors })
    }
  }
}
