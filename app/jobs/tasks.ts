import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import Customer from '#models/customer'
import { createRun, finalizeRun, BillingError } from '#billing/runs'
import { queueDeliveries, deliverDue } from '#deliveries/deliveries'
import { getSettings, isOn } from '#billing/settings'
import { storeInvoicePdfs } from '#documents/invoice_pdf'
import { abandonExpired, needsResume, runOnce, tickKey } from '#jobs/job_runs'
import { deliverDueWebhooks } from '#webhooks/sender'
import { faultPoint } from '#lib/fault_points'

/**
 * What the scheduled jobs do. Each Bree worker (app/jobs/<name>.ts) boots the
 * app and calls one of these; they can also be called directly (tests, demo).
 * Every function is safe to run from several schedulers at once.
 */

export const INTERVALS = {
  poll_connectors: Number(process.env.SCHEDULER_POLL_MS ?? 5 * 60_000),
  month_end: Number(process.env.SCHEDULER_MONTH_END_MS ?? 15 * 60_000),
  send_invoices: Number(process.env.SCHEDULER_SEND_MS ?? 2 * 60_000),
  send_webhooks: Number(process.env.SCHEDULER_WEBHOOKS_MS ?? 60_000),
  dunning: Number(process.env.SCHEDULER_DUNNING_MS ?? 60 * 60_000),
}

export async function pollConnectorsJob(now = new Date()) {
  return runOnce(
    'poll_connectors',
    tickKey('poll_connectors', INTERVALS.poll_connectors, now),
    async () => {
      // Imports killed mid-way are marked failed (and their uploads removed); committed ones are processed.
      await abandonExpired()
      const { recoverImports } = await import('#connectors/import_recovery')
      const recovered = await recoverImports(now)
      const { pollDueConnectors } = await import('#connectors/poll_connector')
      const results = await pollDueConnectors(now)
      return {
        polled: results.length,
        connectors: results.map((r: any) => ({ id: r.connector_id, status: r.status })),
        recovered,
      }
    }
  )
}

/** The period a customer is billed for on `now`, or null before its bill day. */
export function periodDue(customer: { billDay: number; timeZone: string }, now: Date) {
  const local = DateTime.fromJSDate(now).setZone(customer.timeZone || 'Europe/London')
  const billDay = Math.min(Math.max(1, customer.billDay || 1), local.daysInMonth!)
  if (local.day < billDay) return null
  return local.startOf('month').minus({ months: 1 }).toFormat('yyyy-MM')
}

/**
 * Month end: on (or after) each customer's bill day, bill the previous month
 * as a draft run for that customer (finalized at once when the auto_finalize
 * setting is on and nothing is unrated). One claim per customer and period:
 * `billing:<period>:customer:<id>`.
 */
export async function monthEndJob(now = new Date()) {
  return runOnce('month_end', tickKey('month_end', INTERVALS.month_end, now), async () => {
    // Claims of killed schedulers are freed here, so their customers are billed in this tick.
    const abandoned = await abandonExpired()
    const settings = await getSettings()
    const customers = await Customer.query().orderBy('id')
    const billed: any[] = []
    for (const customer of customers) {
      const period = periodDue(customer, now)
      if (!period) continue
      const key = `billing:${period}:customer:${customer.id}`
      const existing = await db
        .from('invoices')
        .where('customer_id', customer.id)
        .where('period', period)
        .first()
      if (existing && !(await needsResume(key))) continue
      const claim = await runOnce('billing_run', key, () =>
        billCustomer(customer, period, isOn(settings.auto_finalize), now)
      )
      if (claim.claimed)
        billed.push(
          'result' in claim
            ? claim.result
            : { customer: customer.accountNumber, error: String(claim.error.message) }
        )
    }
    return { checked: customers.length, abandoned, billed }
  })
}

/**
 * One customer's month end, resumable: a scheduler killed after the draft committed left the
 * invoice behind, and the one taking the claim over finalizes it and renders its PDF instead of
 * building another.
 */
