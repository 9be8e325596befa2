import type Customer from '#models/customer'
import type Invoice from '#models/invoice'
import type { ElectronicAddress, PostalAddress } from '#einvoice/types'

/**
 * The buyer as an invoice's e-invoice states it, stored in `invoices.snapshot.customer` at
 * finalize (beside the name, VAT number and email the PDF prints): a later change of the
 * customer's address or Peppol address must not rewrite an issued invoice.
 */
export function buyerSnapshot(customer: Customer) {
  return {
    buyer_reference: customer.buyerReference,
    po_number: customer.poNumber,
    postal_address: {
      street: customer.addressStreet,
      additional: customer.addressAdditional,
      city: customer.addressCity,
      postcode: customer.addressPostcode,
      region: customer.addressRegion,
      country: customer.addressCountry,
    } satisfies PostalAddress,
    endpoint: (customer.endpointScheme && customer.endpointId
      ? { scheme: customer.endpointScheme, id: customer.endpointId }
      : null) satisfies ElectronicAddress | null,
  }
}

export interface InvoicedBuyer {
  name: string
  accountNumber: string
  vatNumber: string | null
  email: string | null
  paymentTermsDays: number
  buyerReference: string | null
  poNumber: string | null
  address: PostalAddress
  endpoint: ElectronicAddress | null
}

/**
 * The buyer of a finalized invoice from its snapshot (invoices finalized before it held these fields
 * were backfilled by migration 17641301000010). A snapshot address without a country could not make
 * an e-invoice at finalize, so that invoice takes the customer's e-invoicing details as corrected since
 * rather than stay refused for good.
 */
export function invoicedBuyer(invoice: Invoice, customer: Customer): InvoicedBuyer {
  const snap = invoice.snapshot?.customer ?? {}
  const e = snap.postal_address?.country ? snap : buyerSnapshot(customer)
  const has = (key: string) => Object.hasOwn(snap, key)
  return {
    name: String(has('name') ? snap.name : customer.name),
    accountNumber: String(has('account_number') ? snap.account_number : customer.accountNumber),
    vatNumber: has('vat_number') ? snap.vat_number : customer.vatNumber,
    email: (has('billing_email') ? snap.billing_email : customer.billingEmail) || null,
    paymentTermsDays: Number(
      has('payment_terms_days') ? snap.payment_terms_days : customer.paymentTermsDays
    ),
    buyerReference: e.buyer_reference,
    poNumber: e.po_number,
    address: e.postal_address,
    endpoint: e.endpoint,
  }
}
