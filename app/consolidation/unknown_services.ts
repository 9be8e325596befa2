import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Customer from '#models/customer'
import Employee from '#models/employee'
import { audit } from '#lib/audit'
import { sqlTimeFromSql } from '#lib/db_helpers'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import { DateTime } from 'luxon'
import { findOrCreateService, guessKind, KIND_LABELS } from '#consolidation/services'
import { assignService, localMidnight, sqlDateTime } from '#consolidation/assignments'

/** A customer's usage not on an invoice yet: what assigning from the queue adds to. */
export async function unbilledUsageOf(customer: Customer) {
  const row = await db
    .from('usage_records')
    .where('customer_id', customer.id)
    .whereNull('invoice_id')
    .count('* as records')
    .sum('price_e4 as price')
    .first()
  return {
    records: Number(row?.records ?? 0),
    priceE4: Number(row?.price ?? 0),
    currency: customer.currency,
  }
}

/** One identifier of the unknown-services queue, as the admin page shows it. */
export interface UnknownServiceRow {
  identifier: string
  kindLabel: string
  connectorId: number | null
  /** The feed's name, or "Upload" for files uploaded by hand. */
  supplier: string
  /** UTC "YYYY-MM-DD HH:MM:SS". */
  firstSeen: string
  lastSeen: string
  records: number
  /** Supplier cost of the queued records so far, ten-thousandths of the currency unit; null when the feed has no cost. */
  costE4: number | null
}

export interface UnknownServicesPage {
  rows: UnknownServiceRow[]
  meta: { currentPage: number; lastPage: number; total: number; perPage: number }
  totals: { identifiers: number; records: number }
}

/** The queue, one row per identifier and feed, most recently seen first; `search` matches the identifier. */
export async function listUnknownServices(
  opts: { page?: number; search?: string; perPage?: number } = {}
): Promise<UnknownServicesPage> {
  const perPage = opts.perPage ?? 50
  const page = Math.max(1, opts.page ?? 1)
  const search = (opts.search ?? '').trim()
  const grouped = () =>
    db
      .from('unknown_usage_records as u')
      .if(search, (q) =>
        q.where('u.identifier', 'like', `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      )
      .groupBy('u.identifier', 'u.connector_id')
  const [{ n: total }] = await db
    .from(grouped().select('u.identifier', 'u.connector_id').as('g'))
    .count('* as n')
  const [{ n: allRecords }] = await db.from('unknown_usage_records').count('* as n')
  const rows = await grouped()
    .leftJoin('connectors as c', 'c.id', 'u.connector_id')
    .groupBy('c.name')
    .select('u.identifier', 'u.connector_id', 'c.name as connector_name')
    .min('u.occurred_at as first_seen')
    .max('u.occurred_at as last_seen')
    .count('* as records')
    .sum('u.cost_e4 as cost_e4')
    .orderBy('last_seen', 'desc')
    .orderBy('u.identifier')
    .limit(perPage)
    .offset((page - 1) * perPage)
  return {
    rows: rows.map((r) => ({
      identifier: String(r.identifier),
      kindLabel: KIND_LABELS[guessKind(String(r.identifier))],
      connectorId: r.connector_id === null ? null : Number(r.connector_id),
      supplier: r.connector_name ?? 'Upload',
      firstSeen: sqlTimeFromSql(r.first_seen)!,
      lastSeen: sqlTimeFromSql(r.last_seen)!,
      records: Number(r.records),
      costE4: r.cost_e4 === null ? null : Number(r.cost_e4),
    })),
    meta: {
      currentPage: page,
      lastPage: Math.max(1, Math.ceil(Number(total) / perPage)),
      total: Number(total),
      perPage,
    },
    totals: { identifiers: Number(total), records: Number(allRecords) },
  }
}

export interface AssignUnknownInput {
  identifier: string
  customerId: number
  employeeId?: number | null
  /** "YYYY-MM-DD" in the customer's zone: the customer owns the identifier from that day on. */
  from: string
}

/** Rows per move: SQLite's multi-row insert takes at most 500. */
const MOVE_BATCH = 400

/**
 * Gives an unknown identifier to a customer (and optionally an employee) from a date: the
 * customer's service is created (or found) and owns the identifier from then on, so later
 * reseller-wide records route to it; the queued records from that date on move to the
 * customer's usage (period in the customer's zone), then are mapped, rated and rolled up.
 * Records from before the date stay queued. Returns what moved.
 */
export async function assignUnknown(input: AssignUnknownInput, userId: number | null) {
  const customer = await Customer.findOrFail(input.customerId)
  const startsAt = localMidnight(input.from, customer.timeZone)
  const fromSql = sqlDateTime(startsAt)
  const moved = await db.transaction(async (trx) => {
    const { service, created } = await findOrCreateService(
      customer.id,
      guessKind(input.identifier),
      input.identifier,
      trx
    )
    // A service the customer already had keeps its ownership (null: always).
    if (created) await trx.from('services').where('id', service.id).update({ owned_from: fromSql })
    if (input.employeeId) {
      const employee = await Employee.query({ client: trx })
        .where('id', input.employeeId)
        .where('customer_id', customer.id)
        .firstOrFail()
      await assignService(service, employee, startsAt, { userId, trx })
    }
    const result = await moveQueued(trx, input.identifier, fromSql, customer)
    await audit(
      {
        userId,
        action: 'unknown_service.assign',
        subjectType: 'service',
        subjectId: service.id,
        changes: {
          identifier: input.identifier,
          customerId: customer.id,
          employeeId: input.employeeId ?? null,
          from: input.from,
          records: result.records,
        },
      },
      trx
    )
    return result
  })
  if (moved.periods.length) {
    await afterUsageChange(customer.id, moved.periods)
  }
  return { customerId: customer.id, ...moved }
}

/** Moves an identifier's queued records from an instant on into the customer's usage records. */
async function moveQueued(
  trx: TransactionClientContract,
  identifier: string,
  fromSql: string,
  customer: Customer
) {
  const periods = new Set<string>()
  let records = 0
  for (;;) {
    const rows = await trx
      .from('unknown_usage_records')
      .where('identifier', identifier)
      .where('occurred_at', '>=', fromSql)
      .orderBy('id')
      .limit(MOVE_BATCH)
      .forUpdate()
    if (!rows.length) break
    const usage = rows.map((r) => {
      const occurredAt = sqlTimeFromSql(r.occurred_at)!
      const period = DateTime.fromSQL(occurredAt, { zone: 'utc' })
        .setZone(customer.timeZone)
        .toFormat('yyyy-MM')
      periods.add(period)
      return {
        customer_id: customer.id,
        source: r.source,
        dedupe_key: r.dedupe_key,
        import_id: r.import_id,
        identifier: r.identifier,
        occurred_at: occurredAt,
        period,
        category: r.category,
        destination: r.destination,
        duration_s: r.duration_s,
        volume_bytes: r.volume_bytes,
        quantity: r.quantity,
        description: r.description,
        cost_e4: r.cost_e4,
        rating_status: 'pending',
      }
    })
    // A call stored for a customer meanwhile (same per-reseller key) is not stored again.
    await trx.knexQuery().table('usage_records').insert(usage).onConflict(['dedupe_key']).ignore()
    await trx
      .from('unknown_usage_records')
      .whereIn(
        'id',
        rows.map((r) => r.id)
      )
      .delete()
    records += rows.length
  }
  return { records, periods: [...periods].sort() }
}
