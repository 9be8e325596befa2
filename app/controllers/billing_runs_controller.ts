import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import BillingRun from '#models/billing_run'
import Customer from '#models/customer'
import {
  createRun,
  finalizeRun,
  regenerateRun,
  cancelRun,
  runReview,
  BillingError,
} from '#billing/runs'
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
import { diffView } from '#billing/draft_diff'
import { formatMoney } from '#lib/money'
import { billingRunsIndexProps } from '#billing/run_list'
import { DateTime } from 'luxon'

/** The insights team's anomaly finder, when that module is present. */
async function anomaliesFor(customerId: number, period: string) {
  const specifier = '#insights/anomalies'
  try {
    const mod = await import(/* @vite-ignore */ specifier)
    return typeof mod.findAnomalies === 'function'
      ? await mod.findAnomalies(customerId, period)
      : []
  } catch (error: any) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'ERR_PACKAGE_IMPORT_NOT_DEFINED')
      return []
    logger.warn({ err: error }, 'anomalies unavailable')
    return []
  }
}

export default class BillingRunsController {
  async index({ inertia }: HttpContext) {
    return inertia.render('billing/index', await billingRunsIndexProps())
  }

  async create({ inertia }: HttpContext) {
    const customers = await Customer.query().orderBy('name').select('id', 'name', 'account_number')
    return inertia.render('billing/new', {
      defaultPeriod: DateTime.now().minus({ months: 1 }).toFormat('yyyy-MM'),
      customers: customers.map((c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber })),
    })
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
    const { run, invoices, warnings, lateUsage, flags, held } = await runReview(Number(params.id))
    const anomalies: any[] = []
    if (run.status === 'draft') {
      for (const invoice of invoices) {
        for (const a of await anomaliesFor(invoice.customerId, run.period))
          anomalies.push({ customer: invoice.customer.accountNumber, ...a })
      }
    }
    return inertia.render('billing/show', {
      run: {
        id: run.id,
        period: run.period,
        status: run.status,
        createdAt: run.createdAt.toISO(),
        finalizedAt: run.finalizedAt?.toISO() ?? null,
      },
      invoices: invoices.map((i) => ({
        id: i.id,
        customer: i.customer.name,
        account: i.customer.accountNumber,
        number: i.number,
        status: i.status,
        subtotal: formatMoney(i.subtotalMinor, i.currency),
        tax: formatMoney(i.taxMinor, i.currency),
        total: formatMoney(i.totalMinor, i.currency),
        hasPdf: Boolean(i.pdfPath),
        delivery: i.delivery ? { status: i.delivery.status, attempts: i.delivery.attempts } : null,
        held: held.has(i.id),
        flags: flags.get(i.id) ?? [],
        regenerated: diffView(i.snapshot?.regenerated, i.currency),
      })),
      totals: {
        subtotal: formatMoney(invoices.reduce((s, i) => s + i.subtotalMinor, 0)),
        tax: formatMoney(invoices.reduce((s, i) => s + i.taxMinor, 0)),
        total: formatMoney(invoices.reduce((s, i) => s + i.totalMinor, 0)),
      },
      warnings,
      lateUsage: lateUsage.map((l) => ({
        invoiceId: l.invoiceId,
        account: l.account,
        records: l.records,
      })),
      anomalies,
    })
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
