import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { kindOfCategory } from '#rating/deck'
import { AllowanceLedger } from '#rating/allowances'
import type { clockFor } from '#rating/time_band'
import { epochMsOf, type DeckMemo } from '#rating/deck_store'
import { recordOutcome, type TariffContext } from '#rating/record_outcome'
import { loadCustomerTariffs, type CustomerTariffs } from '#rating/customer_tariffs'
import { recordRerate, type RecordChange } from '#rating/rerate_history'
import { buyDecksForImports, type BuyDeck } from '#rating/buy_decks'
import {
  periodRecords,
  writeOutcomes,
  type OutcomeUpdate,
  type StoredRecord,
} from '#rating/rating_rows'

export interface RatingScope {
  customerId: number
  period?: string
  recordIds?: number[]
  /** Why this pass runs, kept in the re-rating history ("tariff fix", "import", …). */
  reason?: string
  userId?: number | null
  /** Decks checked once for a whole pass over many customers (see DeckMemo). */
  decks?: DeckMemo
  /** Told of every record whose outcome changes, and given the transaction before it commits. */
  observer?: RatingObserver
}

/** The parts of a record's old and new outcome that usage rollups sum. */
export interface RatedSide {
  category: string
  destinationName: string | null
  costE4: number | null
  priceE4: number | null
}

export interface RatedChange {
  customerId: number
  period: string
  departmentId: number | null
  employeeId: number | null
  serviceId: number | null
  destination: string | null
  durationS: number
  volumeBytes: number
  before: RatedSide
  after: RatedSide
}

/**
 * Lets the caller keep what depends on prices (the usage rollups) right in the rating
 * transaction itself, from the changes alone, without a second pass over the records.
 */
export interface RatingObserver {
  changed(change: RatedChange): void
  beforeCommit(trx: TransactionClientContract, customerId: number): Promise<void>
}

export interface RatingSummary {
  records: number
  rated: number
  unrated: number
  changed: number
  oldTotalE4: number
  newTotalE4: number
}

/**
 * Prices the unbilled usage records (invoice_id IS NULL) of a customer for a
 * period (or every period that has unbilled records, or the periods of the
 * given records). A whole period is always re-rated, because allowances are
 * consumed in start-time order across it; invoiced records of the period only
 * count against the allowances. Runs in one transaction, writes only rows whose
 * outcome changed (so a second run changes nothing) and returns the summary.
 */
export async function rateUsage(
  scope: RatingScope,
  trx?: TransactionClientContract
): Promise<RatingSummary> {
  if (trx) return rateWithin(scope, trx)
  return db.transaction((t) => rateWithin(scope, t))
}

/** What rating one period of a customer reads and collects. */
interface PeriodPass {
  scope: RatingScope
  period: string
  loaded: CustomerTariffs
  buyDecks: Map<number, BuyDeck>
  /** Allowance balances per tariff, opened on first use. */
  ledgers: Map<number, AllowanceLedger>
  summary: RatingSummary
  /** The outcomes that changed, written once the period is rated. */
  updates: OutcomeUpdate[]
  /** Re-rating history: the old and new outcome of every record this pass changes. */
  history: RecordChange[]
  records: number
  oldE4: number
  newE4: number
}

async function rateWithin(
  scope: RatingScope,
  trx: TransactionClientContract
): Promise<RatingSummary> {
  const summary: RatingSummary = {
    records: 0,
    rated: 0,
    unrated: 0,
    changed: 0,
    oldTotalE4: 0,
    newTotalE4: 0,
  }
  const customer = await trx
    .from('customers')
    .where('id', scope.customerId)
    .select('id', 'time_zone')
    .first()
  if (!customer) return summary
  const periods = await periodsToRate(scope, trx)
  if (periods.length === 0) return summary

  const loaded = (
    await loadCustomerTariffs(
      trx,
      new Map([[scope.customerId, String(customer.time_zone || 'Europe/London')]]),
      scope.decks
    )
  ).get(scope.customerId)!
  for (const period of periods) await ratePeriod(trx, scope, loaded, period, summary)
  await scope.observer?.beforeCommit(trx, scope.customerId)
  return summary
}

