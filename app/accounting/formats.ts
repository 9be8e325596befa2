import { formatScaled } from '#lib/money'
import { categoryLabel, humanise } from '#lib/labels'
import type { AccountingSettings, TaxCodes } from '#accounting/settings'
import type { ReceivedPayment, SalesDocument } from '#accounting/documents'
import type { PostingLine } from '#accounting/postings'
import { AccountingError } from '#accounting/errors'

/**
 * The import files of each accounts package, with the header names and date formats their import
 * templates document (docs/accounting.md lists them with their sources). Pure: documents and
 * settings in, header and rows of plain cells out; amounts are 2-dp strings of the minor units.
 */

export type Product = 'xero' | 'sage' | 'quickbooks'
export type FileKind = 'sales' | 'payments'

export interface ExportTable {
  headers: string[]
  rows: string[][]
}

export const PRODUCTS: Record<Product, string> = {
  xero: 'Xero',
  sage: 'Sage 50 Accounts',
  quickbooks: 'QuickBooks Online',
}

export const FILE_KINDS: Record<Product, Record<FileKind, string>> = {
  xero: {
    sales: 'Sales invoices and credit notes (Sales → Invoices → Import)',
    payments: 'Payments received (bank statement import, then reconcile)',
  },
  sage: {
    sales: 'Audit trail transactions: SI and SC',
    payments: 'Audit trail transactions: SA receipts on account',
  },
  quickbooks: {
    sales: 'Invoices (Settings → Import data → Invoices)',
    payments: 'Payments received (Banking → Upload transactions)',
  },
}

const amount = (minor: number) => formatScaled(minor, 2)

