import { create } from 'xmlbuilder2'
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js'
import type { PostalAddress, UblDocument, UblLine, UblParty, UblVatGroup } from '#einvoice/types'

/**
 * UBL 2.1 Invoice / CreditNote XML under Peppol BIS Billing 3.0, from a finished document
 * model (types.ts). Pure: no database, no clock. Element order follows the UBL schema
 * sequence, which validators enforce; empty values are left out rather than written empty
 * (Peppol forbids empty elements).
 */

export const CUSTOMIZATION_ID =
  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'
export const PROFILE_ID = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0'
export const NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
}
const XMLNS = 'http://www.w3.org/2000/xmlns/'

/** Minor units as a decimal with two places ("-12.05"); never through a float. */
export function amount(minor: number): string {
  const sign = minor < 0 ? '-' : ''
  const abs = Math.abs(minor)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** A fixed-scale integer as a decimal with trailing zeros dropped ("12.5", "3"). */
export function scaled(value: number, scale: number): string {
  const sign = value < 0 ? '-' : ''
  const abs = Math.abs(value)
  const unit = 10 ** scale
  const fraction = String(abs % unit)
    .padStart(scale, '0')
    .replace(/0+$/, '')
  return `${sign}${Math.floor(abs / unit)}${fraction ? `.${fraction}` : ''}`
}

/** Basis points as a percentage ("20", "5.5"). */
export function percent(bp: number): string {
  return scaled(bp, 2)
}

type Node = XMLBuilder
const cbc = (
  parent: Node,
  name: string,
  text: string | null | undefined,
  attrs?: Record<string, string>
) => {
  if (text === null || text === undefined || text === '') return parent
  const el = parent.ele(NS.cbc, `cbc:${name}`)
  for (const [k, v] of Object.entries(attrs ?? {})) el.att(k, v)
  el.txt(text)
  return parent
}
const cac = (parent: Node, name: string) => parent.ele(NS.cac, `cac:${name}`)
const money = (parent: Node, name: string, minor: number, currency: string) =>
  cbc(parent, name, amount(minor), { currencyID: currency })

export function buildUbl(doc: UblDocument): string {
  const invoice = doc.kind === 'invoice'
  const root = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(invoice ? NS.invoice : NS.creditNote, invoice ? 'Invoice' : 'CreditNote')
    .att(XMLNS, 'xmlns:cac', NS.cac)
    .att(XMLNS, 'xmlns:cbc', NS.cbc)
  cbc(root, 'CustomizationID', CUSTOMIZATION_ID)
  cbc(root, 'ProfileID', PROFILE_ID)
  cbc(root, 'ID', doc.number)
  cbc(root, 'IssueDate', doc.issueDate)
  if (invoice) cbc(root, 'DueDate', doc.dueDate)
  cbc(root, invoice ? 'InvoiceTypeCode' : 'CreditNoteTypeCode', invoice ? '380' : '381')
  cbc(root, 'Note', doc.note)
  cbc(root, 'TaxPointDate', doc.taxPointDate)
  cbc(root, 'DocumentCurrencyCode', doc.currency)
  cbc(root, 'BuyerReference', doc.buyerReference)
  if (doc.period) {
    const p = cac(root, 'InvoicePeriod')
    cbc(p, 'StartDate', doc.period.start)
    cbc(p, 'EndDate', doc.period.end)
  }
  if (doc.orderReference) cbc(cac(root, 'OrderReference'), 'ID', doc.orderReference)
  if (doc.billingReference) {
    const ref = cac(cac(root, 'BillingReference'), 'InvoiceDocumentReference')
    cbc(ref, 'ID', doc.billingReference.number)
    cbc(ref, 'IssueDate', doc.billingReference.issueDate)
  }
  party(cac(root, 'AccountingSupplierParty'), doc.seller)
  party(cac(root, 'AccountingCustomerParty'), doc.buyer)
  if (doc.paymentAccount) paymentMeans(root, doc)
  if (doc.paymentTerms) cbc(cac(root, 'PaymentTerms'), 'Note', doc.paymentTerms)
  taxTotal(root, doc.vat, doc.totals.taxMinor, doc.currency)
  monetaryTotal(root, doc)
  for (const line of doc.lines) documentLine(root, line, doc)
  return root.end({ prettyPrint: true })
}

function party(parent: Node, p: UblParty) {
  const node = cac(parent, 'Party')
  if (p.endpoint) cbc(node, 'EndpointID', p.endpoint.id, { schemeID: p.endpoint.scheme })
  cbc(cac(node, 'PartyName'), 'Name', p.name)
  postalAddress(cac(node, 'PostalAddress'), p.address)
  if (p.vatNumber) {
    const tax = cac(node, 'PartyTaxScheme')
    cbc(tax, 'CompanyID', p.vatNumber)
    cbc(cac(tax, 'TaxScheme'), 'ID', 'VAT')
  }
  const legal = cac(node, 'PartyLegalEntity')
  cbc(legal, 'RegistrationName', p.name)
  cbc(legal, 'CompanyID', p.companyId)
  if (p.email || p.phone) {
    const contact = cac(node, 'Contact')
    cbc(contact, 'Telephone', p.phone)
    cbc(contact, 'ElectronicMail', p.email)
  }
}

function postalAddress(node: Node, a: PostalAddress) {
  cbc(node, 'StreetName', a.street)
  cbc(node, 'AdditionalStreetName', a.additional)
  cbc(node, 'CityName', a.city)
  cbc(node, 'PostalZone', a.postcode)
  cbc(node, 'CountrySubentity', a.region)
  cbc(cac(node, 'Country'), 'IdentificationCode', a.country)
}

function paymentMeans(root: Node, doc: UblDocument) {
  const means = cac(root, 'PaymentMeans')
  // 30: credit transfer; the remittance reference is the document number.
  cbc(means, 'PaymentMeansCode', '30')
  cbc(
    means,
    'PaymentID',
    doc.kind === 'invoice' ? doc.number : (doc.billingReference?.number ?? doc.number)
  )
  const account = cac(means, 'PayeeFinancialAccount')
  cbc(account, 'ID', doc.paymentAccount!.id)
  cbc(account, 'Name', doc.paymentAccount!.name)
}

function taxCategory(
  parent: Node,
  name: 'TaxCategory' | 'ClassifiedTaxCategory',
  category: string,
  rateBp: number,
  exemption?: { reason: string | null; code: string | null }
) {
  const node = cac(parent, name)
  cbc(node, 'ID', category)
  cbc(node, 'Percent', percent(rateBp))
  if (exemption) {
    cbc(node, 'TaxExemptionReasonCode', exemption.code)
    cbc(node, 'TaxExemptionReason', exemption.reason)
  }
  cbc(cac(node, 'TaxScheme'), 'ID', 'VAT')
}

function taxTotal(root: Node, groups: UblVatGroup[], taxMinor: number, currency: string) {
  const total = cac(root, 'TaxTotal')
  money(total, 'TaxAmount', taxMinor, currency)
  for (const g of groups) {
    const sub = cac(total, 'TaxSubtotal')
    money(sub, 'TaxableAmount', g.taxableMinor, currency)
    money(sub, 'TaxAmount', g.taxMinor, currency)
    taxCategory(sub, 'TaxCategory', g.category, g.rateBp, {
      reason: g.exemptionReason,
      code: g.exemptionReasonCode,
    })
  }
}

function monetaryTotal(root: Node, doc: UblDocument) {
  const t = cac(root, 'LegalMonetaryTotal')
  money(t, 'LineExtensionAmount', doc.totals.lineExtensionMinor, doc.currency)
  money(t, 'TaxExclusiveAmount', doc.totals.taxExclusiveMinor, doc.currency)
  money(t, 'TaxInclusiveAmount', doc.totals.taxInclusiveMinor, doc.currency)
  money(t, 'PayableAmount', doc.totals.payableMinor, doc.currency)
}

function documentLine(root: Node, line: UblLine, doc: UblDocument) {
  const invoice = doc.kind === 'invoice'
  const node = cac(root, invoice ? 'InvoiceLine' : 'CreditNoteLine')
  cbc(node, 'ID', line.id)
  cbc(node, invoice ? 'InvoicedQuantity' : 'CreditedQuantity', scaled(line.quantityE3, 3), {
    unitCode: line.unitCode,
  })
  money(node, 'LineExtensionAmount', line.netMinor, doc.currency)
  const item = cac(node, 'Item')
  cbc(item, 'Name', line.name.slice(0, 200))
  taxCategory(item, 'ClassifiedTaxCategory', line.vatCategory, line.rateBp)
  const price = cac(node, 'Price')
  if (line.unitPriceE4 !== null) {
    cbc(price, 'PriceAmount', scaled(line.unitPriceE4, 4), { currencyID: doc.currency })
  } else {
    // No exact unit price (usage billed per record, part months): the price is for the whole quantity.
    // A negative line carries a negative quantity; the price stays positive (BR-27).
    money(price, 'PriceAmount', Math.abs(line.netMinor), doc.currency)
    cbc(price, 'BaseQuantity', scaled(Math.abs(line.quantityE3), 3), { unitCode: line.unitCode })
  }
}
