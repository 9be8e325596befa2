import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { isResendable } from '#deliveries/deliveries'

/** Read model of the deliveries page: invoice and credit note emails, newest first, with counts by status. */

export interface DeliveryListItem {
  id: number
  documentType: 'invoice' | 'credit_note'
  invoiceId: number
  creditNoteId: number | null
  number: string | null
  invoiceNumber: string | null
  period: string
  customer: string
  account: string
  to: string
  status: string
  attempts: number
  messageId: string | null
  lastError: string | null
  nextAttemptAt: string | null
  sentAt: string | null
  canResend: boolean
}

export type DeliveriesIndexProps = {
  status: string
  type: string
  counts: Record<string, number>
  deliveries: DeliveryListItem[]
}

/** `status`/`type` filter when they are one of the known values, else everything (the last 500). */
export async function deliveriesIndexProps(
  status: string,
  type: string
): Promise<DeliveriesIndexProps> {
  const rows = await db
    .from('deliveries')
    .leftJoin('credit_notes', 'credit_notes.id', 'deliveries.credit_note_id')
    .join('invoices', (j) =>
      j
        .on('invoices.id', '=', 'deliveries.invoice_id')
        .orOn('invoices.id', '=', 'credit_notes.invoice_id')
    )
    .join('customers', 'customers.id', 'invoices.customer_id')
    .if(['queued', 'sending', 'sent', 'failed'].includes(status), (q) =>
      q.where('deliveries.status', status)
    )
    .if(['invoice', 'credit_note'].includes(type), (q) => q.where('deliveries.document_type', type))
    .select(
      'deliveries.*',
      'invoices.id as document_invoice_id',
      'invoices.number',
      'invoices.period',
      'credit_notes.number as credit_note_number',
      'customers.name as customer_name',
      'customers.account_number'
    )
    .orderBy('deliveries.id', 'desc')
    .limit(500)
  const counts = await db.from('deliveries').select('status').count('* as n').groupBy('status')
  return {
    status,
    type,
    counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
    deliveries: rows.map((r) => {
      const updated = r.updated_at
        ? DateTime.fromJSDate(
            new Date(
              r.updated_at instanceof Date
                ? r.updated_at
                : String(r.updated_at).replace(' ', 'T') + 'Z'
            )
          )
        : null
      return {
        id: r.id,
        documentType: r.document_type,
        invoiceId: r.document_invoice_id,
        creditNoteId: r.credit_note_id ?? null,
        number: r.document_type === 'credit_note' ? r.credit_note_number : r.number,
        invoiceNumber: r.number,
        period: r.period,
        customer: r.customer_name,
        account: r.account_number,
        to: r.to_address,
        status: r.status,
        attempts: Number(r.attempts),
        messageId: r.message_id,
        lastError: r.last_error,
        nextAttemptAt: r.next_attempt_at
          ? String(
              r.next_attempt_at instanceof Date
                ? r.next_attempt_at.toISOString()
                : r.next_attempt_at
            )
          : null,
        sentAt: r.sent_at
          ? String(r.sent_at instanceof Date ? r.sent_at.toISOString() : r.sent_at)
          : null,
        canResend: isResendable({ status: r.status, updatedAt: updated }),
      }
    }),
  }
}
