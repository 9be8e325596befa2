import { divRoundHalfUp } from '#lib/money'
import type {
  Band,
  DeckRate,
  RatingInput,
  RatingResult,
  RatingStatusOut,
  UsageKind,
} from '#rating/types'
import {
  INBOUND_CATEGORY,
  REASON_INBOUND,
  REASON_INTERNAL,
  REASON_NO_DESTINATION,
  REASON_NO_RATE,
} from '#rating/types'
import { INTERNAL_CATEGORY } from '#lib/destinations'
import { kindOfCategory, type RateDeck } from '#rating/deck'
import { ZoneClock } from '#rating/time_band'

/** Billable seconds: ≤0 → 0; ≤ initial → initial; else initial + ceil((d − initial)/subsequent) × subsequent. */
export function billableSeconds(durationS: number, initialS: number, subsequentS: number): number {
  if (durationS <= 0) return 0
  if (durationS <= initialS) return initialS
  const step = subsequentS > 0 ? subsequentS : 1
  return initialS + Math.ceil((durationS - initialS) / step) * step
}

/** Billable kilobytes: ceil(bytes / 1024). */
export function billableKilobytes(bytes: number): number {
  return bytes <= 0 ? 0 : Math.ceil(bytes / 1024)
}

export function bandRate(rate: DeckRate, band: Band): number {
  return band === 'peak'
    ? rate.peakMicros
    : band === 'offpeak'
      ? rate.offpeakMicros
      : rate.weekendMicros
}

/**
 * Voice price in e4: max(connection + seconds × rate/60, minimum), rounded half-up once.
 * With allowance covering `coveredS` of the billable seconds, only the rest is charged,
 * without connection or minimum charge.
 */
export function voicePriceE4(
  rate: DeckRate,
  perMinuteMicros: number,
  billableS: number,
  coveredS = 0
): number {
  if (billableS <= 0) return 0
  if (coveredS > 0) return divRoundHalfUp((billableS - coveredS) * perMinuteMicros, 6000)
  const charged = rate.connectionMicros * 60 + billableS * perMinuteMicros
  const minimum = rate.minimumMicros * 60
  return divRoundHalfUp(charged > minimum ? charged : minimum, 6000)
}

/** Data price in e4: billable KB / 1024 × rate per MB. */
export function dataPriceE4(perMbMicros: number, chargedKb: number): number {
  return chargedKb <= 0 ? 0 : divRoundHalfUp(chargedKb * perMbMicros, 102_400)
}

/** Message price in e4: quantity × rate per message. */
export function messagePriceE4(perMessageMicros: number, messages: number): number {
  return messages <= 0 ? 0 : divRoundHalfUp(messages * perMessageMicros, 100)
}

/** Supplier cost marked up by basis points, in e4. */
export function markupPriceE4(costE4: number, markupBp: number): number {
  return divRoundHalfUp(costE4 * (10_000 + markupBp), 10_000)
}

/** An allowance balance for the engine to draw from (units: seconds, KB or messages). */
export interface AllowanceDraw {
  remaining: number
}

/** Finds the allowance that covers a matched record (by kind and the deck row's category), if any. */
export type AllowanceResolver = (kind: UsageKind, category: string) => AllowanceDraw | null

export interface RatedRecord extends RatingResult {
  allowanceUsed: number
}

