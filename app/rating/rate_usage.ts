import db from '@adonisjs/lucid/services/db'
import { mysqlLiteral } from '#lib/db_helpers'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { kindOfCategory } from '#rating/deck'
import { AllowanceLedger } from '#rating/allowances'
import type { clockFor } from '#rating/time_band'
import { epochMsOf, type DeckMemo } from '#rating/deck_store'
import { recordOutcome, type TariffContext } from '#rating/record_outcome'
import { loadCustomerTariffs } from '#rating/customer_tariffs'
import { recordRerate, type RecordChange } from '#rating/rerate_history'
import { buyDecksForImports } from '#rating/buy_decks'

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

const UPDATE_BATCH = 1000
const COLUMNS = [
  'price_e4',
  'tariff_id',
  'rate_id',
  'allowance_used',
  'rating_status',
  'unrated_reason',
  'category',
  'destination_name',
  'cost_e4',
  'cost_origin',
] as const
type Update = { id: number } & Record<(typeof COLUMNS)[number], string | number | null>

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

  let periods: string[]
  if (scope.period) periods = [scope.period]
  else {
    const q = trx
      .from('usage_records')
      .where('customer_id', scope.customerId)
      .whereNull('invoice_id')
      .distinct('period')
    if (scope.recordIds) {
      if (scope.recordIds.length === 0) return summary
      q.whereIn('id', scope.recordIds)
    }
    periods = (await q).map((r: any) => String(r.period)).sort()
  }
  if (periods.length === 0) return summary

  const loaded = (
    await loadCustomerTariffs(
      trx,
      new Map([[scope.customerId, String(customer.time_zone || 'Europe/London')]]),
      scope.decks
    )
  ).get(scope.customerId)!
  const { clock, tariffs } = loaded
  const tariffOn = (day: number) => loaded.on(day)

  for (const period of periods) {
    const rows = await trx
      .from('usage_records')
      .where('customer_id', scope.customerId)
      .where('period', period)
      .orderBy('occurred_at')
      .orderBy('id')
      .select(
        'id',
        'occurred_at',
        'category',
        'destination',
        'destination_name',
        'duration_s',
        'volume_bytes',
        'quantity',
        'cost_e4',
        'price_e4',
        'tariff_id',
        'rate_id',
        'allowance_used',
        'rating_status',
        'unrated_reason',
        'service_id',
        'identifier',
        'invoice_id',
        'import_id',
        'cost_origin',
        'department_id',
        'employee_id'
      )
    const importIds = [
      ...new Set(
        rows
          .filter((r: any) => r.import_id !== null && r.cost_origin !== 'supplier')
          .map((r: any) => Number(r.import_id))
      ),
    ]
    const buyDecks = await buyDecksForImports(importIds, trx, scope.decks)
    const ledgers = new Map<number, AllowanceLedger>()
    const ledgerOf = (t: TariffContext) => {
      let ledger = ledgers.get(t.id)
      if (!ledger) {
        ledger = new AllowanceLedger(t.allowances)
        ledgers.set(t.id, ledger)
      }
      return ledger
    }
    const updates: Update[] = []
    // Re-rating history: the old and new outcome of every record this pass changes.
    const history: RecordChange[] = []
    const periodTotals = { records: 0, oldE4: 0, newE4: 0 }
    for (const row of rows) {
      const serviceKey = row.service_id ? `s${row.service_id}` : `i${row.identifier}`
      if (row.invoice_id !== null && row.invoice_id !== undefined) {
        // Invoiced: never touched, but its allowance use still counts this month.
        const used = Number(row.allowance_used)
        const t = row.tariff_id ? tariffs.get(Number(row.tariff_id)) : undefined
        if (used > 0 && t)
          ledgerOf(t).consume(serviceKey, kindOfCategory(row.category), row.category, used)
        continue
      }
      summary.records++
      periodTotals.records++
      const oldPrice = row.price_e4 === null ? null : Number(row.price_e4)
      periodTotals.oldE4 += oldPrice ?? 0
      summary.oldTotalE4 += oldPrice ?? 0
      const startMs = epochMsOf(row.occurred_at)
      const tariff = tariffOn(clock.localDay(startMs))
      const input = {
        startMs,
        category: row.category,
        destination: row.destination,
        durationS: Number(row.duration_s),
        volumeBytes: Number(row.volume_bytes),
        quantity: Number(row.quantity),
        costE4: row.cost_e4 === null ? null : Number(row.cost_e4),
      }
      const ledger = tariff ? ledgerOf(tariff) : null
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
      const next: Update = { id: Number(row.id), ...fields }
      if (next.rating_status === 'unrated') summary.unrated++
      else summary.rated++
      summary.newTotalE4 += (next.price_e4 as number | null) ?? 0
      periodTotals.newE4 += (next.price_e4 as number | null) ?? 0
      if (
        oldPrice !== next.price_e4 ||
        (row.tariff_id === null ? null : Number(row.tariff_id)) !== next.tariff_id ||
        (row.rate_id === null ? null : Number(row.rate_id)) !== next.rate_id ||
        Number(row.allowance_used) !== next.allowance_used ||
        row.rating_status !== next.rating_status ||
        (row.unrated_reason ?? null) !== next.unrated_reason ||
        row.category !== next.category ||
        (row.destination_name ?? null) !== next.destination_name ||
        input.costE4 !== next.cost_e4 ||
        (row.cost_origin ?? null) !== next.cost_origin
      ) {
        updates.push(next)
        history.push(changeOf(row, next, band, clock, startMs))
        scope.observer?.changed(ratedChange(scope.customerId, period, row, next))
      }
    }
    summary.changed += updates.length
    for (let i = 0; i < updates.length; i += UPDATE_BATCH) {
      await writeBatch(trx, updates.slice(i, i + UPDATE_BATCH))
    }
    await recordRerate(
      trx,
      {
        customerId: scope.customerId,
        period,
        reason: scope.reason ?? 'rating',
        userId: scope.userId ?? null,
        records: periodTotals.records,
        oldTotalE4: periodTotals.oldE4,
        newTotalE4: periodTotals.newE4,
      },
      history
    )
  }
  await scope.observer?.beforeCommit(trx, scope.customerId)
  return summary
}