/** The period asked for, or every period with unbilled records (of the given records), in order. */
async function periodsToRate(
  scope: RatingScope,
  trx: TransactionClientContract
): Promise<string[]> {
  if (scope.period) return [scope.period]
  if (scope.recordIds && scope.recordIds.length === 0) return []
  const q = trx
    .from('usage_records')
    .where('customer_id', scope.customerId)
    .whereNull('invoice_id')
    .distinct('period')
  if (scope.recordIds) q.whereIn('id', scope.recordIds)
  return (await q).map((r: { period: unknown }) => String(r.period)).sort()
}

/** Re-rates one period and writes the outcomes that changed and their history. */
async function ratePeriod(
  trx: TransactionClientContract,
  scope: RatingScope,
  loaded: CustomerTariffs,
  period: string,
  summary: RatingSummary
) {
  const rows = await periodRecords(trx, scope.customerId, period)
  const pass: PeriodPass = {
    scope,
    period,
    loaded,
    buyDecks: await buyDecksForImports(importsToCost(rows), trx, scope.decks),
    ledgers: new Map(),
    summary,
    updates: [],
    history: [],
    records: 0,
    oldE4: 0,
    newE4: 0,
  }
  rateRows(pass, rows)
  summary.changed += pass.updates.length
  await writeOutcomes(trx, pass.updates)
  await recordRerate(
    trx,
    {
      customerId: scope.customerId,
      period,
      reason: scope.reason ?? 'rating',
      userId: scope.userId ?? null,
      records: pass.records,
      oldTotalE4: pass.oldE4,
      newTotalE4: pass.newE4,
    },
    pass.history
  )
}

/** The imports whose records their connector's buy deck costs (a supplier's own cost stands). */
function importsToCost(rows: StoredRecord[]): number[] {
  return [
    ...new Set(
      rows
        .filter((r) => r.import_id !== null && r.cost_origin !== 'supplier')
        .map((r) => Number(r.import_id))
    ),
  ]
}

/** Prices the period's records in order, collecting the outcomes that changed. */
function rateRows(pass: PeriodPass, rows: StoredRecord[]) {
  const { scope, period, loaded, summary, buyDecks, ledgers, updates, history } = pass
  const clock = loaded.clock
  for (const row of rows) {
    const serviceKey = row.service_id ? `s${row.service_id}` : `i${row.identifier}`
    if (row.invoice_id !== null && row.invoice_id !== undefined) {
      countInvoicedAllowance(pass, row, serviceKey)
      continue
    }
    summary.records++
    pass.records++
    const oldPrice = row.price_e4 === null ? null : Number(row.price_e4)
    pass.oldE4 += oldPrice ?? 0
    summary.oldTotalE4 += oldPrice ?? 0
    const startMs = epochMsOf(row.occurred_at)
    const tariff = loaded.on(clock.localDay(startMs))
    const input = {
      startMs,
      category: row.category,
      destination: row.destination,
      durationS: Number(row.duration_s),
      volumeBytes: Number(row.volume_bytes),
      quantity: Number(row.quantity),
      costE4: row.cost_e4 === null ? null : Number(row.cost_e4),
    }
    const ledger = tariff ? ledgerOf(ledgers, tariff) : null
    const outcome = recordOutcome(
      tariff,
      row.import_id === null ? undefined : buyDecks.get(Number(row.import_id)),
      clock,
      {
        ...input,
        destinationName: row.destination_name ?? null,
        costOrigin: row.cost_origin ?? null,
      },
      ledger && !ledger.empty ? ledger.forService(serviceKey) : undefined
    )
    const { band, ...fields } = outcome
    const next: OutcomeUpdate = { id: Number(row.id), ...fields }
    if (next.rating_status === 'unrated') summary.unrated++
    else summary.rated++
    summary.newTotalE4 += (next.price_e4 as number | null) ?? 0
    pass.newE4 += (next.price_e4 as number | null) ?? 0
    if (outcomeChanged(row, oldPrice, input.costE4, next)) {
      updates.push(next)
      history.push(changeOf(row, next, band, clock, startMs))
      scope.observer?.changed(ratedChange(scope.customerId, period, row, next))
    }
  }
}