async function billCustomer(customer: Customer, period: string, autoFinalize: boolean, now: Date) {
  const existing = await db
    .from('invoices')
    .where('customer_id', customer.id)
    .where('period', period)
    .first()
  let runId: number
  let invoiceIds: number[]
  let resumed = false
  if (existing) {
    runId = Number(existing.billing_run_id)
    invoiceIds = [Number(existing.id)]
    resumed = true
  } else {
    // A new month has begun: roll open-ended recurring charges (licences) into it for the insights.
    const { refreshRecurringRollups } = await import('#consolidation/rollups')
    await refreshRecurringRollups(customer.id, [`${period}-01`])
    const { run, invoices, skipped } = await createRun({ period, customerIds: [customer.id], now })
    if (!invoices.length) {
      await db.from('billing_runs').where('id', run.id).delete()
      return {
        period,
        customer: customer.accountNumber,
        invoices: 0,
        note: skipped[0]?.reason ?? 'nothing to bill',
      }
    }
    runId = run.id
    invoiceIds = invoices.map((i) => i.id)
  }
  faultPoint('month_end.after_draft')
  const run = await db.from('billing_runs').where('id', runId).first()
  let status = String(run.status)
  let note: string | null = null
  if (autoFinalize && status === 'draft') {
    try {
      // A flagged invoice waits for a billing user's acknowledgement instead of finalizing itself.
      await finalizeRun(runId, { holdFlagged: true })
      status = 'finalized'
    } catch (error) {
      if (!(error instanceof BillingError)) throw error
      note = `left as draft: ${error.message}`
    }
  }
  faultPoint('month_end.after_finalize')
  await storeInvoicePdfs(invoiceIds)
  return {
    period,
    customer: customer.accountNumber,
    run_id: runId,
    status,
    invoices: invoiceIds.length,
    note,
    resumed,
  }
}

/**
 * Emails finalized invoices: queue the unsent ones (auto_send setting), then send whatever is
 * due — invoice and credit note deliveries alike, first attempts and retries. (Credit notes are
 * queued when issued, not here: see createCreditNote.)
 */
export async function sendInvoicesJob(now = new Date()) {
  return runOnce(
    'send_invoices',
    tickKey('send_invoices', INTERVALS.send_invoices, now),
    async () => {
      const settings = await getSettings()
      const queued = isOn(settings.auto_send)
        ? await queueDeliveries({ excludeHeld: true })
        : { queued: 0, missingEmail: 0 }
      const result = await deliverDue({ now: DateTime.fromJSDate(now) })
      if (result.failed) logger.warn({ failed: result.failed }, 'invoice deliveries failed')
      return {
        queued: queued.queued,
        sent: result.sent,
        retrying: result.retrying,
        failed: result.failed,
      }
    }
  )
}

/** Posts due webhook deliveries: first attempts, retries with backoff, and those whose sender died. */
export async function sendWebhooksJob(now = new Date()) {
  return runOnce(
    'send_webhooks',
    tickKey('send_webhooks', INTERVALS.send_webhooks, now),
    async () => {
      const result = await deliverDueWebhooks({ now: DateTime.fromJSDate(now).toUTC() })
      if (result.failed) logger.warn({ failed: result.failed }, 'webhook deliveries failed')
      return { delivered: result.delivered, retrying: result.retrying, failed: result.failed }
    }
  )
}

/**
 * Payment reminders (app/payments/dunning.ts): queue the schedule steps overdue invoices have reached,
 * send them (each step once per invoice, retried like deliveries), lift portal suspensions once paid.
 */
export async function dunningJob(now = new Date()) {
  return runOnce('dunning', tickKey('dunning', INTERVALS.dunning, now), async () => {
    const { runDunning } = await import('#payments/dunning')
    const result = await runDunning({ now })
    if (result.failed) logger.warn({ failed: result.failed }, 'payment reminders failed')
    return result
  })
}

export const JOBS = {
  poll_connectors: pollConnectorsJob,
  month_end: monthEndJob,
  send_invoices: sendInvoicesJob,
  send_webhooks: sendWebhooksJob,
  dunning: dunningJob,
} as const

export type JobName = keyof typeof JOBS
