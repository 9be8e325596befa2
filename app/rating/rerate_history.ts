import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import db from '@adonisjs/lucid/services/db'
import { insertRows } from '#lib/db_helpers'
import { e4ToMinor, formatMoney, formatScaled } from '#lib/money'
import { csvLine } from '#lib/csv'

/**
 * Per-record history of re-rating: whenever a rating pass changes a record that already had an outcome
 * (rated, markup or unrated — not a first rating of a pending record), one `rerate_changes` row keeps
 * its old and new price, rate, band, allowance and status and the reason it changed, under a `rerates`
 * row per (pass, customer, period) with the reason given for the pass ("tariff fix", "import", …).
 */

export type ChangeReason = 'rate' | 'price' | 'allowance' | 'tariff' | 'rated' | 'unrated'

export const CHANGE_REASON_LABELS: Record<ChangeReason, string> = {
  rate: 'Another rate row matched',
  price: 'Same rate, new price (deck value changed)',
  allowance: 'Allowance use changed',
  tariff: 'Another tariff applies',
  rated: 'Now rated (was unrated)',
  unrated: 'Now unrated (was priced)',
}

export interface RecordOutcome {
  priceE4: number | null
  rateId: number | null
  tariffId: number | null
  band: string | null
  allowanceUsed: number
  status: string
}

export interface RecordChange {
  usageRecordId: number
  identifier: string
  destination: string | null
  destinationName: string | null
  category: string
  occurredAt: unknown
  before: RecordOutcome
  after: RecordOutcome
}

/** Why a record's outcome changed, most telling first. Pure. */
export function changeReason(before: RecordOutcome, after: RecordOutcome): ChangeReason {
  const priced = (s: string) => s === 'rated' || s === 'markup'
  if (!priced(before.status) && priced(after.status)) return 'rated'
  if (priced(before.status) && !priced(after.status)) return 'unrated'
  if (before.tariffId !== after.tariffId) return 'tariff'
  if (before.rateId !== after.rateId) return 'rate'
  if (before.allowanceUsed !== after.allowanceUsed) return 'allowance'
  return 'price'
}

/** Writes one pass's changes of a customer and period; nothing when no rated record changed. */
export async function recordRerate(
  trx: TransactionClientContract,
  pass: {
    customerId: number
    period: string
    reason: string
    userId: number | null
    records: number
    oldTotalE4: number
    newTotalE4: number
  },
  changes: RecordChange[]
) {
  const history = changes.filter((c) => c.before.status !== 'pending')
  if (!history.length) return null
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
  const [id] = await trx.table('rerates').insert({
    customer_id: pass.customerId,
    period: pass.period,
    reason: pass.reason.slice(0, 200),
    user_id: pass.userId,
    records: pass.records,
    changed: history.length,
    old_total_e4: pass.oldTotalE4,
    new_total_e4: pass.newTotalE4,
    created_at: now,
  })
  const rows = history.map((c) => ({
    rerate_id: Number(id),
    usage_record_id: c.usageRecordId,
    identifier: c.identifier,
    destination: c.destination,
    destination_name: c.destinationName,
    category: c.category,
    occurred_at:
      c.occurredAt instanceof Date
        ? c.occurredAt.toISOString().slice(0, 19).replace('T', ' ')
        : c.occurredAt,
    old_price_e4: c.before.priceE4,
    new_price_e4: c.after.priceE4,
    old_rate_id: c.before.rateId,
    new_rate_id: c.after.rateId,
    old_band: c.before.band,
    new_band: c.after.band,
    old_allowance_used: c.before.allowanceUsed,
    new_allowance_used: c.after.allowanceUsed,
    old_status: c.before.status,
    new_status: c.after.status,
    reason: changeReason(c.before, c.after),
  }))
  await insertRows(trx, 'rerate_changes', rows)
  return Number(id)
}

const int = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))

/** The re-rates, newest first (optionally of one customer). */
export async function rerateList(filter: { customerId?: number } = {}) {
  const q = db
    .from('rerates as r')
    .join('customers as c', 'c.id', 'r.customer_id')
    .leftJoin('users as u', 'u.id', 'r.user_id')
    .orderBy('r.id', 'desc')
    .limit(200)
  if (filter.customerId) q.where('r.customer_id', filter.customerId)
  const rows = await q.select(
    'r.*',
    'c.name as customer',
    'c.account_number',
    'c.currency',
    'u.full_name as user_name'
  )
  return rows.map((r: any) => ({
    id: int(r.id),
    customer: String(r.customer),
    account: String(r.account_number),
    period: String(r.period),
    reason: String(r.reason),
    by: r.user_name ?? null,
    at:
      r.created_at instanceof Date
        ? r.created_at.toISOString()
        : new Date(String(r.created_at).replace(' ', 'T') + 'Z').toISOString(),
    changed: int(r.changed),
    oldTotal: formatMoney(e4ToMinor(int(r.old_total_e4)), r.currency),
    newTotal: formatMoney(e4ToMinor(int(r.new_total_e4)), r.currency),
    delta: formatMoney(e4ToMinor(int(r.new_total_e4)) - e4ToMinor(int(r.old_total_e4)), r.currency),
  }))
}

