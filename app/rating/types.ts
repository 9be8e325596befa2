/**
 * Shapes shared by the pure rating core (no database access).
 * Money: rates in micros (1e-6), record prices and costs in e4 (1e-4).
 */

/** What a usage record is priced as. */
export type UsageKind = 'voice' | 'data' | 'sms' | 'info'

/** One rate deck row as the engine sees it. */
/** The fields of one rate deck row, prices in micros. */
export interface RateFields {
  /** Digits, no "+". Data and SMS rows may use "" (any destination). */
  prefix: string
  destination: string
  category: string
  peakMicros: number
  offpeakMicros: number
  weekendMicros: number
  connectionMicros: number
  minimumMicros: number
  initialS: number
  subsequentS: number
  /** YYYY-MM-DD, in the customer's time zone. */
  effectiveFrom: string
}

export interface DeckRate extends RateFields {
  id: number
}

export type Band = 'peak' | 'offpeak' | 'weekend'

/** The input the engine needs from a usage record. */
export interface RatingInput {
  /** Call / session start, epoch milliseconds (UTC). */
  startMs: number
  category: string
  destination: string | null
  durationS: number
  volumeBytes: number
  quantity: number
  costE4: number | null
}

/** `internal`: an extension, feature code or text destination — never priced (#lib/destinations). */
export type RatingStatusOut = 'rated' | 'markup' | 'unrated' | 'internal'

export interface RatingResult {
  status: RatingStatusOut
  priceE4: number
  rate: DeckRate | null
  reason: string | null
  band: Band | null
  /** Billable units after increments: seconds (voice), KB (data), messages (sms). */
  billableUnits: number
}

export const REASON_NO_TARIFF = 'customer has no tariff'
export const REASON_NO_RATE = 'no rate for destination'
export const REASON_NO_DESTINATION = 'no destination'
export const REASON_INTERNAL = 'internal call (not a number in the numbering plan)'
export const INBOUND_CATEGORY = 'inbound'
export const REASON_INBOUND = 'inbound call: not billed (no inbound rate)'