/** An invoiced record is never touched, but its allowance use still counts this month. */
function countInvoicedAllowance(pass: PeriodPass, row: StoredRecord, serviceKey: string) {
  const used = Number(row.allowance_used)
  const t = row.tariff_id ? pass.loaded.tariffs.get(Number(row.tariff_id)) : undefined
  if (used > 0 && t)
    ledgerOf(pass.ledgers, t).consume(serviceKey, kindOfCategory(row.category), row.category, used)
}

function ledgerOf(ledgers: Map<number, AllowanceLedger>, t: TariffContext): AllowanceLedger {
  let ledger = ledgers.get(t.id)
  if (!ledger) {
    ledger = new AllowanceLedger(t.allowances)
    ledgers.set(t.id, ledger)
  }
  return ledger
}

/** Whether any stored rating column differs from the new outcome (only those rows are written). */
function outcomeChanged(
  row: StoredRecord,
  oldPrice: number | null,
  oldCostE4: number | null,
  next: OutcomeUpdate
): boolean {
  return (
    oldPrice !== next.price_e4 ||
    (row.tariff_id === null ? null : Number(row.tariff_id)) !== next.tariff_id ||
    (row.rate_id === null ? null : Number(row.rate_id)) !== next.rate_id ||
    Number(row.allowance_used) !== next.allowance_used ||
    row.rating_status !== next.rating_status ||
    (row.unrated_reason ?? null) !== next.unrated_reason ||
    row.category !== next.category ||
    (row.destination_name ?? null) !== next.destination_name ||
    oldCostE4 !== next.cost_e4 ||
    (row.cost_origin ?? null) !== next.cost_origin
  )
}

/** A nullable numeric column as a number or null (both drivers). */
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))

function ratedChange(
  customerId: number,
  period: string,
  row: StoredRecord,
  next: OutcomeUpdate
): RatedChange {
  return {
    customerId,
    period,
    departmentId: num(row.department_id),
    employeeId: num(row.employee_id),
    serviceId: num(row.service_id),
    destination: row.destination ?? null,
    durationS: Number(row.duration_s),
    volumeBytes: Number(row.volume_bytes),
    before: {
      category: String(row.category),
      destinationName: row.destination_name ?? null,
      costE4: num(row.cost_e4),
      priceE4: num(row.price_e4),
    },
    after: {
      category: String(next.category),
      destinationName: (next.destination_name as string | null) ?? null,
      costE4: num(next.cost_e4),
      priceE4: num(next.price_e4),
    },
  }
}

/** A record's old and new outcome for the history. The old band is its start's band (bands depend on time only). */
function changeOf(
  row: StoredRecord,
  next: OutcomeUpdate,
  band: string | null,
  clock: ReturnType<typeof clockFor>,
  startMs: number
): RecordChange {
  return {
    usageRecordId: Number(row.id),
    identifier: String(row.identifier),
    destination: row.destination ?? null,
    destinationName: (next.destination_name as string | null) ?? row.destination_name ?? null,
    category: String(next.category ?? row.category),
    occurredAt: row.occurred_at,
    before: {
      priceE4: num(row.price_e4),
      rateId: num(row.rate_id),
      tariffId: num(row.tariff_id),
      band:
        row.rate_id !== null &&
        row.rate_id !== undefined &&
        kindOfCategory(row.category) === 'voice'
          ? clock.band(startMs)
          : null,
      allowanceUsed: Number(row.allowance_used),
      status: String(row.rating_status),
    },
    after: {
      priceE4: num(next.price_e4),
      rateId: num(next.rate_id),
      tariffId: num(next.tariff_id),
      band,
      allowanceUsed: Number(next.allowance_used),
      status: String(next.rating_status),
    },
  }
}
