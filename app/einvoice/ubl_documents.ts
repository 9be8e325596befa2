import { DateTime } from 'luxon'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import CreditNote from '#models/credit_note'
import Customer from '#models/customer'
import { e4ToMinor } from '#lib/money'
import { normaliseVatNumber } from '#lib/vat_number'
import { EInvoiceError } from '#einvoice/errors'
import { buildUbl } from '#einvoice/ubl_builder'
import { checkDocument } from '#einvoice/document_checks'
import { parseFreeAddress } from '#einvoice/address_parse'
import { sellerDetails } from '#einvoice/seller'
import { invoicedBuyer, type InvoicedBuyer } from '#einvoice/buyer_snapshot'
import { creditVatGroups, vatGroups } from '#einvoice/vat'
import type {
  ElectronicAddress,
  UblDocument,
  UblLine,
  UblParty,
  UblVatGroup,
} from '#einvoice/types'

/**
 * The e-invoice (UBL 2.1, Peppol BIS Billing 3.0) of a finalized invoice or a credit note,
 * for the admin UI, the REST API and the email. Amounts are the stored document's, never
 * recomputed differently: the VAT breakdown per (category, rate) must add up to the stored
 * VAT and net, or the document is refused rather than disagree with its PDF.
 * Seller name, VAT and company number come from the invoice's snapshot (as printed), and so does
 * the whole buyer (name, references, addresses, VAT number) as at finalize; the seller's structured
 * and electronic addresses are the current e-invoicing details.
 */

export async function invoiceUbl(invoiceId: number): Promise<{ filename: string; xml: string }> {
  const invoice = await Invoice.find(invoiceId)
  if (!invoice) throw new EInvoiceError('Invoice not found', 'invoice', 'not_found')
  if (invoice.status !== 'finalized' || !invoice.number)
    throw new EInvoiceError(
      'A draft has no e-invoice: finalize it first',
      'invoice.status',
      'state'
    )
  const lines = await InvoiceLine.query().where('invoice_id', invoice.id).orderBy('id')
  const buyer = invoicedBuyer(invoice, await Customer.findOrFail(invoice.customerId))
  const vat = vatGroups(lines)
  assertAgrees(invoice.number, vat, invoice.subtotalMinor, invoice.taxMinor)
  const parties = await partiesOf(invoice, buyer)
  const doc: UblDocument = {
    kind: 'invoice',
    number: invoice.number,
    issueDate: isoDate(invoice.issueDate)!,
    dueDate: isoDate(invoice.dueDate),
    taxPointDate: isoDate(invoice.taxPoint),
    currency: invoice.currency,
    ...references(buyer),
    period: periodOf(invoice.period),
    billingReference: null,
    note: null,
    paymentTerms: `Payment within ${buyer.paymentTermsDays} days of the invoice date`,
    paymentAccount: parties.paymentAccount,
    seller: parties.seller,
    buyer: parties.buyer,
    lines: lines.map(toUblLine),
    vat,
    totals: totals(invoice.subtotalMinor, invoice.taxMinor),
  }
  checkDocument(doc, `${buyer.name} (${buyer.accountNumber})`)
  return { filename: `${invoice.number}.xml`, xml: buildUbl(doc) }
}

export async function creditNoteUbl(
  creditNoteId: number
): Promise<{ filename: string; xml: string }> {
  const note = await CreditNote.find(creditNoteId)
  if (!note) throw new EInvoiceError('Credit note not found', 'credit_note', 'not_found')
  const invoice = await Invoice.findOrFail(note.invoiceId)
  const buyer = invoicedBuyer(invoice, await Customer.findOrFail(invoice.customerId))
  const lines = await InvoiceLine.query().where('invoice_id', invoice.id).orderBy('id')
  const prior = await CreditNote.query()
    .where('invoice_id', invoice.id)
    .where('id', '<', note.id)
    .orderBy('id')
  const vat = creditVatGroups(
    vatGroups(lines),
    note,
    prior.map((p) => p.subtotalMinor)
  )
  assertAgrees(note.number, vat, note.subtotalMinor, note.taxMinor)
  const parties = await partiesOf(invoice, buyer)
  const several = vat.length > 1
  const doc: UblDocument = {
    kind: 'credit_note',
    number: note.number,
    issueDate: isoDate(note.issueDate)!,
    dueDate: null,
    taxPointDate: null,
    currency: invoice.currency,
    ...references(buyer),
    period: periodOf(invoice.period),
    billingReference: { number: invoice.number!, issueDate: isoDate(invoice.issueDate) },
    note: note.reason,
    paymentTerms: `Credit against invoice ${invoice.number}: it reduces the amount due on that invoice`,
    paymentAccount: null,
    seller: parties.seller,
    buyer: parties.buyer,
    lines: vat.map((g, i) => ({
      id: String(i + 1),
      name: several ? `${note.reason} (${g.category} ${g.rateBp / 100}%)` : note.reason,
      quantityE3: 1000,
      unitCode: 'C62',
      netMinor: g.taxableMinor,
      unitPriceE4: Math.abs(g.taxableMinor) * 100,
      vatCategory: g.category,
      rateBp: g.rateBp,
    })),
    vat,
    totals: totals(note.subtotalMinor, note.taxMinor),
  }
  checkDocument(doc, `${buyer.name} (${buyer.accountNumber})`)
  return { filename: `${note.number}.xml`, xml: buildUbl(doc) }
}

