import Customer from '#models/customer'
import CreditNote from '#models/credit_note'
import Invoice from '#models/invoice'

/**
 * Read models of the portal pages outside the insights views: the customer's invoices and credit
 * notes (portal/invoices) and the set-a-password page of an invitation link (portal/invite).
 * Amounts are integer minor units in the document's currency.
 */

/** A finalized invoice of the customer's. */
export type PortalInvoiceRow = {
  id: number
  number: string | null
  period: string
  issueDate: string | null
  dueDate: string | null
  currency: string
  subtotalMinor: number
  taxMinor: number
  totalMinor: number
  hasPdf: boolean
}

/** A credit note against one of the customer's finalized invoices. */
export type PortalCreditNoteRow = {
  id: number
  number: string
  invoiceId: number
  invoiceNumber: string
  issueDate: string | null
  reason: string
  currency: string
  subtotalMinor: number
  taxMinor: number
  totalMinor: number
  pdfUrl: string
}

export type PortalInvoicesProps = {
  customer: { id: number; name: string; accountNumber: string; currency: string }
  /** Newest period first. */
  invoices: PortalInvoiceRow[]
  /** Newest first. */
  creditNotes: PortalCreditNoteRow[]
}

/** The customer's finalized invoices and the credit notes against them (the page and its exports). */
export async function portalInvoicesProps(customer: Customer): Promise<PortalInvoicesProps> {
  const invoices = await Invoice.query()
    .where('customer_id', customer.id)
    .where('status', 'finalized')
    .orderBy('period', 'desc')
    .orderBy('id', 'desc')
  const notes = await CreditNote.query()
    .join('invoices', 'invoices.id', 'credit_notes.invoice_id')
    .where('invoices.customer_id', customer.id)
    .where('invoices.status', 'finalized')
    .select(
      'credit_notes.*',
      'invoices.number as invoice_number',
      'invoices.currency as invoice_currency'
    )
    .orderBy('credit_notes.id', 'desc')
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      accountNumber: customer.accountNumber,
      currency: customer.currency,
    },
    invoices: invoices.map((i) => ({
      id: i.id,
      number: i.number,
      period: i.period,
      issueDate: i.issueDate?.toISODate() ?? null,
      dueDate: i.dueDate?.toISODate() ?? null,
      currency: i.currency,
      subtotalMinor: i.subtotalMinor,
      taxMinor: i.taxMinor,
      totalMinor: i.totalMinor,
      hasPdf: true,
    })),
    creditNotes: notes.map((n) => ({
      id: n.id,
      number: n.number,
      invoiceId: n.invoiceId,
      invoiceNumber: String(n.$extras.invoice_number),
      issueDate: n.issueDate.toISODate(),
      reason: n.reason,
      currency: String(n.$extras.invoice_currency),
      subtotalMinor: n.subtotalMinor,
      taxMinor: n.taxMinor,
      totalMinor: n.totalMinor,
      pdfUrl: `/portal/credit-notes/${n.id}/pdf`,
    })),
  }
}

/** The invitation page: the form when the link is valid, otherwise `error` (or the generic "no longer valid"). */
export type PortalInviteProps = {
  valid: boolean
  token: string | null
  customerName: string | null
  /** Why the form is not offered, when it is more than an unknown or expired link (too many attempts). */
  error: string | null
}

/** `invite`: the invitation the token opens, or null when it opens none (or was refused, with `error`). */
export async function portalInviteProps(
  token: string,
  invite: { customerId: number } | null,
  error: string | null = null
): Promise<PortalInviteProps> {
  if (!invite) return { valid: false, token: null, customerName: null, error }
  const customer = await Customer.find(invite.customerId)
  return { valid: true, token, customerName: customer?.name ?? null, error: null }
}
