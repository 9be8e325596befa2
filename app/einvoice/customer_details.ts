import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { audit } from '#lib/audit'
import { EInvoiceError } from '#einvoice/errors'
import { checkCountry, electronicAddress, normaliseAddress } from '#einvoice/fields'
import { isVatCategory, VAT_CATEGORY_LABELS } from '#einvoice/vat'
import type { PostalAddress, VatCategory } from '#einvoice/types'

/**
 * A customer's e-invoicing details (buyer party): references, structured postal address,
 * Peppol electronic address, default VAT category, per-category VAT rules and whether the
 * emails carry the UBL file. Saving them is the confirmation of a migrated address. The pages'
 * read models are in einvoice_views.ts.
 */

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
