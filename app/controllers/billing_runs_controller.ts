import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import BillingRun from '#models/billing_run'
import { createRun, finalizeRun, regenerateRun, cancelRun, BillingError } from '#billing/runs'
import { queueDeliveries, deliverDue } from '#deliveries/deliveries'
import { storeInvoicePdfs } from '#documents/invoice_pdf'
import {
  createRunValidator,
  finalizeRunValidator,
  acknowledgeFlagsValidator,
  guardSettingsValidator,
} from '#validators/billing'
import { guardSettingsView, updateGuardSettings } from '#billing/guard_settings_admin'
import { acknowledgeFlags, FlagError } from '#billing/flags'
import { billingRunsIndexProps } from '#billing/run_list'
import { runNewProps, runShowProps } from '#billing/run_views'
import { findAnomalies } from '#insights/anomalies'

/** A failing anomaly check leaves the review without anomalies rather than failing the page. */
async function anomaliesFor(customerId: number, period: string) {
  try {
    return await findAnomalies(customerId, period)
  } catch (error) {
    logger.warn({ err: error }, 'anomalies unavailable')
    return []
  }
}

export default class BillingRunsController {
  async index({ inertia }: HttpContext) {
    return inertia.render('billing/index', await billingRunsIndexProps())
  }

  async create({ inertia }: HttpContext) {
    return inertia.render('billing/new', await runNewProps())
  }

  async store({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(createRunValidator)
    try {
      const { run, invoices, skipped } = await createRun({
        period: input.period,
        customerIds: input.customerIds?.length ? input.customerIds : null,
        userId: auth.user!.id,
        openPeriod: Boolean(input.openPeriod),
      })
      session.flash(
        'success',
        `Draft run #${run.id}: ${invoices.length} invoices${skipped.length ? `, ${skipped.length} customers skipped` : ''}`
      )
      return response.redirect(`/billing-runs/${run.id}`)
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      session.flash('error', error.message)
      return response.redirect().back()
    }
  }

  async show({ params, inertia }: HttpContext) {
    return inertia.render('billing/show', await runShowProps(Number(params.id), anomaliesFor))
  }

  async regenerate({ params, response, session, auth }: HttpContext) {
    return this.act(session, response, Number(params.id), async () => {
      const r = await regenerateRun(Number(params.id), auth.user!.id)
      return `Regenerated: ${r.invoices.length} invoices`
    })
  }

  async finalize({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(finalizeRunValidator)
    return this.act(session, response, Number(params.id), async () => {
      const { invoices } = await finalizeRun(Number(params.id), {
        userId: auth.user!.id,
        allowUnrated: Boolean(input.allowUnrated),
        holdFlagged: true,
      })
      // PDFs are made after the commit, in the background of this process.
      setImmediate(() => {
        storeInvoicePdfs(invoices.map((i) => i.id)).catch((error) =>
          logger.error({ err: error }, 'invoice PDFs failed')
        )
      })
      return `Finalized ${invoices.length} invoices: ${invoices.map((i) => i.number).join(', ')}`
    })
  }

  async acknowledge({ params, request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(acknowledgeFlagsValidator)
    try {
      const { acknowledged } = await acknowledgeFlags(
        Number(params.invoiceId),
        input.reason,
        auth.user!.id
      )
      session.flash('success', `${acknowledged} flag${acknowledged === 1 ? '' : 's'} acknowledged`)
    } catch (error) {
      if (!(error instanceof FlagError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect(`/billing-runs/${params.id}`)
  }

  /** Billing guards: change band, margin drop, bill-shock thresholds, customers alerted too. */
  async guards({ inertia }: HttpContext) {
    return inertia.render('billing/guards', { settings: await guardSettingsView() })
  }

  async saveGuards({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(guardSettingsValidator)
    await updateGuardSettings(
      { ...input, notifyCustomerIds: input.notifyCustomerIds ?? [] },
      auth.user!.id
    )
    session.flash('success', 'Billing guards saved')
    return response.redirect('/billing-runs/guards')
  }

  async cancel({ params, response, session, auth }: HttpContext) {
    return this.act(session, response, Number(params.id), async () => {
      await cancelRun(Number(params.id), auth.user!.id)
      return 'Run cancelled; its draft invoices were deleted'
    })
  }

  async send({ params, response, session, auth }: HttpContext) {
    return this.act(session, response, Number(params.id), async () => {
      const run = await BillingRun.findOrFail(params.id)
      if (run.status !== 'finalized')
        throw new BillingError('Finalize the run before sending it', 'state')
      const queued = await queueDeliveries({ runId: run.id })
      const { audit } = await import('#lib/audit')
      await audit({
        userId: auth.user!.id,
        action: 'billing_run.send',
        subjectType: 'billing_run',
        subjectId: run.id,
        changes: queued as any,
      })
      const { default: Invoice } = await import('#models/invoice')
      const ids = (await Invoice.query().where('billing_run_id', run.id).select('id')).map(
        (i) => i.id
      )
      setImmediate(() => {
        deliverDue({ invoiceIds: ids }).catch((error) =>
          logger.error({ err: error }, 'sending invoices failed')
        )
      })
      return `${queued.queued === 1 ? '1 invoice' : `${queued.queued} invoices`} queued for email${queued.missingEmail ? `; ${queued.missingEmail} customers have no billing email` : ''}`
    })
  }

  private async act(
    session: HttpContext['session'],
    response: HttpContext['response'],
    runId: number,
    work: () => Promise<string>
  ) {
    try {
      session.flash('success', await work())
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      session.flash('error', error.message)
    }
    return response.redirect(`/billing-runs/${runId}`)
  }
}
