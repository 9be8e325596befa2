import { DateTime } from 'luxon'
import { hostname } from 'node:os'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import type { Mailer } from '@adonisjs/mail'
import type { MailTransportContract } from '@adonisjs/mail/types'
import Delivery from '#models/delivery'
import { audit } from '#lib/audit'
import { isMysql, sqlTime } from '#billing/db_helpers'
import { invoicePdfBytes, storeInvoicePdfs } from '#documents/invoice_pdf'
import { composeInvoiceMail } from '#mails/invoice_mail'

/**
 * Invoice email deliveries: one row per invoice (unique invoice_id), a chain
 * of attempts on it.
 *
 *   queued ──claim──▶ sending ──accepted──▶ sent (final: never sent again)
 *                        └──error──▶ failed + next_attempt_at (retry after backoff)
 *                                    failed, next_attempt_at NULL (gave up / permanent)
 *
 * Claiming is a compare-and-set status change inside a transaction with the
 * row locked (FOR UPDATE SKIP LOCKED on MySQL), so two senders never take the
 * same delivery. A row left in `sending` (process died mid-send) is never
 * retried automatically, because the server may have accepted the message;
 * the deliveries page shows it and a person can resend it.
 */

export const BACKOFF_MINUTES = [1, 5, 30]
export const MAX_ATTEMPTS = BACKOFF_MINUTES.length + 1
/** After this long a `sending` row counts as stuck and may be resent by hand. */
export const STALE_SENDING_MINUTES = 10

type AnyMailer = Mailer<MailTransportContract>

export interface QueueResult {
  queued: number
  missingEmail: number
}

/** Creates the delivery rows for finalized invoices that have none yet. */
export async function queueDeliveries(filter: { runId?: number; invoiceIds?: number[] } = {}): Promise<QueueResult> {
  const q = db
    .from('invoices')
    .leftJoin('deliveries', 'deliveries.invoice_id', 'invoices.id')
    .join('customers', 'customers.id', 'invoices.customer_id')
    .where('invoices.status', 'finalized')
    .whereNull('deliveries.id')
    .select('invoices.id', 'invoices.snapshot', 'customers.billing_email')
  if (filter.runId) q.where('invoices.billing_run_id', filter.runId)
  if (filter.invoiceIds) q.whereIn('invoices.id', filter.invoiceIds)
  const rows = await q
  const now = sqlTime()
  let missingEmail = 0
  const inserts = rows.map((row) => {
    const snapshot = typeof row.snapshot === 'string' ? JSON.parse(row.snapshot) : (row.snapshot ?? {})
    const to = (snapshot.customer?.billing_email || row.billing_email || '').trim()
    if (!to) missingEmail++
    return {
      invoice_id: row.id,
      to_address: to,
      status: to ? 'queued' : 'failed',
      attempts: 0,
      last_error: to ? null : 'The customer has no billing email address',
      next_attempt_at: null,
      created_at: now,
      updated_at: now,
    }
  })
  if (inserts.length) await db.knexQuery().table('deliveries').insert(inserts).onConflict('invoice_id').ignore()
  return { queued: inserts.length - missingEmail, missingEmail }
}

