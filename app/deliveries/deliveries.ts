import { DateTime } from 'luxon'
import { hostname } from 'node:os'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import type { Mailer } from '@adonisjs/mail'
import type { MailTransportContract } from '@adonisjs/mail/types'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import Delivery, { type DeliveryDocumentType } from '#models/delivery'
import { audit } from '#lib/audit'
import { sqlTime } from '#lib/db_helpers'
import { claimDueRow, maxAttempts, retryDelayMinutes } from '#lib/outbox_lease'
import { invoicePdfBytes, storeInvoicePdfs } from '#documents/invoice_pdf'
import { creditNotePdfBytes, storeCreditNotePdf } from '#documents/credit_note_pdf'
import { composeInvoiceMail } from '#mails/invoice_mail'
import { composeCreditNoteMail } from '#mails/credit_note_mail'
import { copyAddresses } from '#mails/document_message'

/**
 * Document email deliveries: one row per document — an invoice (unique
 * invoice_id) or a credit note (unique credit_note_id, `document_type`
 * credit_note) — and a chain of attempts on it. Both kinds go through the
 * same queue, claim, send, retry and resend code below; only the PDF and the
 * wording of the email differ (deliveryDocument()).
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
export const MAX_ATTEMPTS = maxAttempts(BACKOFF_MINUTES)
/** After this long a `sending` row counts as stuck and may be resent by hand. */
export const STALE_SENDING_MINUTES = 10

type AnyMailer = Mailer<MailTransportContract>

export interface QueueResult {
  queued: number
  missingEmail: number
}

/** Which deliveries a sender may take: these invoices and/or these credit notes (none given: all). */
export interface DeliveryFilter {
  invoiceIds?: number[]
  creditNoteIds?: number[]
}

function applyFilter(q: any, filter?: DeliveryFilter) {
  if (!filter || (!filter.invoiceIds && !filter.creditNoteIds)) return q
  return q.where((w: any) => {
    if (filter.invoiceIds) w.orWhereIn('deliveries.invoice_id', filter.invoiceIds)
    if (filter.creditNoteIds) w.orWhereIn('deliveries.credit_note_id', filter.creditNoteIds)
  })
}

/** The filter that selects exactly this delivery's document. */
export function filterFor(delivery: {
  documentType: DeliveryDocumentType
  invoiceId: number | null
  creditNoteId: number | null
}): DeliveryFilter {
  return delivery.documentType === 'credit_note'
    ? { creditNoteIds: [delivery.creditNoteId!] }
    : { invoiceIds: [delivery.invoiceId!] }
}

/** Creates the delivery rows for finalized invoices that have none yet. */
export async function queueDeliveries(
  filter: { runId?: number; invoiceIds?: number[]; excludeHeld?: boolean } = {}
): Promise<QueueResult> {
  const q = db
    .from('invoices')
    .leftJoin('deliveries', 'deliveries.invoice_id', 'invoices.id')
    .join('customers', 'customers.id', 'invoices.customer_id')
    .where('invoices.status', 'finalized')
    .whereNull('deliveries.id')
    .select('invoices.id', 'invoices.snapshot', 'customers.billing_email')
  if (filter.runId) q.where('invoices.billing_run_id', filter.runId)
  if (filter.invoiceIds) q.whereIn('invoices.id', filter.invoiceIds)
  // Auto-send holds an invoice that still carries an unacknowledged review flag (app/billing/flags.ts).
  if (filter.excludeHeld) {
    q.whereNotExists((sub) => {
      sub
        .from('invoice_flags')
        .whereColumn('invoice_flags.invoice_id', 'invoices.id')
        .whereNull('invoice_flags.acknowledged_at')
        .select(db.raw('1'))
    })
  }
  const rows = await q
  const now = sqlTime()
  let missingEmail = 0
  const inserts = rows.map((row) => {
    const to = documentAddress(row)
    if (!to) missingEmail++
    return newDelivery({ document_type: 'invoice', invoice_id: row.id }, to, now)
  })
  if (inserts.length)
    await db.knexQuery().table('deliveries').insert(inserts).onConflict('invoice_id').ignore()
  return { queued: inserts.length - missingEmail, missingEmail }
}

/**
 * Where a document's email goes: the customer's billing email as it is now (an address changed after
 * finalize reaches the new inbox), else the one in the invoice snapshot. Invoices and their credit
 * notes use the same rule, so both go to the same place.
 */
