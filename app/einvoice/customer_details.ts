import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { audit } from '#lib/audit'
import { CATEGORY_LABELS } from '#lib/labels'
import { EInvoiceError } from '#einvoice/errors'
import {
  checkCountry,
  electronicAddress,
  ENDPOINT_SCHEMES,
  normaliseAddress,
} from '#einvoice/fields'
import { isVatCategory, VAT_CATEGORY_LABELS, vatRulesOf } from '#einvoice/vat'
import { VAT_CATEGORIES, type PostalAddress, type VatCategory } from '#einvoice/types'

/**
 * A customer's e-invoicing details (buyer party): references, structured postal address,
 * Peppol electronic address, default VAT category, per-category VAT rules and whether the
 * emails carry the UBL file. Saving them is the confirmation of a migrated address.
 */

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
    schemes: { code: string; label: string }[]
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
      schemes: Object.entries(ENDPOINT_SCHEMES).map(([code, label]) => ({ code, label })),
      vatCategories: VAT_CATEGORIES.map((code) => ({ code, label: VAT_CATEGORY_LABELS[code] })),
      categories: Object.entries(CATEGORY_LABELS).map(([code, label]) => ({ code, label })),
    },
  }
}

export interface CustomerEInvoicingInput {
  buyerReference?: string | null
  poNumber?: string | null
  address: Partial<Record<keyof PostalAddress, string | null>>
  endpointScheme?: string | null
  endpointId?: string | null
  vatCategory: string
  attachUbl: boolean
  /** rateBp already parsed from the form's percentage. */
  rules: { category: string; vatCategory: string; rateBp: number }[]
}

function checkRules(rules: CustomerEInvoicingInput['rules']) {
  const seen = new Set<string>()
  return rules.map((rule, i) => {
    const field = `rules.${i}`
    if (!isVatCategory(rule.vatCategory))
      throw new EInvoiceError(
        `Rule ${i + 1}: the VAT category is one of S, Z, E, AE`,
        `${field}.vatCategory`,
        'invalid'
      )
    if (seen.has(rule.category))
      throw new EInvoiceError(
        `Rule ${i + 1}: "${rule.category}" already has a rule`,
        `${field}.category`,
        'invalid'
      )
    seen.add(rule.category)
    if (rule.vatCategory === 'S' && rule.rateBp <= 0)
      throw new EInvoiceError(
        `Rule ${i + 1}: a standard-rated category needs a rate above 0%`,
        `${field}.rate`,
        'invalid'
      )
    if (rule.vatCategory !== 'S' && rule.rateBp !== 0)
      throw new EInvoiceError(
        `Rule ${i + 1}: ${VAT_CATEGORY_LABELS[rule.vatCategory]} is always 0%`,
        `${field}.rate`,
        'invalid'
      )
    return { category: rule.category, vatCategory: rule.vatCategory, rateBp: rule.rateBp }
  })
}

/** Saves everything at once (or nothing, on an EInvoiceError), confirms the address, writes the audit entry. */
export async function saveCustomerEInvoicing(
  customerId: number,
  input: CustomerEInvoicingInput,
  userId: number | null
) {
  const address = normaliseAddress(input.address)
  checkCountry(address.country, 'address')
  const endpoint = electronicAddress(input.endpointScheme, input.endpointId, 'buyer')
  if (!isVatCategory(input.vatCategory))
    throw new EInvoiceError('The VAT category is one of S, Z, E, AE', 'vatCategory', 'invalid')
  const rules = checkRules(input.rules)
  await db.transaction(async (trx) => {
    const customer = await Customer.findOrFail(customerId, { client: trx })
    const before = {
      buyerReference: customer.buyerReference,
      poNumber: customer.poNumber,
      country: customer.addressCountry,
      vatCategory: customer.vatCategory,
    }
    customer.merge({
      buyerReference: input.buyerReference?.trim() || null,
      poNumber: input.poNumber?.trim() || null,
      addressStreet: address.street,
      addressAdditional: address.additional,
      addressCity: address.city,
      addressPostcode: address.postcode,
      addressRegion: address.region,
      addressCountry: address.country,
      addressNeedsReview: false,
      endpointScheme: endpoint?.scheme ?? null,
      endpointId: endpoint?.id ?? null,
      vatCategory: input.vatCategory as VatCategory,
      attachUbl: input.attachUbl,
    })
    await customer.save()
    await trx.from('customer_vat_rules').where('customer_id', customer.id).delete()
    const now = new Date()
    if (rules.length)
      await trx.table('customer_vat_rules').multiInsert(
        rules.map((r) => ({
          customer_id: customer.id,
          category: r.category,
          vat_category: r.vatCategory,
          tax_rate_bp: r.rateBp,
          created_at: now,
          updated_at: now,
        }))
      )
    await audit(
      {
        userId,
        action: 'customer.einvoicing.update',
        subjectType: 'customer',
        subjectId: customer.id,
        changes: {
          before,
          after: {
            buyerReference: customer.buyerReference,
            poNumber: customer.poNumber,
            address,
            endpoint,
            vatCategory: customer.vatCategory,
            attachUbl: customer.attachUbl,
            rules,
          },
        },
      },
      trx
    )
  })
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

/** Confirms the parsed address as it stands; refused while it has no country (correct it on the customer's page). */
export async function confirmAddress(customerId: number, userId: number | null) {
  await db.transaction(async (trx) => {
    const customer = await Customer.findOrFail(customerId, { client: trx })
    if (!customer.addressCountry)
      throw new EInvoiceError(
        `${customer.name} (${customer.accountNumber}): the address has no country; correct it before confirming`,
        'address.country'
      )
    customer.addressNeedsReview = false
    await customer.save()
    await audit(
      {
        userId,
        action: 'customer.address.confirm',
        subjectType: 'customer',
        subjectId: customer.id,
        changes: { country: customer.addressCountry },
      },
      trx
    )
  })
}
