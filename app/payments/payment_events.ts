import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import Invoice from '#models/invoice'
import { invoiceBalances } from '#payments/balances'
import { recordWebhookEventOnce } from '#webhooks/once'
import { invoiceOverduePayload, invoicePaidPayload } from '#webhooks/payloads'

/**
 * The payment events receivers subscribe to, each recorded once per invoice (webhook_event_keys):
 * invoice.paid in the transaction whose allocation settles the invoice, invoice.overdue by the
 * scheduler's dunning pass on the customer's first local day past the due date. An invoice that is
 * paid, reopened by a charge-back and paid again is still reported paid once.
 */

async function invoicesFor(client: QueryClientContract, ids: number[]) {
  const rows = await Invoice.query({ client }).whereIn('id', ids).preload('customer')
  return new Map(rows.map((i) => [i.id, i]))
}

/** After money was put against these invoices (same transaction): invoice.paid for each now settled. */
export async function emitPaidEvents(client: QueryClientContract, invoiceIds: number[]) {
  if (!invoiceIds.length) return 0
  const settled = (await invoiceBalances({ invoiceIds }, client)).filter(
    (b) => b.outstandingMinor <= 0
  )
  if (!settled.length) return 0
  const invoices = await invoicesFor(
    client,
    settled.map((b) => b.id)
  )
  let recorded = 0
  for (const b of settled) {
    const invoice = invoices.get(b.id)
    if (!invoice) continue
    const data = invoicePaidPayload(invoice, b)
    if (await recordWebhookEventOnce(`invoice.paid:${b.id}`, 'invoice.paid', data, client))
      recorded++
  }
  return recorded
}

/** invoice.overdue for every invoice owing money past its due date in its customer's time zone. */
export async function emitOverdueEvents(now: Date = new Date()) {
  const overdue = (await invoiceBalances({ openOnly: true, now })).filter(
    (b) => b.status === 'overdue'
  )
  if (!overdue.length) return 0
  const done = new Set(
    (
      await db
        .from('webhook_event_keys')
        .whereIn(
          'event_key',
          overdue.map((b) => `invoice.overdue:${b.id}`)
        )
        .select('event_key')
    ).map((r: any) => String(r.event_key))
  )
  let recorded = 0
  for (const b of overdue.filter((o) => !done.has(`invoice.overdue:${o.id}`))) {
    const created = await db.transaction(async (trx) => {
      const invoice = await Invoice.query({ client: trx })
        .where('id', b.id)
        .preload('customer')
        .first()
      if (!invoice) return null
      return recordWebhookEventOnce(
        `invoice.overdue:${b.id}`,
        'invoice.overdue',
        invoiceOverduePayload(invoice, b),
        trx
      )
    })
    if (created) recorded++
  }
  return recorded
}
