import { EInvoiceError } from '#einvoice/errors'
import type { ElectronicAddress, PostalAddress } from '#einvoice/types'

/**
 * Checks shared by the customer and seller e-invoicing forms: an ISO country code, a Peppol
 * electronic address scheme with an id. Values that pass are stored as given (trimmed,
 * country upper case). Pure.
 */

/** ISO 3166-1 alpha-2 codes of the countries Tollgate's resellers bill (EU/EEA, UK and a few more). */
export const COUNTRY_CODES = new Set(
  'AD AT AU BE BG CA CH CY CZ DE DK EE ES FI FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MT NL NO NZ PL PT RO SE SI SK SM US VA ZA'.split(
    ' '
  )
)

/** Peppol EAS schemes people here use; the full list is longer, so any 4-digit code is accepted. */
export const ENDPOINT_SCHEMES: Record<string, string> = {
  '0088': 'GLN (GS1 location number)',
  '0192': 'Norwegian organisation number',
  '0208': 'Belgian company number',
  '9930': 'German VAT number',
  '9932': 'UK VAT number',
  '0106': 'Dutch KvK number',
  '0190': 'Dutch OIN',
  '9925': 'Belgian VAT number',
  '0007': 'Swedish organisation number',
}

export function normaliseAddress(
  input: Partial<Record<keyof PostalAddress, string | null | undefined>>
): PostalAddress {
  const clean = (v: string | null | undefined) => (v ?? '').trim() || null
  return {
    street: clean(input.street),
    additional: clean(input.additional),
    city: clean(input.city),
    postcode: clean(input.postcode),
    region: clean(input.region),
    country: clean(input.country)?.toUpperCase() ?? null,
  }
}

/** Throws an EInvoiceError naming `prefix.field` when the country is not an ISO code we know. */
export function checkCountry(country: string | null, prefix: string) {
  if (country !== null && !COUNTRY_CODES.has(country)) {
    throw new EInvoiceError(
      `"${country}" is not an ISO 3166-1 country code (two letters, e.g. GB, IE, NL)`,
      `${prefix}.country`,
      'invalid'
    )
  }
}

export function electronicAddress(
  scheme: string | null | undefined,
  id: string | null | undefined,
  prefix: string
): ElectronicAddress | null {
  const s = (scheme ?? '').trim()
  const i = (id ?? '').trim()
  if (!s && !i) return null
  if (!/^\d{4}$/.test(s))
    throw new EInvoiceError(
      'The electronic address scheme is a 4-digit Peppol EAS code, e.g. 0088 or 9932',
      `${prefix}.endpoint_scheme`,
      'invalid'
    )
  if (!i)
    throw new EInvoiceError(
      'The electronic address needs an identifier as well as its scheme',
      `${prefix}.endpoint_id`,
      'missing'
    )
  return { scheme: s, id: i }
}
