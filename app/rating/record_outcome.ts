import { rateRecord, type AllowanceResolver } from '#rating/engine'
import { kindOfCategory, type RateDeck } from '#rating/deck'
import type { AllowanceDef } from '#rating/allowances'
import type { ZoneClock } from '#rating/time_band'
import type { BuyDeck } from '#rating/buy_decks'
import type { Band } from '#rating/types'
import { REASON_NO_TARIFF } from '#rating/types'

/** A sell tariff as rating uses it: its compiled deck, default markup and allowances. */
export interface TariffContext {
  id: number
  markupBp: number
  deck: RateDeck
  allowances: AllowanceDef[]
}

/** What rating reads of one usage record. */
export interface OutcomeInput {
  startMs: number
  category: string
  destination: string | null
  /** The name stored on the record before (kept when no rate matches). */
  destinationName: string | null
  durationS: number
  volumeBytes: number
  quantity: number
  /** The record's stored cost and where it came from ('supplier' stands; 'deck' or null is re-costed). */
  costE4: number | null
  costOrigin: string | null
}

/** The rating columns of one record (as usage_records stores them) and the band it was priced in. */
export interface RecordOutcome {
  price_e4: number | null
  tariff_id: number | null
  rate_id: number | null
  allowance_used: number
  rating_status: string
  unrated_reason: string | null
  category: string
  destination_name: string | null
  cost_e4: number | null
  cost_origin: string | null
  band: Band | null
}

/**
 * Prices one record: a supplier's own cost stands, otherwise the buy deck costs it by the same
 * rules (no markup, no allowances); then the sell tariff prices it (it may mark that cost up).
 * Pure, and the one rule both the batch pass (rate_usage.ts) and the import stream use, so a
 * record rated while its file is read and re-rated later by a pass get the same outcome.
 */
export function recordOutcome(
  tariff: TariffContext | null,
  buy: BuyDeck | undefined,
  clock: ZoneClock,
  input: OutcomeInput,
  allowances?: AllowanceResolver
): RecordOutcome {
  let costE4 = input.costE4
  const costOrigin = input.costOrigin ?? (costE4 === null ? null : 'supplier')
  const out: RecordOutcome = {
    price_e4: null,
    tariff_id: null,
    rate_id: null,
    allowance_used: 0,
    rating_status: 'unrated',
    unrated_reason: REASON_NO_TARIFF,
    category: input.category,
    destination_name: input.destinationName,
    cost_e4: costE4,
    cost_origin: costOrigin,
    band: null,
  }
  if (costOrigin !== 'supplier') {
    const cost = buy ? rateRecord(buy.deck, clock, 0, { ...input, costE4: null }) : null
    costE4 = cost && cost.status === 'rated' ? cost.priceE4 : null
    out.cost_e4 = costE4
    out.cost_origin = costE4 === null ? null : 'deck'
  }
  if (!tariff) return out
  const result = rateRecord(tariff.deck, clock, tariff.markupBp, { ...input, costE4 }, allowances)
  out.tariff_id = tariff.id
  out.rating_status = result.status
  out.unrated_reason = result.reason
  out.price_e4 = result.status === 'unrated' ? null : result.priceE4
  out.allowance_used = result.allowanceUsed
  out.band = result.band
  if (result.rate) {
    out.rate_id = result.rate.id
    out.destination_name = result.rate.destination
    if (kindOfCategory(input.category) === 'voice') out.category = result.rate.category
  }
  return out
}
