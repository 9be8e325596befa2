import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import { sqlTime } from '#lib/db_helpers'
import {
  conflictingResourceId,
  gcRequest,
  gocardlessConfig,
  type GoCardlessConfig,
} from '#payments/gocardless_client'
import { invoiceBalances } from '#payments/balances'
import { localToday } from '#payments/status'

/**
 * Finalizing a run charges every customer with an active mandate: one GoCardless payment per
 * invoice for what it still owes, on its due date (or today, if that has passed). The row is written
 * first with its idempotency key (`tollgate-invoice-<id>`), then POST /payments is sent with that key,
 * so a crash or a retry never charges twice: GoCardless answers a repeated key with 409
 * idempotent_creation_conflict naming the payment it already made, which is then adopted.
 */

export const idempotencyKeyFor = (invoiceId: number) => `tollgate-invoice-${invoiceId}`

async function queuePayments(invoiceIds?: number[]) {
  const mandates = await db
    .from('direct_debit_mandates')
    .where('status', 'active')
    .whereNotNull('mandate_id')
    .select('customer_id', 'mandate_id')
  if (!mandates.length) return
  const byCustomer = new Map(
    mandates.map((m: any) => [Number(m.customer_id), m.mandate_id as string])
  )
  const open = await invoiceBalances({
    openOnly: true,
    customerIds: [...byCustomer.keys()],
    invoiceIds,
  })
  const now = sqlTime()
  const rows = open.map((b) => ({
    invoice_id: b.id,
    customer_id: b.customerId,
    mandate_id: byCustomer.get(b.customerId)!,
    idempotency_key: idempotencyKeyFor(b.id),
    amount_minor: b.outstandingMinor,
    currency: b.currency,
    charge_date:
      b.dueDate && b.dueDate > localToday('Europe/London')
        ? b.dueDate
        : localToday('Europe/London'),
    status: 'creating',
    created_at: now,
    updated_at: now,
  }))
  if (rows.length)
    await db
      .knexQuery()
      .table('direct_debit_payments')
      .insert(rows)
      .onConflict('invoice_id')
      .ignore()
}

async function createOne(config: GoCardlessConfig, row: any) {
  const invoice = await db.from('invoices').where('id', row.invoice_id).select('number').first()
  const body = {
    payments: {
      amount: Number(row.amount_minor),
      currency: row.currency,
      charge_date: String(
        row.charge_date instanceof Date ? row.charge_date.toISOString() : row.charge_date
      ).slice(0, 10),
      description: `Invoice ${invoice?.number ?? row.invoice_id}`,
      metadata: {
        invoice_id: String(row.invoice_id),
        invoice_number: String(invoice?.number ?? ''),
      },
      links: { mandate: row.mandate_id },
    },
  }
  let payment: any
  try {
    payment = (await gcRequest(config, 'POST', '/payments', body, row.idempotency_key)).payments
  } catch (error) {
    const existing = conflictingResourceId(error)
    if (!existing) throw error
    payment = (await gcRequest(config, 'GET', `/payments/${encodeURIComponent(existing)}`)).payments
  }
  await db.from('direct_debit_payments').where('id', row.id).update({
    gc_payment_id: payment.id,
    status: payment.status,
    last_error: null,
    updated_at: sqlTime(),
  })
}

/** Creates the GoCardless payments that are due (new invoices, and earlier attempts that failed to reach GoCardless). */
export async function collectDirectDebits(filter: { invoiceIds?: number[] } = {}) {
  const config = gocardlessConfig()
  if (!config) return { created: 0, errors: 0, configured: false }
  // New collections only for the invoices given (a finalized run); without them, earlier attempts are retried.
  if (filter.invoiceIds) await queuePayments(filter.invoiceIds)
  const q = db
    .from('direct_debit_payments')
    .whereIn('status', ['creating', 'error'])
    .whereNull('gc_payment_id')
    .orderBy('id')
  if (filter.invoiceIds) q.whereIn('invoice_id', filter.invoiceIds)
  let created = 0
  let errors = 0
  for (const row of await q) {
    try {
      await createOne(config, row)
      created++
    } catch (error: any) {
      errors++
      logger.warn(
        { invoice_id: row.invoice_id, status: error?.status },
        'GoCardless payment not created'
      )
      await db
        .from('direct_debit_payments')
        .where('id', row.id)
        .update({
          status: 'error',
          last_error: String(error?.message ?? error).slice(0, 2000),
          updated_at: sqlTime(),
        })
    }
  }
  return { created, errors, configured: true }
}