/** A nullable numeric column as a number or null (both drivers). */
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))

function ratedChange(customerId: number, period: string, row: any, next: Update): RatedChange {
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
  row: any,
  next: Update,
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

/**
 * Writes one batch of outcomes. MySQL/MariaDB: UPDATE … JOIN a derived table of
 * the new values; SQLite: UPDATE … SET col = CASE id WHEN … END … WHERE id IN (…).
 */
async function writeBatch(trx: TransactionClientContract, batch: Update[]) {
  if (batch.length === 0) return
  const bindings: (string | number | null)[] = []
  if (trx.dialect.name === 'mysql') {
    // Values escaped by mysql2 rather than bound: binding 11 values × thousands of rows through the
    // query builder costs more than the UPDATE itself.
    const rows = batch.map((u, i) =>
      i === 0
        ? `SELECT ${Number(u.id)} AS id, ${COLUMNS.map((c) => `${mysqlLiteral(u[c])} AS ${c}`).join(', ')}`
        : `SELECT ${Number(u.id)}, ${COLUMNS.map((c) => mysqlLiteral(u[c])).join(', ')}`
    )
    const sql =
      `UPDATE usage_records u JOIN (${rows.join(' UNION ALL ')}) v ON u.id = v.id SET ` +
      COLUMNS.map((c) => `u.${c} = v.${c}`).join(', ')
    await trx.rawQuery(sql)
    return
  }
  const sets = COLUMNS.map((column) => {
    const whens = batch.map((u) => {
      bindings.push(u.id, u[column])
      return 'WHEN ? THEN ?'
    })
    return `${column} = CASE id ${whens.join(' ')} END`
  })
  for (const u of batch) bindings.push(u.id)
  const sql = `UPDATE usage_records SET ${sets.join(', ')} WHERE id IN (${batch.map(() => '?').join(', ')})`
  await trx.rawQuery(sql, bindings as any[])
}