/** "+" followed by digits only, or digits only. */
function isPlainNumber(destination: string): boolean {
  for (let i = destination.charCodeAt(0) === 43 ? 1 : 0; i < destination.length; i++) {
    const c = destination.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** Digits of a destination ("+44 20…" → "4420…"); "" when there are none. */
export function destinationDigits(destination: string | null): string {
  if (!destination) return ''
  const start = destination.charCodeAt(0) === 43 ? 1 : 0 // "+"
  let clean = true
  for (let i = start; i < destination.length; i++) {
    const c = destination.charCodeAt(i)
    if (c < 48 || c > 57) {
      clean = false
      break
    }
  }
  if (clean) return start === 0 ? destination : destination.slice(1)
  let out = ''
  for (let i = 0; i < destination.length; i++) {
    const c = destination.charCodeAt(i)
    if (c >= 48 && c <= 57) out += destination[i]
  }
  return out
}

/**
 * Prices one record. Pure: the deck, the customer's clock, the tariff's default
 * markup and (optionally) the allowance balances are all the state it reads.
 */
export function rateRecord(
  deck: RateDeck,
  clock: ZoneClock,
  markupBp: number,
  input: RatingInput,
  allowances?: AllowanceResolver
): RatedRecord {
  const kind = kindOfCategory(input.category)
  if (kind === 'info') return unpriced('rated', 0, null)
  const destination = input.destination
  if (isInternal(input.category, kind, destination)) return unpriced('internal', 0, REASON_INTERNAL)
  const digits = destination ? destinationDigits(destination.trim()) : ''
  const local = input.startMs + clock.offsetMs(input.startMs)
  const day = Math.floor(local / 86_400_000)
  // Voice needs a destination; data and SMS rows may carry an empty "any destination" prefix.
  const empty = digits === '' || digits === '+'
  const rate = kind === 'voice' && empty ? null : deck.match(kind, empty ? '' : digits, day)
  // Inbound calls are not billed unless the deck has a rate of category "inbound" for them.
  if (input.category === INBOUND_CATEGORY && rate?.category !== INBOUND_CATEGORY)
    return unpriced('rated', 0, REASON_INBOUND)
  if (!rate) return withoutRate(kind, empty, input.costE4, markupBp)
  return pricedByRate(rate, kind, local, input, allowances)
}

/**
 * Only numbers are priced: a destination is never reduced to the digits inside it ("*72*2010"
 * is a feature code, not Russia). Parsers mark internal calls; text left over from before is caught here.
 */
function isInternal(category: string, kind: UsageKind, destination: string | null): boolean {
  return (
    category === INTERNAL_CATEGORY ||
    (kind === 'voice' && !!destination && !isPlainNumber(destination.trim()))
  )
}

/** An outcome that no deck rate priced. */
function unpriced(status: RatingStatusOut, priceE4: number, reason: string | null): RatedRecord {
  return {
    status,
    priceE4,
    rate: null,
    reason,
    band: null,
    billableUnits: 0,
    allowanceUsed: 0,
  }
}

/** No rate matched: a supplier cost is marked up, anything else stays unrated. */
function withoutRate(
  kind: UsageKind,
  empty: boolean,
  costE4: number | null | undefined,
  markupBp: number
): RatedRecord {
  if (costE4 !== null && costE4 !== undefined)
    return unpriced('markup', markupPriceE4(costE4, markupBp), null)
  return unpriced('unrated', 0, kind === 'voice' && empty ? REASON_NO_DESTINATION : REASON_NO_RATE)
}

/** Prices a record by its matched rate, in the band of its local start, after any allowance. */
function pricedByRate(
  rate: DeckRate,
  kind: UsageKind,
  local: number,
  input: RatingInput,
  allowances: AllowanceResolver | undefined
): RatedRecord {
  const band = ZoneClock.bandOfLocal(local)
  const perUnit = bandRate(rate, band)
  const units = billableUnitsOf(kind, rate, input)
  const covered =
    units > 0 && allowances ? drawAllowance(allowances, kind, rate.category, units) : 0
  return {
    status: 'rated',
    priceE4: priceOf(kind, rate, perUnit, units, covered),
    rate,
    reason: null,
    band,
    billableUnits: units,
    allowanceUsed: covered,
  }
}

/** Seconds after increments (voice), kilobytes (data) or messages (sms). */
function billableUnitsOf(kind: UsageKind, rate: DeckRate, input: RatingInput): number {
  if (kind === 'voice') return billableSeconds(input.durationS, rate.initialS, rate.subsequentS)
  if (kind === 'data') return billableKilobytes(input.volumeBytes)
  return input.quantity > 0 ? input.quantity : 0
}

/** Takes up to `units` from the allowance that covers the rate's category; the units it covered. */
function drawAllowance(
  allowances: AllowanceResolver,
  kind: UsageKind,
  category: string,
  units: number
): number {
  const draw = allowances(kind, category)
  let covered = 0
  if (draw && draw.remaining > 0) {
    covered = draw.remaining >= units ? units : draw.remaining
    draw.remaining -= covered
  }
  return covered
}

function priceOf(
  kind: UsageKind,
  rate: DeckRate,
  perUnit: number,
  units: number,
  covered: number
): number {
  if (kind === 'voice') return voicePriceE4(rate, perUnit, units, covered)
  if (kind === 'data') return dataPriceE4(perUnit, units - covered)
  return messagePriceE4(perUnit, units - covered)
}
