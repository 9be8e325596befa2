/**
 * The document model an e-invoice is built from: everything UBL needs, already decided
 * (amounts in minor units, quantities in thousandths of their unit, dates as YYYY-MM-DD).
 * The loaders in ubl_documents.ts fill it from the database; ubl_builder.ts turns it into
 * XML without touching the database.
 */

/** UNCL5305 VAT category codes Tollgate bills with. */
export const VAT_CATEGORIES = ['S', 'Z', 'E', 'AE'] as const
export type VatCategory = (typeof VAT_CATEGORIES)[number]

export interface PostalAddress {
  street: string | null
  additional: string | null
  city: string | null
  postcode: string | null
  region: string | null
  /** ISO 3166-1 alpha-2 */
  country: string | null
}

export interface ElectronicAddress {
  /** Peppol EAS scheme, e.g. 0088 (GLN), 0192 (Norwegian org no.), 9932 (UK VAT) */
  scheme: string
  id: string
}

export interface UblParty {
  name: string
  endpoint: ElectronicAddress | null
  address: PostalAddress
  vatNumber: string | null
  /** Company registration number (legal entity id). */
  companyId: string | null
  email: string | null
  phone: string | null
}

export interface UblLine {
  id: string
  name: string
  /** Quantity in `unitCode`, thousandths (12.5 minutes = 12500); never 0, negative on a negative line. */
  quantityE3: number
  /** UN/ECE Recommendation 20 code: MIN, C62, 4L (megabyte) … */
  unitCode: string
  netMinor: number
  /** Unit price in ten-thousandths (never negative) when quantity × price rounds to the net; else null (the price is the net for the whole quantity). */
  unitPriceE4: number | null
  vatCategory: VatCategory
  rateBp: number
}

export interface UblVatGroup {
  category: VatCategory
  rateBp: number
  taxableMinor: number
  taxMinor: number
  /** Required for E and AE (BR-E-10, BR-AE-10). */
  exemptionReason: string | null
  exemptionReasonCode: string | null
}

export interface UblDocument {
  kind: 'invoice' | 'credit_note'
  number: string
  issueDate: string
  dueDate: string | null
  taxPointDate: string | null
  currency: string
  buyerReference: string | null
  orderReference: string | null
  period: { start: string; end: string } | null
  /** Credit notes: the invoice they correct. */
  billingReference: { number: string; issueDate: string | null } | null
  note: string | null
  paymentTerms: string | null
  paymentAccount: { id: string; name: string | null } | null
  seller: UblParty
  buyer: UblParty
  lines: UblLine[]
  vat: UblVatGroup[]
  totals: {
    lineExtensionMinor: number
    taxExclusiveMinor: number
    taxMinor: number
    taxInclusiveMinor: number
    payableMinor: number
  }
}
