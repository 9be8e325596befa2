/**
 * Best-effort reading of a free-text postal address ("1 High Street\nLondon\nEC1A 1AA") into
 * the structured fields an e-invoice needs. It is a guess, so whatever it returns is stored
 * as "needs review" for a person to confirm (app/einvoice/customer_details.ts). Pure.
 */
export interface StructuredAddress {
  street: string | null
  additional: string | null
  city: string | null
  postcode: string | null
  region: string | null
  /** ISO 3166-1 alpha-2, upper case; null when the text names no country we recognise. */
  country: string | null
}

const COUNTRY_NAMES: Record<string, string> = {
  'united kingdom': 'GB',
  'uk': 'GB',
  'u.k.': 'GB',
  'gb': 'GB',
  'great britain': 'GB',
  'england': 'GB',
  'scotland': 'GB',
  'wales': 'GB',
  'northern ireland': 'GB',
  'ireland': 'IE',
  'republic of ireland': 'IE',
  'eire': 'IE',
  'netherlands': 'NL',
  'the netherlands': 'NL',
  'holland': 'NL',
  'belgium': 'BE',
  'germany': 'DE',
  'deutschland': 'DE',
  'france': 'FR',
  'spain': 'ES',
  'italy': 'IT',
  'portugal': 'PT',
  'luxembourg': 'LU',
  'denmark': 'DK',
  'sweden': 'SE',
  'norway': 'NO',
  'finland': 'FI',
  'austria': 'AT',
  'switzerland': 'CH',
  'poland': 'PL',
  'usa': 'US',
  'united states': 'US',
  'united states of america': 'US',
}

const UK_POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})\b/i
const NL_POSTCODE = /\b(\d{4}\s?[A-Z]{2})\b/
const NUMERIC_POSTCODE = /\b(\d{4,5})\b/

/** The ISO code a line names ("United Kingdom", "GB", "Ireland"), or null. */
export function countryFromText(text: string): string | null {
  return COUNTRY_NAMES[text.trim().toLowerCase().replace(/\s+/g, ' ')] ?? null
}

export function parseFreeAddress(text: string): StructuredAddress | null {
  const parts = text
    .split(/\r?\n|,/)
    .map((p) => p.trim())
    .filter(Boolean)
  if (!parts.length) return null
  let country: string | null = null
  const last = parts[parts.length - 1]
  if (countryFromText(last)) {
    country = countryFromText(last)
    parts.pop()
  }
  let postcode: string | null = null
  let city: string | null = null
  for (let i = parts.length - 1; i >= 0 && !postcode; i--) {
    const line = parts[i]
    const uk = UK_POSTCODE.exec(line)
    const other = uk
      ? null
      : (NL_POSTCODE.exec(line) ?? (i > 0 ? NUMERIC_POSTCODE.exec(line) : null))
    const found = uk ?? other
    if (!found) continue
    postcode = uk ? normaliseUkPostcode(found[1]) : found[1]
    if (uk && !country) country = 'GB'
    const rest = line.replace(found[1], '').replace(/\s+/g, ' ').trim()
    parts.splice(i, 1)
    if (rest) city = rest
    else if (i > 0 && parts.length > 1) city = parts.splice(i - 1, 1)[0]
  }
  if (!city && parts.length > 1) city = parts.pop()!
  const [street = null, ...middle] = parts
  return {
    street,
    additional: middle.length ? middle.join(', ') : null,
    city,
    postcode,
    region: null,
    country,
  }
}

function normaliseUkPostcode(raw: string) {
  const compact = raw.replace(/\s+/g, '').toUpperCase()
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`
}
