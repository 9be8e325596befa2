import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max'

export const DEFAULT_REGION: CountryCode = 'GB'

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
  return String(raw ?? '').trim().toLowerCase()
}

/** The digits a rate deck prefix is matched against: E.164 without the plus. */
export function dialledDigits(number: string): string {
  return number.replace(/^\+/, '').replace(/\D/g, '')
}