function dueQuery(client: any, now: DateTime, onlyInvoiceIds?: number[]) {
  const at = sqlTime(now.toJSDate())
  const q = client
    .from('deliveries')
    .where((w: any) => {
      w.where((a: any) => a.where('status', 'queued').where((b: any) => b.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', at)))
        .orWhere((a: any) => a.where('status', 'failed').whereNotNull('next_attempt_at').where('next_attempt_at', '<=', at).where('attempts', '<', MAX_ATTEMPTS))
    })
    .orderBy('id')
  if (onlyInvoiceIds) q.whereIn('invoice_id', onlyInvoiceIds)
  return q
}

/** Takes one due delivery for this process: status → sending, attempts + 1. */
export async function claimNext(now: DateTime = DateTime.now(), onlyInvoiceIds?: number[]): Promise<Delivery | null> {
  for (let tries = 0; tries < 5; tries++) {
    const claimed = await db.transaction(async (trx) => {
      const q = dueQuery(trx, now, onlyInvoiceIds).select('id', 'status', 'attempts').limit(1)
      if (isMysql(trx)) q.forUpdate().skipLocked()
      const row = await q.first()
      if (!row) return { done: true as const, id: null }
      const updated = await trx
        .from('deliveries')
        .where('id', row.id)
        .where('status', row.status)
        .where('attempts', row.attempts)
        .update({ status: 'sending', attempts: Number(row.attempts) + 1, updated_at: sqlTime() })
      const count = Number(Array.isArray(updated) ? updated[0] : updated)
      return { done: false as const, id: count === 1 ? Number(row.id) : null }
    })
    if (claimed.done) return null
    if (claimed.id !== null) return Delivery.findOrFail(claimed.id)
  }
  return null
}

export interface SendOutcome {
  deliveryId: number
  invoiceId: number
  status: 'sent' | 'failed'
  retryAt: string | null
  messageId: string | null
  error: string | null
}

function isPermanent(error: any) {
  const code = Number(error?.responseCode)
  return code >= 500 && code < 600
}

/** Sends one claimed delivery and records the outcome. */
export async function sendClaimed(delivery: Delivery, mailer: AnyMailer, now: DateTime = DateTime.now()): Promise<SendOutcome> {
  const base = { deliveryId: delivery.id, invoiceId: delivery.invoiceId }
  try {
    const { bytes } = await invoicePdfBytes(delivery.invoiceId)
    const composed = await composeInvoiceMail(delivery.invoiceId, bytes)
    // A stable Message-ID per delivery and attempt lets receivers spot duplicates.
    const domain = (String(mailer.config.from ?? '').split('@')[1] ?? hostname()).replace(/[>\s"]/g, '') || 'tollgate.local'
    const messageId = `<invoice-${delivery.invoiceId}.${delivery.id}.${delivery.attempts}@${domain}>`
    const response = await mailer.send((message) => composed.apply(message, delivery.toAddress, messageId))
    const accepted = response.messageId || messageId
    await db
      .from('deliveries')
      .where('id', delivery.id)
      .where('status', 'sending')
      .update({ status: 'sent', message_id: accepted, sent_at: sqlTime(), last_error: null, next_attempt_at: null, updated_at: sqlTime() })
    return { ...base, status: 'sent', retryAt: null, messageId: accepted, error: null }
  } catch (error: any) {
    const message = String(error?.response ?? error?.message ?? error).slice(0, 2000)
    const giveUp = delivery.attempts >= MAX_ATTEMPTS || isPermanent(error)
    const retryAt = giveUp ? null : now.plus({ minutes: BACKOFF_MINUTES[Math.min(delivery.attempts, BACKOFF_MINUTES.length) - 1] })
    await db
      .from('deliveries')
      .where('id', delivery.id)
      .where('status', 'sending')
      .update({ status: 'failed', last_error: message, next_attempt_at: retryAt ? sqlTime(retryAt.toJSDate()) : null, updated_at: sqlTime() })
    return { ...base, status: 'failed', retryAt: retryAt?.toISO() ?? null, messageId: null, error: message }
  }
}

export interface DeliverOptions {
  now?: DateTime
  limit?: number
  mailer?: AnyMailer
  /** Only these invoices (e.g. one run). */
  invoiceIds?: number[]
  onProgress?: (done: number, total: number) => void
}

/** Sends every due delivery (queued, or failed and due for a retry). */
export async function deliverDue(options: DeliverOptions = {}) {
  const now = options.now ?? DateTime.now()
  const mailer = options.mailer ?? (mail.use() as unknown as AnyMailer)
  // Render missing PDFs first with one browser for the whole batch.
  const due = await dueQuery(db.connection(), now, options.invoiceIds).select('invoice_id')
  const pending = due.map((r: any) => Number(r.invoice_id))
  if (pending.length) {
    const missing = await db.from('invoices').whereIn('id', pending).whereNull('pdf_path').select('id')
    if (missing.length) await storeInvoicePdfs(missing.map((r) => Number(r.id)))
  }
  const outcomes: SendOutcome[] = []
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  while (outcomes.length < limit) {
    const delivery = await claimNext(now, options.invoiceIds)
    if (!delivery) break
    outcomes.push(await sendClaimed(delivery, mailer, now))
    options.onProgress?.(outcomes.length, Math.max(outcomes.length, pending.length))
  }
  return {
    sent: outcomes.filter((o) => o.status === 'sent').length,
    failed: outcomes.filter((o) => o.status === 'failed' && !o.retryAt).length,
    retrying: outcomes.filter((o) => o.status === 'failed' && o.retryAt).length,
    outcomes,
  }
}

/** A person asks to send a failed (or stuck) delivery again. A sent delivery is never resent. */
export async function resendDelivery(deliveryId: number, userId?: number | null) {
  const delivery = await Delivery.findOrFail(deliveryId)
  const stale = delivery.status === 'sending' && (delivery.updatedAt ?? delivery.createdAt) < DateTime.now().minus({ minutes: STALE_SENDING_MINUTES })
  if (delivery.status !== 'failed' && !stale) {
    throw new Error(delivery.status === 'sent' ? 'This invoice was already sent (accepted by the mail server).' : `A ${delivery.status} delivery cannot be resent now.`)
  }
  const to = delivery.toAddress || (await db.from('invoices').join('customers', 'customers.id', 'invoices.customer_id').where('invoices.id', delivery.invoiceId).select('customers.billing_email').first())?.billing_email
  if (!to) throw new Error('The customer has no billing email address')
  await db.transaction(async (trx) => {
    await trx
      .from('deliveries')
      .where('id', delivery.id)
      .where('status', delivery.status)
      .update({ status: 'queued', attempts: 0, next_attempt_at: null, to_address: to, updated_at: sqlTime() })
    await audit({ userId, action: 'delivery.resend', subjectType: 'delivery', subjectId: delivery.id, changes: { previous_status: delivery.status, attempts: delivery.attempts } }, trx)
  })
}