/** dd/mm/yyyy from YYYY-MM-DD, the UK date of all three imports. */
export const ukDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`

function taxCodes(settings: AccountingSettings, rateBp: number, doc: { number: string }): TaxCodes {
  const codes = settings.taxes.find((t) => t.rateBp === rateBp)
  if (!codes)
    throw new AccountingError(
      `${doc.number} has VAT at ${formatScaled(rateBp, 2)}%, which has no tax codes: add the rate under Accounts → Codes`,
      'taxes'
    )
  return codes
}

const accountOf = (settings: AccountingSettings, category: string) =>
  settings.accounts[category] ?? settings.accounts.other

function describe(doc: SalesDocument, line: PostingLine) {
  if (doc.kind === 'credit_note')
    return `Credit note against ${doc.reference}${doc.narrative ? `: ${doc.narrative}` : ''}`
  return `${categoryLabel(line.category)} (${doc.reference})`
}

export const XERO_SALES_HEADERS = [
  '*ContactName',
  'EmailAddress',
  'POAddressLine1',
  'POAddressLine2',
  'POAddressLine3',
  'POAddressLine4',
  'POCity',
  'PORegion',
  'POPostalCode',
  'POCountry',
  '*InvoiceNumber',
  'Reference',
  '*InvoiceDate',
  '*DueDate',
  'InventoryItemCode',
  '*Description',
  '*Quantity',
  '*UnitAmount',
  'Discount',
  '*AccountCode',
  '*TaxType',
  'TaxAmount',
  'TrackingName1',
  'TrackingOption1',
  'TrackingName2',
  'TrackingOption2',
  'Currency',
  'BrandingTheme',
]

/** Xero: a document whose lines are negative is imported as a credit note. */
function xeroSales(docs: SalesDocument[], settings: AccountingSettings): ExportTable {
  const rows = docs.flatMap((doc) =>
    doc.lines.map((line) => {
      const sign = doc.kind === 'credit_note' ? -1 : 1
      const reference =
        doc.kind === 'credit_note'
          ? doc.reference
          : `${doc.customer.accountNumber} ${doc.reference}`
      return [
        doc.customer.name,
        doc.customer.email ?? '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        doc.number,
        reference,
        ukDate(doc.date),
        ukDate(doc.dueDate),
        '',
        describe(doc, line),
        '1',
        amount(sign * line.netMinor),
        '',
        accountOf(settings, line.category),
        taxCodes(settings, line.rateBp, doc).xero,
        amount(sign * line.taxMinor),
        '',
        '',
        '',
        '',
        doc.currency,
        '',
      ]
    })
  )
  return { headers: XERO_SALES_HEADERS, rows }
}

export const XERO_PAYMENTS_HEADERS = [
  '*Date',
  '*Amount',
  'Payee',
  'Description',
  'Reference',
  'Cheque Number',
]

function xeroPayments(payments: ReceivedPayment[]): ExportTable {
  return {
    headers: XERO_PAYMENTS_HEADERS,
    rows: payments.map((p) => [
      ukDate(p.receivedOn),
      amount(p.amountMinor),
      p.customer.name,
      `${humanise(p.method)} from ${p.customer.accountNumber}`,
      p.reference ?? '',
      '',
    ]),
  }
}

export const SAGE_HEADERS = [
  'Type',
  'Account Reference',
  'Nominal A/C Ref',
  'Department',
  'Date',
  'Reference',
  'Details',
  'Net Amount',
  'Tax Code',
  'Tax Amount',
  'Exchange Rate',
  'Extra Reference',
  'User Name',
]

/** Sage: amounts are positive, the type (SI invoice, SC credit, SA receipt on account) gives the direction. */
function sageSales(docs: SalesDocument[], settings: AccountingSettings): ExportTable {
  const rows = docs.flatMap((doc) =>
    doc.lines.map((line) => [
      doc.kind === 'credit_note' ? 'SC' : 'SI',
      doc.customer.accountNumber,
      accountOf(settings, line.category),
      '',
      ukDate(doc.date),
      doc.number.slice(0, 30),
      describe(doc, line).slice(0, 60),
      amount(line.netMinor),
      taxCodes(settings, line.rateBp, doc).sage,
      amount(line.taxMinor),
      '',
      doc.kind === 'credit_note' ? doc.reference.slice(0, 30) : '',
      'Tollgate',
    ])
  )
  return { headers: SAGE_HEADERS, rows }
}

function sagePayments(payments: ReceivedPayment[], settings: AccountingSettings): ExportTable {
  const rows = payments.map((p) => [
    'SA',
    p.customer.accountNumber,
    settings.sageBankNominal,
    '',
    ukDate(p.receivedOn),
    (p.reference ?? `PAY-${p.id}`).slice(0, 30),
    `${humanise(p.method)} received`.slice(0, 60),
    amount(p.amountMinor),
    'T9',
    '0.00',
    '',
    `PAY-${p.id}`,
    'Tollgate',
  ])
  return { headers: SAGE_HEADERS, rows }
}

export const QUICKBOOKS_SALES_HEADERS = [
  'InvoiceNo',
  'Customer',
  'InvoiceDate',
  'DueDate',
  'Terms',
  'Location',
  'Memo',
  'Item(Product/Service)',
  'ItemDescription',
  'ItemQuantity',
  'ItemRate',
  'ItemAmount',
  'ItemTaxCode',
  'ItemTaxAmount',
  'Currency',
]

/** QuickBooks: the product/service carries the income account, so it is named by the account code and category. */
function quickbooksSales(docs: SalesDocument[], settings: AccountingSettings): ExportTable {
  const rows = docs.flatMap((doc) =>
    doc.lines.map((line) => {
      const sign = doc.kind === 'credit_note' ? -1 : 1
      const item = `${accountOf(settings, line.category)} ${categoryLabel(line.category)}`
      return [
        doc.number.slice(0, 21),
        doc.customer.name,
        ukDate(doc.date),
        ukDate(doc.dueDate),
        '',
        '',
        doc.kind === 'credit_note'
          ? `Credit note against ${doc.reference}`
          : `${doc.customer.accountNumber} ${doc.reference}`,
        item,
        describe(doc, line),
        '1',
        amount(sign * line.netMinor),
        amount(sign * line.netMinor),
        taxCodes(settings, line.rateBp, doc).quickbooks,
        amount(sign * line.taxMinor),
        doc.currency,
      ]
    })
  )
  return { headers: QUICKBOOKS_SALES_HEADERS, rows }
}

export const QUICKBOOKS_PAYMENTS_HEADERS = ['Date', 'Description', 'Amount']

function quickbooksPayments(payments: ReceivedPayment[]): ExportTable {
  return {
    headers: QUICKBOOKS_PAYMENTS_HEADERS,
    rows: payments.map((p) => [
      ukDate(p.receivedOn),
      `${p.customer.name} ${p.reference ?? ''}`.trim(),
      amount(p.amountMinor),
    ]),
  }
}

export function buildTable(
  product: Product,
  kind: FileKind,
  input: { docs: SalesDocument[]; payments: ReceivedPayment[]; settings: AccountingSettings }
): ExportTable {
  if (kind === 'payments') {
    if (product === 'xero') return xeroPayments(input.payments)
    if (product === 'sage') return sagePayments(input.payments, input.settings)
    return quickbooksPayments(input.payments)
  }
  if (product === 'xero') return xeroSales(input.docs, input.settings)
  if (product === 'sage') return sageSales(input.docs, input.settings)
  return quickbooksSales(input.docs, input.settings)
}
