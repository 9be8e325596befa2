/**
 * VAT registration numbers. UK numbers are checked with HMRC's weighted
 * modulus-97 check (both the original and the "9755" series); other EU
 * numbers are checked for shape only, as their check digits differ by country.
 */
export function normaliseVatNumber(raw: string): string {
  return String(raw ?? '')
    .toUpperCase()
    .replace(/[\s.-]/g, '')
}

export function isValidUkVatDigits(nine: string): boolean {
  if (!/^\d{9}$/.test(nine)) return false
  const digits = nine.split('').map(Number)
  const weighted = digits.slice(0, 7).reduce((sum, d, i) => sum + d * (8 - i), 0)
  const total = weighted + digits[7] * 10 + digits[8]
  return total % 97 === 0 || (total + 55) % 97 === 0
}

export function isValidVatNumber(raw: string): boolean {
  const vat = normaliseVatNumber(raw)
  const uk = /^(?:GB|XI)?(\d{9})(\d{3})?$/.exec(vat)
  if (uk) return isValidUkVatDigits(uk[1])
  if (/^(?:GB|XI)(?:GD[0-4]\d{2}|HA[5-9]\d{2})$/.test(vat)) return true
  const eu = /^([A-Z]{2})([0-9A-Z]{2,12})$/.exec(vat)
  return Boolean(eu && EU_PREFIXES.has(eu[1]) && /\d/.test(eu[2]))
}

const EU_PREFIXES = new Set(
  'AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' ')
)
