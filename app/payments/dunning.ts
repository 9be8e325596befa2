import { DateTime } from 'luxon'
import { hostname } from 'node:os'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import type { Mailer } from '@adonisjs/mail'
import type { MailTransportContract } from '@adonisjs/mail/types'
import DunningReminder from '#models/dunning_reminder'
import { audit } from '#lib/audit'
import { sqlTime } from '#lib/db_helpers'
import { claimDueRow, retryDelayMinutes } from '#lib/outbox_lease'
import { BACKOFF_MINUTES, MAX_ATTEMPTS } from '#deliveries/deliveries'
import { invoiceBalances } from '#payments/balances'
import { getDunningSettings, type DunningSettings } from '#payments/dunning_settings'
import { composeReminder } from '#payments/reminder_mail'
import { stepReached } from '#payments/status'
import { emitOverdueEvents } from '#payments/payment_events'

/**
 * Dunning: payment reminders on a schedule of days after the due date (settings). Each invoice and
 * step is one dunning_reminders row (unique invoice_id + step), so a step is queued once whatever
 * the number of schedulers; an invoice that skipped steps (the schedule was switched on late)
 * gets only the step it has reached. Rows are claimed and retried exactly like document
 * deliveries (compare-and-set with FOR UPDATE SKIP LOCKED, backoff 1/5/30 minutes, a `sending`
 * row is never retried automatically). The balance is read again when a reminder is claimed: one
 * paid meanwhile is `cancelled`, not sent.
 */

type AnyMailer = Mailer<MailTransportContract>

/** Creates the reminder rows that are due on `now` (customer's local day); returns how many. */
export async function queueReminders(settings: DunningSettings, now: Date = new Date()) {
  if (!settings.schedule.length) return 0
  const overdue = (await invoiceBalances({ openOnly: true, now })).filter(
    (b) => b.status === 'overdue'
  )
  if (!overdue.length) return 0
  const reached = await db
    .from('dunning_reminders')
    .whereIn(
      'invoice_id',
      overdue.map((b) => b.id)
    )
    .groupBy('invoice_id')
    .select('invoice_id')
    .max('step as step')
  const last = new Map(reached.map((r: any) => [Number(r.invoice_id), Number(r.step)]))
  const addresses = new Map(
    (
      await db
        .from('customers')
        .whereIn('id', [...new Set(overdue.map((b) => b.customerId))])
        .select('id', 'billing_email')
    ).map((c: any) => [Number(c.id), String(c.billing_email ?? '').trim()])
  )
  const stamp = sqlTime()
  const rows = []
  for (const b of overdue) {
    const step = stepReached(settings.schedule, b.daysOverdue)
    if (step === 0 || step <= (last.get(b.id) ?? 0)) continue
    const to = addresses.get(b.customerId) ?? ''
    rows.push({
      invoice_id: b.id,
      step,
      days_after_due: settings.schedule[step - 1],
      to_address: to,
      status: to ? 'queued' : 'failed',
      last_error: to ? null : 'The customer has no billing email address',
      attempts: 0,
      balance_minor: b.outstandingMinor,
      created_at: stamp,
      updated_at: stamp,
    })
  }
  if (rows.length)
    await db
      .knexQuery()
      .table('dunning_reminders')
      .insert(rows)
      .onConflict(['invoice_id', 'step'])
      .ignore()
  return rows.length
}

/** Queued, or failed with a retry due: the reminders a pass sends. */
function whereDue(q: any, at: string) {
  return q.where((w: any) => {
    w.where('status', 'queued').orWhere((a: any) =>
      a
        .where('status', 'failed')
        .whereNotNull('next_attempt_at')
        .where('next_attempt_at', '<=', at)
        .where('attempts', '<', MAX_ATTEMPTS)
    )
  })
}

/** Takes one due reminder for this process: status → sending, attempts + 1. */
export async function claimNextReminder(
  now: DateTime = DateTime.now()
): Promise<DunningReminder | null> {
  const claim = await claimDueRow('dunning_reminders', (q) => whereDue(q, sqlTime(now.toJSDate())))
  return claim ? DunningReminder.findOrFail(claim.id) : null
}

const finish = (id: number, values: Record<string, unknown>) =>
  db
    .from('dunning_reminders')
    .where('id', id)
    .where('status', 'sending')
    .update({ ...values, updated_at: sqlTime() })

