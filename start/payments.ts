/*
 * Payments hooks into billing (app/billing/hooks.ts): a new credit note settles its own invoice;
 * a finalized run charges the customers with a Direct Debit mandate.
 */
import logger from '@adonisjs/core/services/logger'
import { billingHooks } from '#billing/hooks'

billingHooks.creditNoteIssued.push(async (trx, creditNoteId, userId) => {
  const { applyCreditNoteToOwnInvoice } = await import('#payments/credit_applications')
  await applyCreditNoteToOwnInvoice(trx, creditNoteId, userId)
})

billingHooks.runFinalized.push(async (runId, invoiceIds) => {
  const { collectDirectDebits } = await import('#payments/gocardless_payments')
  // A failure to reach GoCardless is recorded per payment and retried by the scheduler.
  await collectDirectDebits({ invoiceIds }).catch((error) =>
    logger.error({ err: error, run_id: runId }, 'Direct Debit collection failed')
  )
})
