/*
 * The `data` of each event, as receivers get it (docs/webhooks.md documents every field).
 * Amounts are integers in minor units (pence) with their currency, as everywhere in Tollgate.
 */

export function invoicePayload(invoice: {
  id: number
  number: string | null
  period: string
  currency: string
  subtotalMinor: number
  taxMinor: number
  totalMinor: number
  issueDate: { toISODate(): string | null } | null
  dueDate: { toISODate(): string | null } | null
  customer: { id: number; accountNumber: string; name: string }
}) {
  return {
    invoice: {
      id: invoice.id,
      number: invoice.number,
      period: invoice.period,
      issue_date: invoice.issueDate?.toISODate() ?? null,
      due_date: invoice.dueDate?.toISODate() ?? null,
      currency: invoice.currency,
      subtotal_minor: invoice.subtotalMinor,
      tax_minor: invoice.taxMinor,
      total_minor: invoice.totalMinor,
    },
    customer: { id: invoice.customer.id, account_number: invoice.customer.accountNumber, name: invoice.customer.name },
  }
}

export function creditNotePayload(
  note: { id: number; number: string; reason: string; subtotalMinor: number; taxMinor: number; totalMinor: number; issueDate: { toISODate(): string | null } | null },
  invoice: { id: number; number: string | null; currency: string; customerId: number }
) {
  return {
    credit_note: {
      id: note.id,
      number: note.number,
      reason: note.reason,
      issue_date: note.issueDate?.toISODate() ?? null,
      currency: invoice.currency,
      subtotal_minor: note.subtotalMinor,
      tax_minor: note.taxMinor,
      total_minor: note.totalMinor,
    },
    invoice: { id: invoice.id, number: invoice.number, customer_id: invoice.customerId },
  }
}

export function importPayload(summary: {
  import_id: number
  status: string
  read: number
  imported: number
  duplicates: number
  rejected: number
  error?: string
}, source: { fileName: string | null; connectorId: number | null; customerId: number | null }) {
  return {
    import: {
      id: summary.import_id,
      status: summary.status,
      file_name: source.fileName,
      connector_id: source.connectorId,
      customer_id: source.customerId,
      read: summary.read,
      imported: summary.imported,
      duplicates: summary.duplicates,
      rejected: summary.rejected,
      error: summary.error ?? null,
    },
  }
}