function documentAddress(row: { billing_email: string | null; snapshot: unknown }): string {
  const snapshot =
    typeof row.snapshot === 'string' ? JSON.parse(row.snapshot) : ((row.snapshot as any) ?? {})
  return String(row.billing_email || snapshot.customer?.billing_email || '').trim()
}

/** A new delivery row for one document: queued, or failed at once when there is no address to send to. */
function newDelivery(
  document: {
    document_type: 'invoice' | 'credit_note'
    invoice_id: number | null
    credit_note_id?: number
  },
  to: string,
  now: string
) {
  return {
    ...document,
    to_address: to,
    status: to ? 'queued' : 'failed',
    attempts: 0,
    last_error: to ? null : 'The customer has no billing email address',
    next_attempt_at: null,
    created_at: now,
    updated_at: now,
  }
}

/**
 * Creates the delivery rows for these credit notes (those that have none yet), addressed to
 * the customer's billing email (else the one on the credited invoice). Pass the transaction
 * that issues a credit note so the note and its delivery commit together.
 */
export async function queueCreditNoteDeliveries(
  creditNoteIds: number[],
  client: QueryClientContract = db.connection()
): Promise<QueueResult> {
  if (!creditNoteIds.length) return { queued: 0, missingEmail: 0 }
  const rows = await client
    .from('credit_notes')
    .join('invoices', 'invoices.id', 'credit_notes.invoice_id')
    .join('customers', 'customers.id', 'invoices.customer_id')
    .leftJoin('deliveries', 'deliveries.credit_note_id', 'credit_notes.id')
    .whereIn('credit_notes.id', creditNoteIds)
    .where('invoices.status', 'finalized')
    .whereNull('deliveries.id')
    .select('credit_notes.id', 'invoices.snapshot', 'customers.billing_email')
  const now = sqlTime()
  let missingEmail = 0
  const inserts = rows.map((row: any) => {
    const to = documentAddress(row)
    if (!to) missingEmail++
    return newDelivery(
      { document_type: 'credit_note', invoice_id: null, credit_note_id: row.id },
      to,
      now
    )
  })
  if (inserts.length)
    await client
      .knexQuery()
      .table('deliveries')
      .insert(inserts)
      .onConflict('credit_note_id')
      .ignore()
  return { queued: inserts.length - missingEmail, missingEmail }
}