/** Sends one claimed reminder (or cancels it when the invoice has been settled since it was queued). */
export async function sendReminder(
  reminder: DunningReminder,
  settings: DunningSettings,
  mailer: AnyMailer,
  now: DateTime = DateTime.now()
) {
  const [balance] = await invoiceBalances({ invoiceIds: [reminder.invoiceId], now: now.toJSDate() })
  if (!balance || balance.outstandingMinor <= 0) {
    await finish(reminder.id, {
      status: 'cancelled',
      last_error: 'Paid before the reminder went',
      next_attempt_at: null,
    })
    return 'cancelled' as const
  }
  try {
    const composed = await composeReminder(
      balance,
      reminder.step,
      Math.max(settings.schedule.length, reminder.step)
    )
    const domain =
      (String(mailer.config.from ?? '').split('@')[1] ?? hostname()).replace(/[>\s"]/g, '') ||
      'tollgate.local'
    const messageId = `<reminder-${reminder.invoiceId}-${reminder.step}.${reminder.id}.${reminder.attempts}@${domain}>`
    const response = await mailer.send((message) =>
      composed.apply(message, reminder.toAddress, messageId)
    )
    await finish(reminder.id, {
      status: 'sent',
      message_id: response.messageId || messageId,
      sent_at: sqlTime(),
      last_error: null,
      next_attempt_at: null,
      balance_minor: balance.outstandingMinor,
    })
    if (settings.suspendPortal && reminder.step >= settings.schedule.length)
      await suspendPortal(balance.customerId, reminder)
    return 'sent' as const
  } catch (error: any) {
    const message = String(error?.response ?? error?.message ?? error).slice(0, 2000)
    const code = Number(error?.responseCode)
    const permanent = code >= 500 && code < 600
    const retryIn = permanent ? null : retryDelayMinutes(BACKOFF_MINUTES, reminder.attempts)
    const retryAt = retryIn === null ? null : now.plus({ minutes: retryIn })
    await finish(reminder.id, {
      status: 'failed',
      last_error: message,
      next_attempt_at: retryAt ? sqlTime(retryAt.toJSDate()) : null,
    })
    return retryAt ? ('retrying' as const) : ('failed' as const)
  }
}

async function suspendPortal(customerId: number, reminder: DunningReminder) {
  await db.transaction(async (trx) => {
    const updated = await trx
      .from('customers')
      .where('id', customerId)
      .whereNull('portal_suspended_at')
      .update({ portal_suspended_at: sqlTime() })
    if (Number(Array.isArray(updated) ? updated[0] : updated) === 1) {
      await audit(
        {
          action: 'customer.portal_suspend',
          subjectType: 'customer',
          subjectId: customerId,
          changes: { invoice_id: reminder.invoiceId, step: reminder.step },
        },
        trx
      )
    }
  })
}

/** A customer suspended by dunning whose overdue invoices are all settled gets the portal back. */
export async function liftSettledSuspensions(now: Date = new Date()) {
  const suspended = await db.from('customers').whereNotNull('portal_suspended_at').select('id')
  let lifted = 0
  for (const { id } of suspended) {
    const overdue = (
      await invoiceBalances({ openOnly: true, customerIds: [Number(id)], now })
    ).some((b) => b.status === 'overdue')
    if (overdue) continue
    await db.transaction(async (trx) => {
      await trx.from('customers').where('id', id).update({ portal_suspended_at: null })
      await audit(
        {
          action: 'customer.portal_unsuspend',
          subjectType: 'customer',
          subjectId: Number(id),
          changes: { reason: 'overdue invoices settled' },
        },
        trx
      )
    })
    lifted++
  }
  return lifted
}

/** One dunning pass: queue what is due, send what is due (first attempts and retries), lift settled suspensions. */
export async function runDunning(options: { now?: Date; mailer?: AnyMailer } = {}) {
  const now = options.now ?? new Date()
  const settings = await getDunningSettings()
  const lifted = await liftSettledSuspensions(now)
  // Direct Debit payments that could not reach GoCardless at finalize are retried here.
  const { collectDirectDebits } = await import('#payments/gocardless_payments')
  await collectDirectDebits().catch(() => {})
  // Overdue is reported whether or not reminders are switched on: receivers may do their own chasing.
  await emitOverdueEvents(now)
  if (!settings.enabled)
    return { enabled: false, queued: 0, sent: 0, cancelled: 0, retrying: 0, failed: 0, lifted }
  const queued = await queueReminders(settings, now)
  const mailer = options.mailer ?? (mail.use() as unknown as AnyMailer)
  const counts = { sent: 0, cancelled: 0, retrying: 0, failed: 0 }
  for (;;) {
    const reminder = await claimNextReminder(DateTime.fromJSDate(now))
    if (!reminder) break
    counts[await sendReminder(reminder, settings, mailer, DateTime.fromJSDate(now))]++
  }
  return { enabled: true, queued, ...counts, lifted }
}

/** A person sends a failed (or stuck) reminder again; a sent one never is. */
export async function resendReminder(reminderId: number, userId?: number | null) {
  const reminder = await DunningReminder.findOrFail(reminderId)
  const stuck =
    reminder.status === 'sending' &&
    (reminder.updatedAt ?? reminder.createdAt) < DateTime.now().minus({ minutes: 10 })
  if (reminder.status !== 'failed' && !stuck)
    throw new Error(
      reminder.status === 'sent'
        ? 'This reminder was already sent.'
        : `A ${reminder.status} reminder cannot be sent again.`
    )
  await db.transaction(async (trx) => {
    await trx
      .from('dunning_reminders')
      .where('id', reminder.id)
      .where('status', reminder.status)
      .update({ status: 'queued', attempts: 0, next_attempt_at: null, updated_at: sqlTime() })
    await audit(
      {
        userId,
        action: 'dunning.resend',
        subjectType: 'dunning_reminder',
        subjectId: reminder.id,
        changes: { previous_status: reminder.status },
      },
      trx
    )
  })
}
