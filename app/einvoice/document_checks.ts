import { EInvoiceError } from '#einvoice/errors'
import type { UblDocument } from '#einvoice/types'

/**
 * What the standard requires before a document can be built, checked on the model so the
 * clerk hears which party, which field and where to fix it, instead of an XML validator's
 * rule number. `buyerLabel` names the customer ("Acme Ltd (ACC-1)"). Pure.
 */
export function checkDocument(doc: UblDocument, buyerLabel: string) {
  const sellerFix = 'set it under Settings → E-invoicing'
  const buyerFix = "add it on the customer's E-invoicing page"
  if (!doc.seller.name)
    throw new EInvoiceError(
      `The seller has no name: set it under Supplier & invoice settings`,
      'seller.name'
    )
  if (!doc.seller.address.country)
    throw new EInvoiceError(
      `The seller's postal address has no country: ${sellerFix}`,
      'seller.address.country'
    )
  if (!doc.seller.endpoint)
    throw new EInvoiceError(
      `The seller has no electronic address (Peppol scheme and id): ${sellerFix}`,
      'seller.endpoint'
    )
  if (!doc.seller.vatNumber)
    throw new EInvoiceError(
      'The seller has no VAT number: set it under Supplier & invoice settings',
      'seller.vatNumber'
    )
  if (!doc.buyer.name)
    throw new EInvoiceError(`${buyerLabel}: the customer has no name`, 'buyer.name')
  if (!doc.buyer.address.country)
    throw new EInvoiceError(
      `${buyerLabel}: the postal address has no country; ${buyerFix}`,
      'buyer.address.country'
    )
  if (!doc.buyer.endpoint)
    throw new EInvoiceError(
      `${buyerLabel}: no electronic address (Peppol scheme and id) and no UK VAT number to use instead; ${buyerFix}`,
      'buyer.endpoint'
    )
  if (doc.vat.some((g) => g.category === 'AE') && !doc.buyer.vatNumber) {
    throw new EInvoiceError(
      `${buyerLabel}: reverse charge needs the customer's VAT number; add it on the customer's form`,
      'buyer.vatNumber'
    )
  }
  if (!doc.lines.length) throw new EInvoiceError(`${doc.number} has no lines`, 'lines')
}
