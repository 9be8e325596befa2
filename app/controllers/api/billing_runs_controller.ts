import type { HttpContext } from '@adonisjs/core/http'
import BillingRun from '#models/billing_run'
import Invoice from '#models/invoice'
import { BillingError, createRun } from '#billing/runs'
import { apiFinalizeValidator, apiRunValidator, apiRunsQueryValidator } from '#validators/api'
import { runJson, runPage } from '#api/billing_resources'
import { finalizeRunFromApi } from '#api/billing_actions'
import { actorOf, paging } from '#controllers/api/helpers'
import { billingRefusal } from '#controllers/api/billing_errors'

/** Billing runs: list, read, create a draft, finalize — the functions the billing pages use. */
export default class ApiBillingRunsController {
  async index({ request }: HttpContext) {
    const input = await request.validateUsing(apiRunsQueryValidator, { data: request.qs() })
    return runPage({ ...paging(input), period: input.period, status: input.status })
  }

  async show({ params }: HttpContext) {
    const run = await BillingRun.findOrFail(params.id)
    const invoices = await Invoice.query().where('billing_run_id', run.id).orderBy('id')
    return { data: runJson(run, invoices) }
  }

  async store({ request, response, auth }: HttpContext) {
    const input = await request.validateUsing(apiRunValidator)
    try {
      const { run, invoices, skipped } = await createRun({
        period: input.period,
        customerIds: input.customerIds?.length ? input.customerIds : null,
        userId: actorOf(auth).userId,
        openPeriod: Boolean(input.openPeriod),
      })
      return response.created({ data: runJson(run, invoices), skipped })
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      return billingRefusal(response, error)
    }
  }

  async finalize({ request, response, params, auth }: HttpContext) {
    const run = await BillingRun.findOrFail(params.id)
    const input = await request.validateUsing(apiFinalizeValidator)
    try {
      const result = await finalizeRunFromApi(run.id, { ...input, userId: actorOf(auth).userId })
      return { data: runJson(result.run, result.invoices) }
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      return billingRefusal(response, error)
    }
  }
}
