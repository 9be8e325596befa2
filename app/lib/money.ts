/**
 * Exact money arithmetic on integers. Amounts are kept in fixed scales:
 *   micros (1e-6) for rates, e4 (1e-4) for record prices and costs,
 *   minor (1e-2, pence) for invoice amounts.
 * Binary floating point never touches a money value.
 */

export const MICROS = 1_000_000
export const E4 = 10_000

/**
 * numerator / denominator rounded half-up (halves away from zero), exactly.
 * Uses plain integer arithmetic while it is exact and BigInt beyond that.
 */
export function divRoundHalfUp(numerator: number | bigint, denominator: number | bigint): number {
  if (typeof numerator === 'number' && typeof denominator === 'number') {
    if (!Number.isInteger(numerator) || !Number.isInteger(denominator)) {
      throw new TypeError(`divRoundHalfUp needs integers, got ${numerator}/${denominator}`)
    }
    if (Math.abs(numerator) * 2 + Math.abs(denominator) <= Number.MAX_SAFE_INTEGER) {
      if (denominator === 0) throw new RangeError('division by zero')
      const negative = numerator < 0 !== denominator < 0
      const n = Math.abs(numerator)
      const d = Math.abs(denominator)
      const q = Math.floor((2 * n + d) / (2 * d))
      return negative ? -q : q
    }
  }
  const n = BigInt(numerator)
  const d = BigInt(denominator)
  if (d === 0n) throw new RangeError('division by zero')
  const negative = n < 0n !== d < 0n
  const an = n < 0n ? -n : n
  const ad = d < 0n ? -d : d
  const q = (2n * an + ad) / (2n * ad)
  const result = negative ? -q : q
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError('money value exceeds the safe integer range')
  }
  return Number(result)
}

/** A 4 dp amount rounded half-up to 2 dp (minor units). */
export function e4ToMinor(e4: number): number {
  return divRoundHalfUp(e4, 100)
}

/**
 * SPEC: an invoice line's amount is the exact sum of its records' prices (e4), rounded half-up to
 * 2 dp once. The invoice (app/billing/compute.ts) and every figure that must equal it (insights,
 * portal, statements, exports) round each line with this and then add minor units, never re-round a
 * sum of e4 taken across lines.
 */
export function lineAmountMinor(sumE4: number): number {
  return e4ToMinor(sumE4)
}

/** Tax at a rate in basis points, rounded half-up to minor units. */
export function taxOn(subtotalMinor: number, rateBp: number): number {
  return divRoundHalfUp(subtotalMinor * rateBp, 10_000)
}

/**
 * Tax per rate: each rate's lines are summed first, then taxed and rounded once.
 * Returns the tax per rate and the totals of the document.
 */
export function invoiceTotals(lines: { amountMinor: number; taxRateBp: number }[]) {
  const byRate = new Map<number, number>()
  for (const line of lines) {
    byRate.set(line.taxRateBp, (byRate.get(line.taxRateBp) ?? 0) + line.amountMinor)
  }
  const taxes = [...byRate.entries()]
    .sort(([a], [b]) => b - a)
    .map(([rateBp, netMinor]) => ({ rateBp, netMinor, taxMinor: taxOn(netMinor, rateBp) }))
  const subtotalMinor = taxes.reduce((sum, t) => sum + t.netMinor, 0)
  const taxMinor = taxes.reduce((sum, t) => sum + t.taxMinor, 0)
  return { taxes, subtotalMinor, taxMinor, totalMinor: subtotalMinor + taxMinor }
}

/**
 * Parses a decimal string such as "12.5", "-0.0125" or "1,234.50" into an
 * integer at the given scale (decimal places). More digits than the scale
 * holds is an error, never a silent rounding.
 */
export function parseDecimal(input: string | number, scale: number): number {
  const text = String(input).trim().replace(/,/g, '')
  const match = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text)
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new SyntaxError(`"${input}" is not a decimal number`)
  }
  const [, sign, whole, fraction = ''] = match
  const trimmed = fraction.replace(/0+$/, '')
  if (trimmed.length > scale) {
    throw new RangeError(`"${input}" has more than ${scale} decimal places`)
  }
  const digits = (whole || '0') + trimmed.padEnd(scale, '0')
  const value = Number(BigInt(digits))
  if (!Number.isSafeInteger(value)) throw new RangeError(`"${input}" is too large`)
  return sign === '-' ? -value : value
}

/** Renders an integer at the given scale as a plain decimal string ("12.3400"). */
export function formatScaled(value: number, scale: number): string {
  const negative = value < 0
  const digits = String(Math.abs(value)).padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const fraction = scale > 0 ? '.' + digits.slice(digits.length - scale) : ''
  return (negative ? '-' : '') + whole + fraction
}

const SYMBOLS: Record<string, string> = { GBP: '£', EUR: '€', USD: '$' }

/** "£1,234.56" from minor units. */
export function formatMoney(minor: number, currency = 'GBP'): string {
  const plain = formatScaled(minor, 2)
  const negative = plain.startsWith('-')
  const [whole, fraction] = plain.replace('-', '').split('.')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const symbol = SYMBOLS[currency] ?? currency + ' '
  return `${negative ? '-' : ''}${symbol}${grouped}.${fraction}`
}
