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
    customer: {
      id: invoice.customer.id,
      account_number: invoice.customer.accountNumber,
      name: invoice.customer.name,
    },
  }
}

export function creditNotePayload(
  note: {
    id: number
    number: string
    reason: string
    subtotalMinor: number
    taxMinor: number
    totalMinor: number
    issueDate: { toISODate(): string | null } | null
  },
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

export function importPayload(
  summary: {
    import_id: number
    status: string
    read: number
    imported: number
    duplicates: number
    rejected: number
    error?: string
  },
  source: { fileName: string | null; connectorId: number | null; customerId: number | null }
) {
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

type InvoiceForPayload = Parameters<typeof invoicePayload>[0]

/** invoice.paid: the invoice (as in invoice.finalized) and how it was settled. */
export function invoicePaidPayload(
  invoice: InvoiceForPayload,
  settled: { paidMinor: number; creditedMinor: number }
) {
  return {
    ...invoicePayload(invoice),
    settlement: {
      paid_minor: settled.paidMinor,
      credited_minor: settled.creditedMinor,
      outstanding_minor: 0,
    },
  }
}

/** invoice.overdue: the invoice and what it still owes on the first day past its due date. */
export function invoiceOverduePayload(
  invoice: InvoiceForPayload,
  owed: { outstandingMinor: number; daysOverdue: number }
) {
  return {
    ...invoicePayload(invoice),
    outstanding_minor: owed.outstandingMinor,
    days_overdue: owed.daysOverdue,
  }
}

/** bill_shock.detected: one threshold crossed by a customer (employee null) or one employee, in a month still running. */
export function billShockPayload(alert: {
  id: number
  period: string
  currency: string
  thresholdMinor: number
  amountMinor: number
  customer: { id: number; accountNumber: string; name: string }
  employee: { id: number; name: string } | null
}) {
  return {
    alert: {
      id: alert.id,
      period: alert.period,
      currency: alert.currency,
      threshold_minor: alert.thresholdMinor,
      amount_minor: alert.amountMinor,
    },
    customer: {
      id: alert.customer.id,
      account_number: alert.customer.accountNumber,
      name: alert.customer.name,
    },
    employee: alert.employee ? { id: alert.employee.id, name: alert.employee.name } : null,
  }
}