/** Queued and due, or failed with a retry due: the deliveries a pass sends. */
function whereDue(q: any, now: DateTime, filter?: DeliveryFilter) {
  const at = sqlTime(now.toJSDate())
  q.where((w: any) => {
    w.where((a: any) =>
      a
        .where('status', 'queued')
        .where((b: any) => b.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', at))
    ).orWhere((a: any) =>
      a
        .where('status', 'failed')
        .whereNotNull('next_attempt_at')
        .where('next_attempt_at', '<=', at)
        .where('attempts', '<', MAX_ATTEMPTS)
    )
  })
  return applyFilter(q, filter)
}

/** Takes one due delivery for this process: status → sending, attempts + 1. */
export async function claimNext(
  now: DateTime = DateTime.now(),
  filter?: DeliveryFilter
): Promise<Delivery | null> {
  const claim = await claimDueRow('deliveries', (q) => whereDue(q, now, filter))
  return claim ? Delivery.findOrFail(claim.id) : null
}

export interface SendOutcome {
  deliveryId: number
  documentType: DeliveryDocumentType
  invoiceId: number | null
  creditNoteId: number | null
  status: 'sent' | 'failed'
  retryAt: string | null
  messageId: string | null
  error: string | null
}

function isPermanent(error: any) {
  const code = Number(error?.responseCode)
  return code >= 500 && code < 600
}

/** The customer's other billing contacts, read when the email goes (so an edit reaches the next email). */
async function billingContactsOf(delivery: Delivery): Promise<string | null> {
  const invoiceId =
    delivery.invoiceId ??
    (await db.from('credit_notes').where('id', delivery.creditNoteId!).select('invoice_id').first())
      ?.invoice_id
  const row = await db
    .from('invoices')
    .join('customers', 'customers.id', 'invoices.customer_id')
    .where('invoices.id', invoiceId)
    .select('customers.billing_contacts')
    .first()
  return row?.billing_contacts ?? null
}

/** The email of a delivery's document: its stored PDF attached, and the Message-ID tag. */
async function deliveryDocument(delivery: Delivery) {
  if (delivery.documentType === 'credit_note') {
    const { bytes } = await creditNotePdfBytes(delivery.creditNoteId!)
    return {
      composed: await composeCreditNoteMail(delivery.creditNoteId!, bytes),
      tag: `credit-note-${delivery.creditNoteId}`,
    }
  }
  const { bytes } = await invoicePdfBytes(delivery.invoiceId!)
  return {
    composed: await composeInvoiceMail(delivery.invoiceId!, bytes),
    tag: `invoice-${delivery.invoiceId}`,
  }
}

/** Sends one claimed delivery and records the outcome. */
export async function sendClaimed(
  delivery: Delivery,
  mailer: AnyMailer,
  now: DateTime = DateTime.now()
): Promise<SendOutcome> {
  const base = {
    deliveryId: delivery.id,
    documentType: delivery.documentType,
    invoiceId: delivery.invoiceId,
    creditNoteId: delivery.creditNoteId,
  }
  try {
    const { composed, tag } = await deliveryDocument(delivery)
    // A stable Message-ID per delivery and attempt lets receivers spot duplicates.
    const domain =
      (String(mailer.config.from ?? '').split('@')[1] ?? hostname()).replace(/[>\s"]/g, '') ||
      'tollgate.local'
    const messageId = `<${tag}.${delivery.id}.${delivery.attempts}@${domain}>`
    const cc = copyAddresses(await billingContactsOf(delivery), delivery.toAddress)
    const response = await mailer.send((message) =>
      composed.apply(message, delivery.toAddress, messageId, cc)
    )
    const accepted = response.messageId || messageId
    await db.from('deliveries').where('id', delivery.id).where('status', 'sending').update({
      status: 'sent',
      message_id: accepted,
      sent_at: sqlTime(),
      last_error: null,
      next_attempt_at: null,
      updated_at: sqlTime(),
    })
    return { ...base, status: 'sent', retryAt: null, messageId: accepted, error: null }
  } catch (error: any) {
    const message = String(error?.response ?? error?.message ?? error).slice(0, 2000)
    const retryIn = isPermanent(error)
      ? null
      : retryDelayMinutes(BACKOFF_MINUTES, delivery.attempts)
    const retryAt = retryIn === null ? null : now.plus({ minutes: retryIn })
    await db
      .from('deliveries')
      .where('id', delivery.id)
      .where('status', 'sending')
      .update({
        status: 'failed',
        last_error: message,
        next_attempt_at: retryAt ? sqlTime(retryAt.toJSDate()) : null,
        updated_at: sqlTime(),
      })
    return {
      ...base,
      status: 'failed',
      retryAt: retryAt?.toISO() ?? null,
      messageId: null,
      error: message,
    }
  }
}

export interface DeliverOptions {
  now?: DateTime
  limit?: number
  mailer?: AnyMailer
  /** Only these invoices (e.g. one run). Given alone, credit notes are left for another sender. */
  invoiceIds?: number[]
  /** Only these credit notes. */
  creditNoteIds?: number[]
  onProgress?: (done: number, total: number) => void
}

/** Sends every due delivery (queued, or failed and due for a retry). */
export async function deliverDue(options: DeliverOptions = {}) {
  const now = options.now ?? DateTime.now()
  const mailer = options.mailer ?? (mail.use() as unknown as AnyMailer)
  const filter: DeliveryFilter = {
    invoiceIds: options.invoiceIds,
    creditNoteIds: options.creditNoteIds,
  }
  // Render missing PDFs before claiming anything (a claimed row must not wait on Chromium):
  // invoices with one browser for the whole batch, credit notes (one page each) one by one.
  const due = await whereDue(db.from('deliveries'), now, filter)
    .orderBy('id')
    .select('invoice_id', 'credit_note_id')
  const pendingInvoices = due
    .filter((r: any) => r.invoice_id !== null)
    .map((r: any) => Number(r.invoice_id))
  const pendingNotes = due
    .filter((r: any) => r.credit_note_id !== null)
    .map((r: any) => Number(r.credit_note_id))
  const pending = due.length
  if (pendingInvoices.length) {
    const missing = await db
      .from('invoices')
      .whereIn('id', pendingInvoices)
      .whereNull('pdf_path')
      .select('id')
    if (missing.length) await storeInvoicePdfs(missing.map((r) => Number(r.id)))
  }
  if (pendingNotes.length) {
    const missing = await db
      .from('credit_notes')
      .whereIn('id', pendingNotes)
      .whereNull('pdf_path')
      .select('id')
    // A failure here is recorded on the delivery when it is sent (and retried like an SMTP error).
    for (const r of missing) await storeCreditNotePdf(Number(r.id)).catch(() => {})
  }
  const outcomes: SendOutcome[] = []
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  while (outcomes.length < limit) {
    const delivery = await claimNext(now, filter)
    if (!delivery) break
    outcomes.push(await sendClaimed(delivery, mailer, now))
    options.onProgress?.(outcomes.length, Math.max(outcomes.length, pending))
  }
  return {
    sent: outcomes.filter((o) => o.status === 'sent').length,
    failed: outcomes.filter((o) => o.status === 'failed' && !o.retryAt).length,
    retrying: outcomes.filter((o) => o.status === 'failed' && o.retryAt).length,
    outcomes,
  }
}

/**
 * Whether a person may send a delivery again: it failed, or it has been stuck in `sending` (the sender
 * stopped mid-send) for STALE_SENDING_MINUTES. A sent delivery never is.
 */
export function isResendable(
  delivery: { status: string; updatedAt: DateTime | null },
  now = DateTime.now()
) {
  if (delivery.status === 'failed') return true
  return (
    delivery.status === 'sending' &&
    delivery.updatedAt !== null &&
    delivery.updatedAt < now.minus({ minutes: STALE_SENDING_MINUTES })
  )
}

/** A person asks to send a failed (or stuck) delivery again. A sent delivery is never resent. */
export async function resendDelivery(deliveryId: number, userId?: number | null) {
  const delivery = await Delivery.findOrFail(deliveryId)
  if (
    !isResendable({ status: delivery.status, updatedAt: delivery.updatedAt ?? delivery.createdAt })
  ) {
    const what = delivery.documentType === 'credit_note' ? 'credit note' : 'invoice'
    throw new Error(
      delivery.status === 'sent'
        ? `This ${what} was already sent (accepted by the mail server).`
        : `A ${delivery.status} delivery cannot be resent now.`
    )
  }
  const to = delivery.toAddress || (await customerEmailOf(delivery))
  if (!to) throw new Error('The customer has no billing email address')
  await db.transaction(async (trx) => {
    await trx.from('deliveries').where('id', delivery.id).where('status', delivery.status).update({
      status: 'queued',
      attempts: 0,
      next_attempt_at: null,
      to_address: to,
      updated_at: sqlTime(),
    })
    await audit(
      {
        userId,
        action: 'delivery.resend',
        subjectType: 'delivery',
        subjectId: delivery.id,
        changes: { previous_status: delivery.status, attempts: delivery.attempts },
      },
      trx
    )
  })
}

/** The billing email of the customer a delivery's document belongs to. */
async function customerEmailOf(delivery: Delivery): Promise<string | null> {
  const q = db
    .from('invoices')
    .join('customers', 'customers.id', 'invoices.customer_id')
    .select('customers.billing_email')
  if (delivery.documentType === 'credit_note') {
    q.join('credit_notes', 'credit_notes.invoice_id', 'invoices.id').where(
      'credit_notes.id',
      delivery.creditNoteId!
    )
  } else {
    q.where('invoices.id', delivery.invoiceId!)
  }
  return (await q.first())?.billing_email || null
}

export class DeliveryError extends Error {}

/**
 * "Send credit note" (invoice page): queues the credit note's email when it has none yet
 * (whatever `auto_send` says), puts a failed or stuck one back in the queue like *Resend*,
 * and refuses one that was already sent. The caller then sends with
 * deliverDue({ creditNoteIds: [id] }) (or leaves it to the scheduler).
 */
export async function requestCreditNoteDelivery(
  creditNoteId: number,
  userId?: number | null
): Promise<Delivery> {
  await queueCreditNoteDeliveries([creditNoteId])
  const delivery = await Delivery.findBy('credit_note_id', creditNoteId)
  if (!delivery) throw new DeliveryError('Only a credit note of a finalized invoice can be sent')
  if (delivery.status === 'sent')
    throw new DeliveryError('This credit note was already sent (accepted by the mail server).')
  if (delivery.status === 'queued') {
    if (delivery.attempts === 0)
      await audit({
        userId,
        action: 'delivery.queue',
        subjectType: 'delivery',
        subjectId: delivery.id,
        changes: { credit_note_id: creditNoteId },
      })
    return delivery
  }
  try {
    await resendDelivery(delivery.id, userId)
  } catch (error: any) {
    throw new DeliveryError(error.message)
  }
  return Delivery.findOrFail(delivery.id)
}