function assertAgrees(number: string, vat: UblVatGroup[], netMinor: number, taxMinor: number) {
  const net = vat.reduce((s, g) => s + g.taxableMinor, 0)
  const tax = vat.reduce((s, g) => s + g.taxMinor, 0)
  if (net !== netMinor || tax !== taxMinor) {
    throw new EInvoiceError(
      `${number}: its VAT breakdown (net ${net}, VAT ${tax} in minor units) does not add up to the document (net ${netMinor}, VAT ${taxMinor}); no e-invoice is produced`,
      'vat',
      'state'
    )
  }
}

function totals(netMinor: number, taxMinor: number) {
  return {
    lineExtensionMinor: netMinor,
    taxExclusiveMinor: netMinor,
    taxMinor,
    taxInclusiveMinor: netMinor + taxMinor,
    payableMinor: netMinor + taxMinor,
  }
}

function references(buyer: InvoicedBuyer) {
  const buyerReference = buyer.buyerReference?.trim() || null
  const orderReference = buyer.poNumber?.trim() || null
  // PEPPOL-EN16931-R003 wants one of the two; the account number is the buyer's own reference to us.
  return {
    buyerReference: buyerReference ?? (orderReference ? null : buyer.accountNumber),
    orderReference,
  }
}

function periodOf(period: string) {
  const start = DateTime.fromFormat(period, 'yyyy-MM', { zone: 'utc' })
  return start.isValid
    ? { start: start.toISODate()!, end: start.endOf('month').toISODate()! }
    : null
}

function isoDate(value: DateTime | null | undefined) {
  return value ? value.toISODate() : null
}

/** A UK VAT number is a Peppol address of its own (EAS 9932) when nothing better is set. */
function vatEndpoint(vatNumber: string | null | undefined): ElectronicAddress | null {
  const vat = vatNumber ? normaliseVatNumber(vatNumber) : ''
  return /^GB\d{9}(\d{3})?$/.test(vat) ? { scheme: '9932', id: vat } : null
}

async function partiesOf(
  invoice: Invoice,
  buyer: InvoicedBuyer
): Promise<{ seller: UblParty; buyer: UblParty; paymentAccount: UblDocument['paymentAccount'] }> {
  const supplier = invoice.snapshot?.supplier ?? {}
  const details = await sellerDetails()
  const sellerAddress = details.address.country
    ? details.address
    : (parseFreeAddress(String(supplier.address ?? '')) ?? details.address)
  const seller: UblParty = {
    name: String(supplier.name ?? ''),
    endpoint: details.endpoint ?? vatEndpoint(supplier.vat_number),
    address: sellerAddress,
    vatNumber: supplier.vat_number ? normaliseVatNumber(supplier.vat_number) : null,
    companyId: supplier.company_number || null,
    email: supplier.email || null,
    phone: supplier.phone || null,
  }
  const buyerParty: UblParty = {
    name: buyer.name,
    endpoint: buyer.endpoint ?? vatEndpoint(buyer.vatNumber),
    address: buyer.address,
    vatNumber: buyer.vatNumber ? normaliseVatNumber(buyer.vatNumber) : null,
    companyId: null,
    email: buyer.email,
    phone: null,
  }
  return { seller, buyer: buyerParty, paymentAccount: details.paymentAccount }
}

function toUblLine(line: InvoiceLine, index: number): UblLine {
  const sign = line.amountMinor < 0 ? -1 : 1
  const quantityE3 =
    line.unitQuantityE3 && line.unitQuantityE3 !== 0
      ? line.unitQuantityE3
      : Math.max(1, line.quantity) * 1000
  const unitCode = line.unitQuantityE3 ? line.unitCode : 'C62'
  // A stored unit price is the line's own only when quantity × price rounds to the line's amount.
  const exact =
    line.unitPriceE4 > 0 &&
    unitCode === 'C62' &&
    e4ToMinor(line.quantity * line.unitPriceE4) === Math.abs(line.amountMinor)
  return {
    id: String(index + 1),
    name: line.description,
    quantityE3: sign * Math.abs(quantityE3),
    unitCode,
    netMinor: line.amountMinor,
    unitPriceE4: exact ? line.unitPriceE4 : null,
    vatCategory: line.vatCategory ?? (line.taxRateBp > 0 ? 'S' : 'Z'),
    rateBp: line.taxRateBp,
  }
}