export interface ChangeFilter {
  destination?: string
  reason?: ChangeReason
}

/** One re-rate's changed records ("what changed"), filtered by destination and reason. */
export async function rerateChanges(rerateId: number, filter: ChangeFilter = {}) {
  const head = await db
    .from('rerates as r')
    .join('customers as c', 'c.id', 'r.customer_id')
    .where('r.id', rerateId)
    .select('r.*', 'c.name as customer', 'c.account_number', 'c.currency')
    .first()
  if (!head) return null
  const q = db
    .from('rerate_changes as x')
    .leftJoin('rates as o', 'o.id', 'x.old_rate_id')
    .leftJoin('rates as n', 'n.id', 'x.new_rate_id')
    .where('x.rerate_id', rerateId)
    .orderBy('x.occurred_at')
    .orderBy('x.id')
    .select(
      'x.*',
      'o.prefix as old_prefix',
      'o.destination as old_rate_name',
      'n.prefix as new_prefix',
      'n.destination as new_rate_name'
    )
  if (filter.reason) q.where('x.reason', filter.reason)
  if (filter.destination) {
    const like = `%${filter.destination}%`
    q.where((w) => w.whereILike('x.destination', like).orWhereILike('x.destination_name', like))
  }
  const rows = await q
  const currency = String(head.currency)
  const price = (e4: unknown) =>
    e4 === null || e4 === undefined
      ? null
      : `${formatMoney(e4ToMinor(int(e4)), currency)} (${formatScaled(int(e4), 4)})`
  const rate = (prefix: unknown, name: unknown, id: unknown) =>
    id === null || id === undefined ? null : `${name ?? 'rate'} (+${prefix ?? '?'})`
  return {
    rerate: {
      id: int(head.id),
      customer: String(head.customer),
      account: String(head.account_number),
      customerId: int(head.customer_id),
      period: String(head.period),
      reason: String(head.reason),
      changed: int(head.changed),
    },
    changes: rows.map((r: any) => ({
      id: int(r.id),
      usageRecordId: int(r.usage_record_id),
      identifier: String(r.identifier),
      destination: r.destination_name || r.destination || '',
      category: String(r.category),
      occurredAt:
        r.occurred_at instanceof Date
          ? r.occurred_at.toISOString()
          : new Date(String(r.occurred_at).replace(' ', 'T') + 'Z').toISOString(),
      oldPrice: price(r.old_price_e4),
      newPrice: price(r.new_price_e4),
      deltaMinor: e4ToMinor(int(r.new_price_e4)) - e4ToMinor(int(r.old_price_e4)),
      oldRate: rate(r.old_prefix, r.old_rate_name, r.old_rate_id),
      newRate: rate(r.new_prefix, r.new_rate_name, r.new_rate_id),
      oldBand: r.old_band,
      newBand: r.new_band,
      oldAllowance: int(r.old_allowance_used),
      newAllowance: int(r.new_allowance_used),
      oldStatus: String(r.old_status),
      newStatus: String(r.new_status),
      reason: String(r.reason) as ChangeReason,
      reasonLabel: CHANGE_REASON_LABELS[r.reason as ChangeReason] ?? String(r.reason),
    })),
  }
}

/** The same rows as CSV (exact e4 prices, so a sub-penny change shows). */
export function rerateCsv(data: NonNullable<Awaited<ReturnType<typeof rerateChanges>>>) {
  const head = [
    'record_id',
    'occurred_at_utc',
    'identifier',
    'destination',
    'category',
    'old_price',
    'new_price',
    'old_rate',
    'new_rate',
    'old_band',
    'new_band',
    'old_allowance',
    'new_allowance',
    'old_status',
    'new_status',
    'reason',
  ]
  const lines = data.changes.map((c) => [
    c.usageRecordId,
    c.occurredAt,
    c.identifier,
    c.destination,
    c.category,
    c.oldPrice,
    c.newPrice,
    c.oldRate,
    c.newRate,
    c.oldBand,
    c.newBand,
    c.oldAllowance,
    c.newAllowance,
    c.oldStatus,
    c.newStatus,
    c.reasonLabel,
  ])
  return [head, ...lines].map(csvLine).join('\r\n') + '\r\n'
}
