import { createHmac, timingSafeEqual } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { audit } from '#lib/audit'
import { isDuplicateKey, isMysql, sqlTime } from '#lib/db_helpers'
import { gocardlessConfig } from '#payments/gocardless_client'
import { recordPaymentIn } from '#payments/payments'
import { invoiceBalance } from '#payments/balances'

/**
 * GoCardless webhooks: a POST whose `Webhook-Signature` header is the hex HMAC-SHA256 of the raw
 * body with the endpoint's secret, carrying `{ events: [...] }`. Each event is applied once
 * (gocardless_events.event_id unique), in one transaction with its effect:
 *   payments confirmed / paid_out → a payment (method direct_debit) against the invoice
 *   payments failed / charged_back → that payment is removed, so the invoice is owed again and dunning
 *     takes it up on its schedule
 *   mandates cancelled / failed / expired → no more collections on it
 */

export class InvalidSignature extends Error {}

export function verifySignature(rawBody: string, signature: string | undefined, secret: string) {
  if (!secret || !signature) return false
  const expected = createHmac('sha256', secret).update(rawBody).digest('hex')
  const given = Buffer.from(signature.trim(), 'utf8')
  const wanted = Buffer.from(expected, 'utf8')
  return given.length === wanted.length && timingSafeEqual(given, wanted)
}

const CONFIRMED = new Set(['confirmed', 'paid_out'])
const REVERSED = new Set(['failed', 'charged_back', 'late_failure_settled', 'chargeback_settled'])

async function onPaymentEvent(trx: TransactionClientContract, event: any) {
  const gcId = event.links?.payment
  const q = trx.from('direct_debit_payments').where('gc_payment_id', gcId ?? '')
  if (isMysql(trx)) q.forUpdate()
  const row = gcId ? await q.first() : null
  if (!row) return 'unknown_payment'
  const action = String(event.action)
  const status = ['late_failure_settled'].includes(action)
    ? 'failed'
    : action === 'chargeback_settled'
      ? 'charged_back'
      : action
  if (CONFIRMED.has(action) && !row.payment_id) {
    const balance = await invoiceBalance(Number(row.invoice_id), trx)
    const owed = Math.max(0, balance?.outstandingMinor ?? 0)
    const amount = Number(row.amount_minor)
    const payment = await recordPaymentIn(trx, {
      customerId: Number(row.customer_id),
      receivedOn: String(event.created_at ?? new Date().toISOString()).slice(0, 10),
      amountMinor: amount,
      method: 'direct_debit',
      reference: `GoCardless ${gcId}`,
      source: 'direct_debit',
      allocations: owed
        ? [{ invoiceId: Number(row.invoice_id), amountMinor: Math.min(owed, amount) }]
        : [],
    })
    await trx
      .from('direct_debit_payments')
      .where('id', row.id)
      .update({ status, payment_id: payment.id, updated_at: sqlTime() })
    return 'recorded'
  }
  if (REVERSED.has(action) && row.payment_id) {
    await trx.from('payment_allocations').where('payment_id', row.payment_id).delete()
    await trx.from('payments').where('id', row.payment_id).delete()
    await audit(
      {
        action: 'payment.reverse',
        subjectType: 'payment',
        subjectId: Number(row.payment_id),
        changes: { gocardless_payment: gcId, action, cause: event.details?.cause ?? null },
      },
      trx
    )
  }
  await trx
    .from('direct_debit_payments')
    .where('id', row.id)
    .update({
      status,
      payment_id: REVERSED.has(action) ? null : row.payment_id,
      last_error: REVERSED.has(action)
        ? String(event.details?.description ?? action).slice(0, 2000)
        : row.last_error,
      updated_at: sqlTime(),
    })
  return 'updated'
}

async function applyEvent(event: any) {
  return db.transaction(async (trx) => {
    try {
      await trx.table('gocardless_events').insert({
        event_id: String(event.id),
        resource_type: String(event.resource_type ?? ''),
        action: String(event.action ?? ''),
        resource_id: event.links?.[String(event.resource_type ?? '').replace(/s$/, '')] ?? null,
        details: JSON.stringify(event.details ?? null),
        created_at: sqlTime(),
      })
    } catch (error) {
      if (isDuplicateKey(error)) return 'duplicate'
      throw error
    }
    if (event.resource_type === 'payments') return onPaymentEvent(trx, event)
    if (
      event.resource_type === 'mandates' &&
      ['cancelled', 'failed', 'expired'].includes(event.action)
    ) {
      await trx
        .from('direct_debit_mandates')
        .where('mandate_id', event.links?.mandate ?? '')
        .update({ status: event.action, updated_at: sqlTime() })
      return 'updated'
    }
    return 'ignored'
  })
}

/** Verifies and applies one webhook delivery; throws InvalidSignature (answer 498) when it is not GoCardless's. */
export async function handleWebhook(rawBody: string, signature: string | undefined) {
  const secret = gocardlessConfig()?.webhookSecret ?? process.env.GOCARDLESS_WEBHOOK_SECRET ?? ''
  if (!verifySignature(rawBody, signature, secret))
    throw new InvalidSignature('Invalid Webhook-Signature')
  let events: any[]
  try {
    events = JSON.parse(rawBody).events
  } catch {
    throw new InvalidSignature('The body is not JSON')
  }
  const outcomes: Record<string, number> = {}
  for (const event of Array.isArray(events) ? events : []) {
    const outcome = await applyEvent(event)
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
  }
  return outcomes
}
