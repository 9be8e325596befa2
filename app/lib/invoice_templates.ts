/**
 * The invoice layouts a customer can be given (customers.invoice_template). One catalogue for the
 * validator, the customer pages and the invoice renderer, so a choice that passes validation is
 * always one the renderer knows. A leaf with no imports: Vue pages import it too.
 *
 * Every layout prints the summary page (parties, charges by category, VAT, totals, how to pay);
 * they differ in how much per-user detail follows it. Itemised calls follow the customer's own
 * "itemise every call" switch whatever the layout.
 */

export interface InvoiceTemplate {
  key: string
  label: string
  help: string
  /** the cost-by-user table (departments, subtotals, Microsoft 365 licences) */
  costByUser: boolean
  /** each user's charges service by service, then unallocated numbers and account charges */
  perUser: boolean
}

export const INVOICE_TEMPLATES: readonly InvoiceTemplate[] = [
  {
    key: 'detailed',
    label: 'Full detail',
    help: 'Summary, cost by user and every user’s charges service by service',
    costByUser: true,
    perUser: true,
  },
  {
    key: 'cost_by_user',
    label: 'Summary and cost by user',
    help: 'Summary and one table of cost per user and department, without each user’s lines',
    costByUser: true,
    perUser: false,
  },
  {
    key: 'summary',
    label: 'Summary only',
    help: 'One page: charges by category, VAT and totals',
    costByUser: false,
    perUser: false,
  },
]

export const DEFAULT_INVOICE_TEMPLATE = 'detailed'

export const INVOICE_TEMPLATE_KEYS = INVOICE_TEMPLATES.map((t) => t.key)

/** The layout of a key; an unknown or missing key (an old snapshot) prints in full detail. */
export function invoiceTemplate(key: string | null | undefined): InvoiceTemplate {
  return (
    INVOICE_TEMPLATES.find((t) => t.key === key) ??
    INVOICE_TEMPLATES.find((t) => t.key === DEFAULT_INVOICE_TEMPLATE)!
  )
}
