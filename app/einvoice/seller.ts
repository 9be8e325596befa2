import db from '@adonisjs/lucid/services/db'
import { audit } from '#lib/audit'
import { checkCountry, electronicAddress, normaliseAddress } from '#einvoice/fields'
import type { ElectronicAddress, PostalAddress } from '#einvoice/types'

/**
 * The reseller's e-invoicing details (seller party): structured postal address, Peppol
 * electronic address and the account payments go to. Name, VAT and company number stay where
 * they always were (Supplier & invoice settings) and reach the e-invoice through the
 * invoice's snapshot. Kept in the settings table under `einvoice.*`.
 */
export interface SellerDetails {
  address: PostalAddress
  endpoint: ElectronicAddress | null
  paymentAccount: { id: string; name: string | null } | null
}

const KEYS = {
  street: 'einvoice.seller_street',
  additional: 'einvoice.seller_additional',
  city: 'einvoice.seller_city',
  postcode: 'einvoice.seller_postcode',
  region: 'einvoice.seller_region',
  country: 'einvoice.seller_country',
  endpointScheme: 'einvoice.seller_endpoint_scheme',
  endpointId: 'einvoice.seller_endpoint_id',
  accountId: 'einvoice.payment_account_id',
  accountName: 'einvoice.payment_account_name',
} as const

/** The stored details; `configured` is false until someone saved the page (the address is then null). */
export async function sellerDetails(): Promise<SellerDetails & { configured: boolean }> {
  const rows = await db.from('settings').whereIn('key', Object.values(KEYS)).select('key', 'value')
  const v = Object.fromEntries(rows.map((r) => [r.key, r.value ?? ''])) as Record<string, string>
  const address = normaliseAddress({
    street: v[KEYS.street],
    additional: v[KEYS.additional],
    city: v[KEYS.city],
    postcode: v[KEYS.postcode],
    region: v[KEYS.region],
    country: v[KEYS.country],
  })
  const scheme = (v[KEYS.endpointScheme] ?? '').trim()
  const id = (v[KEYS.endpointId] ?? '').trim()
  const accountId = (v[KEYS.accountId] ?? '').trim()
  return {
    configured: rows.length > 0,
    address,
    endpoint: scheme && id ? { scheme, id } : null,
    paymentAccount: accountId
      ? { id: accountId, name: (v[KEYS.accountName] ?? '').trim() || null }
      : null,
  }
}

export interface SellerInput {
  street?: string | null
  additional?: string | null
  city?: string | null
  postcode?: string | null
  region?: string | null
  country?: string | null
  endpointScheme?: string | null
  endpointId?: string | null
  paymentAccountId?: string | null
  paymentAccountName?: string | null
}

/** Saves the seller details (all or nothing) with an audit entry. Throws EInvoiceError on bad input. */
export async function saveSellerDetails(input: SellerInput, userId: number | null) {
  const address = normaliseAddress(input)
  checkCountry(address.country, 'seller.address')
  const endpoint = electronicAddress(input.endpointScheme, input.endpointId, 'seller')
  const values: Record<string, string> = {
    [KEYS.street]: address.street ?? '',
    [KEYS.additional]: address.additional ?? '',
    [KEYS.city]: address.city ?? '',
    [KEYS.postcode]: address.postcode ?? '',
    [KEYS.region]: address.region ?? '',
    [KEYS.country]: address.country ?? '',
    [KEYS.endpointScheme]: endpoint?.scheme ?? '',
    [KEYS.endpointId]: endpoint?.id ?? '',
    [KEYS.accountId]: (input.paymentAccountId ?? '').trim(),
    [KEYS.accountName]: (input.paymentAccountName ?? '').trim(),
  }
  const before = await sellerDetails()
  await db.transaction(async (trx) => {
    const rows = Object.entries(values).map(([key, value]) => ({ key, value }))
    await trx.knexQuery().table('settings').insert(rows).onConflict('key').merge()
    await audit(
      {
        userId,
        action: 'einvoice.seller.update',
        subjectType: 'settings',
        changes: {
          before: { address: before.address, endpoint: before.endpoint },
          after: { address, endpoint },
        },
      },
      trx
    )
  })
}
