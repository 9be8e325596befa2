import Delivery from '#models/delivery'
import { createCreditNote } from '#billing/credit_notes'
import { deliverDue, type DeliverOptions } from '#deliveries/deliveries'

/**
 * Issues a credit note and, when `auto_send` queued its email, starts sending it at once
 * (`sending`, not awaited by the web request; a failure is retried by the scheduler's
 * send_invoices job with the usual backoff).
 */
export async function issueCreditNote(
  input: Parameters<typeof createCreditNote>[0],
  options: Pick<DeliverOptions, 'mailer'> = {}
) {
  const note = await createCreditNote(input)
  const delivery = await Delivery.findBy('credit_note_id', note.id)
  const sending =
    delivery?.status === 'queued'
      ? deliverDue({ creditNoteIds: [note.id], mailer: options.mailer })
      : null
  return { note, delivery, sending }
}
