import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { CATEGORY_LABELS } from '#lib/labels'
import { ENDPOINT_SCHEMES } from '#einvoice/fields'
import { sellerDetails } from '#einvoice/seller'
import { isVatCategory, VAT_CATEGORY_LABELS, vatRulesOf } from '#einvoice/vat'
import { VAT_CATEGORIES, type PostalAddress, type VatCategory } from '#einvoice/types'

/**
 * Read models of the e-invoicing pages: a customer's details (einvoice/customer), the review of
 * migrated addresses (einvoice/address_review) and the reseller's own details (einvoice/seller).
 * Form values are strings ('' for unset); VAT rates are percentages as text, never floats.
 */

/** A Peppol electronic address scheme offered in the forms. */
export type EndpointSchemeOption = { code: string; label: string }

const endpointSchemeOptions = (): EndpointSchemeOption[] =>
  Object.entries(ENDPOINT_SCHEMES).map(([code, label]) => ({ code, label }))

export interface CustomerEInvoicingView {
  customer: {
    id: number
    name: string
    accountNumber: string
    freeAddress: string | null
    vatNumber: string | null
    taxRatePercent: string
  }
  details: {
    buyerReference: string
    poNumber: string
    address: Record<keyof PostalAddress, string>
    addressNeedsReview: boolean
    endpointScheme: string
    endpointId: string
    vatCategory: VatCategory
    attachUbl: boolean
  }
  rules: {
    category: string
    categoryLabel: string
    vatCategory: VatCategory
    ratePercent: string
  }[]
  options: {
    schemes: EndpointSchemeOption[]
    vatCategories: { code: VatCategory; label: string }[]
    categories: { code: string; label: string }[]
  }
}

const bpText = (bp: number) =>
  `${Math.floor(bp / 100)}${
    bp % 100
      ? `.${String(bp % 100)
          .padStart(2, '0')
          .replace(/0$/, '')}`
      : ''
  }`

export async function customerEInvoicing(customerId: number): Promise<CustomerEInvoicingView> {
  const c = await Customer.findOrFail(customerId)
  const rules = await vatRulesOf(db.connection(), c.id)
  const s = (v: string | null) => v ?? ''
  return {
    customer: {
      id: c.id,
      name: c.name,
      accountNumber: c.accountNumber,
      freeAddress: c.address,
      vatNumber: c.vatNumber,
      taxRatePercent: bpText(c.taxRateBp),
    },
    details: {
      buyerReference: s(c.buyerReference),
      poNumber: s(c.poNumber),
      address: {
        street: s(c.addressStreet),
        additional: s(c.addressAdditional),
        city: s(c.addressCity),
        postcode: s(c.addressPostcode),
        region: s(c.addressRegion),
        country: s(c.addressCountry),
      },
      addressNeedsReview: c.addressNeedsReview,
      endpointScheme: s(c.endpointScheme),
      endpointId: s(c.endpointId),
      vatCategory: isVatCategory(c.vatCategory) ? c.vatCategory : 'S',
      attachUbl: c.attachUbl,
    },
    rules: rules.map((r) => ({
      category: r.category,
      categoryLabel: CATEGORY_LABELS[r.category] ?? r.category,
      vatCategory: r.vatCategory,
      ratePercent: bpText(r.rateBp),
    })),
    options: {
      schemes: endpointSchemeOptions(),
      vatCategories: VAT_CATEGORIES.map((code) => ({ code, label: VAT_CATEGORY_LABELS[code] })),
      categories: Object.entries(CATEGORY_LABELS).map(([code, label]) => ({ code, label })),
    },
  }
}

export type CustomerEInvoicingProps = { view: CustomerEInvoicingView }

export async function customerEInvoicingProps(
  customerId: number
): Promise<CustomerEInvoicingProps> {
  return { view: await customerEInvoicing(customerId) }
}

export interface AddressReviewRow {
  id: number
  name: string
  accountNumber: string
  freeAddress: string | null
  parsed: Record<keyof PostalAddress, string | null>
  missing: string[]
}

/** Customers whose structured address was guessed from the free text and awaits a person's confirmation. */
export async function addressesToReview(): Promise<AddressReviewRow[]> {
  const rows = await Customer.query().where('address_needs_review', true).orderBy('account_number')
  return rows.map((c) => {
    const parsed = {
      street: c.addressStreet,
      additional: c.addressAdditional,
      city: c.addressCity,
      postcode: c.addressPostcode,
      region: c.addressRegion,
      country: c.addressCountry,
    }
    return {
      id: c.id,
      name: c.name,
      accountNumber: c.accountNumber,
      freeAddress: c.address,
      parsed,
      missing: (['street', 'city', 'country'] as const).filter((k) => !parsed[k]),
    }
  })
}

export type AddressReviewProps = { rows: AddressReviewRow[] }

export async function addressReviewProps(): Promise<AddressReviewProps> {
  return { rows: await addressesToReview() }
}

/** The fields of the seller form, each a string ('' for unset). */
export type SellerFormField =
  keyof PostalAddress | 'endpointScheme' | 'endpointId' | 'paymentAccountId' | 'paymentAccountName'

export type SellerPageProps = {
  seller: Record<SellerFormField, string>
  schemes: EndpointSchemeOption[]
}

export async function sellerPageProps(): Promise<SellerPageProps> {
  const details = await sellerDetails()
  const a = details.address
  return {
    seller: {
      street: a.street ?? '',
      additional: a.additional ?? '',
      city: a.city ?? '',
      postcode: a.postcode ?? '',
      region: a.region ?? '',
      country: a.country ?? '',
      endpointScheme: details.endpoint?.scheme ?? '',
      endpointId: details.endpoint?.id ?? '',
      paymentAccountId: details.paymentAccount?.id ?? '',
      paymentAccountName: details.paymentAccount?.name ?? '',
    },
    schemes: endpointSchemeOptions(),
  }
}
