import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max'

/**
 * The region numbers without a country code are read in: `DEFAULT_REGION` (ISO 3166 alpha-2, e.g. IE),
 * GB when unset. An unknown code stops the process rather than misreading every national number.
 */
export function regionFrom(value: string | undefined): CountryCode {
  const code = (value ?? '').trim().toUpperCase()
  if (!code) return 'GB'
  if (!isSupportedCountry(code))
    throw new Error(
      `DEFAULT_REGION "${value}" is not a country code libphonenumber knows (e.g. GB, IE, NL)`
    )
  return code as CountryCode
}

export const DEFAULT_REGION: CountryCode = regionFrom(process.env.DEFAULT_REGION)

/**
 * A phone number in any common written form ("07700 900123", "+44 7700 900123",
 * "447700900123", "00447700900123") as E.164, or null when it is not a number.
 * Extensions and short codes that libphonenumber cannot place are returned as bare digits.
 */
export function normaliseNumber(raw: string, region: CountryCode = DEFAULT_REGION): string | null {
  const text = String(raw ?? '').trim()
  if (!text) return null
  let candidate = text.replace(/[\s().-]/g, '')
  if (candidate.startsWith('00')) candidate = '+' + candidate.slice(2)
  const parsed =
    parsePhoneNumberFromString(candidate, region) ??
    (/^\d{10,15}$/.test(candidate) ? parsePhoneNumberFromString('+' + candidate) : undefined)
  if (parsed && parsed.isPossible()) return parsed.number
  const digits = candidate.replace(/^\+/, '')
  return /^\d{1,15}$/.test(digits) ? digits : null
}

/** Microsoft 365 user principal names compare case-insensitively. */
export function normaliseUpn(raw: string): string {
  return String(raw ?? '')
    .trim()
    .toLowerCase()
}

/** The digits a rate deck prefix is matched against: E.164 without the plus. */
export function dialledDigits(number: string): string {
  return number.replace(/^\+/, '').replace(/\D/g, '')
}
