/*
 * Wires billing's credit notes to documents and deliveries, which billing may not import (the
 * folder direction checked by lint:architecture: billing → documents → mails → deliveries).
 * Preloaded after start/payments.ts, so a note settles its invoice before its email is queued.
 */
import { billingHooks } from '#billing/hooks'
import { getSettings, isOn } from '#billing/settings'

billingHooks.creditNoteIssued.push(async (trx, creditNoteId) => {
  if (!isOn((await getSettings(trx)).auto_send)) return
  const { queueCreditNoteDeliveries } = await import('#deliveries/deliveries')
  await queueCreditNoteDeliveries([creditNoteId], trx)
})

billingHooks.creditNoteCommitted.push(async (creditNoteId) => {
  const { storeCreditNotePdf } = await import('#documents/credit_note_pdf')
  await storeCreditNotePdf(creditNoteId)
})
