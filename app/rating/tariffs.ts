import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import { audit } from '#lib/audit'
import type { DeckMemo } from '#rating/deck_store'
import { parseDeckFile, DeckImportError, type DeckRow } from '#rating/deck_csv'
import type { RateFields } from '#rating/types'
import { rateUsage, type RatingObserver, type RatingSummary } from '#rating/rate_usage'
import { dayNumber } from '#rating/time_band'
import { isoDateOf } from '#rating/deck_store'

const INSERT_BATCH = 1000
const now = () => DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')

export interface ImportDeckOptions {
  path: string
  displayName?: string
  tariffId?: number
  tariffName?: string
  /** Delete the tariff's other rates (a full new deck) instead of merging by prefix/category/date. */
  replace?: boolean
  userId?: number | null
  /** For a new tariff: a sell deck (default) or a supplier's buy (cost) deck. */
  kind?: 'sell' | 'buy'
  supplier?: string | null
}

export interface ImportDeckResult {
  tariff_id: number
  rates: number
  inserted: number
  updated: number
  removed: number
}

/**
 * Imports a rate deck CSV into a tariff (created when `tariffName` is new). All
 * or nothing: any bad line fails with a DeckImportError naming file, line and
 * field, and nothing is written. Valid decks are written in one transaction
 * with batched upserts on (tariff, prefix, category, effective date).
 */
export async function importDeck(options: ImportDeckOptions): Promise<ImportDeckResult> {
  const parsed = await parseDeckFile(options.path, { displayName: options.displayName })
  if (parsed.errorCount > 0)
    throw new DeckImportError(parsed.file, parsed.errors, parsed.errorCount)
  return db.transaction(async (trx) => {
    let tariffId = options.tariffId
    if (!tariffId) {
      if (!options.tariffName) throw new Error('a tariff id or name is needed')
      tariffId = (
        await findOrCreateTariff(
          options.tariffName,
          { kind: options.kind, supplier: options.supplier },
          options.userId ?? null,
          trx
        )
      ).id
    } else if (!(await trx.from('tariffs').where('id', tariffId).first())) {
      throw new Error(`tariff ${tariffId} does not exist`)
    }
    const written = await writeRates(trx, tariffId, parsed.rows, options.replace ?? false)
    await trx.from('tariffs').where('id', tariffId).update({ updated_at: now() })
    await audit(
      {
        userId: options.userId ?? null,
        action: 'tariff.rates_imported',
        subjectType: 'tariff',
        subjectId: tariffId,
        changes: {
          file: parsed.file,
          rows: parsed.rows.length,
          ...written,
          replace: options.replace ?? false,
        },
      },
      trx
    )
    return { tariff_id: tariffId, rates: parsed.rows.length, ...written }
  })
}

/** What importing these rows would do to a tariff's deck: new rates, rates rewritten, rates not in the file. */
export interface DeckChanges {
  added: number
  /** same prefix, category and start date as a rate the tariff has: its prices are overwritten */
  replaced: number
  /** rates of the tariff the file does not mention: kept, or removed with "Replace the whole deck" */
  notInFile: number
}

/** The preview's counterpart of writeRates: the same key (prefix, category, start date), nothing written. */
export async function deckChanges(tariffId: number, rows: DeckRow[]): Promise<DeckChanges> {
  const existing = new Set<string>()
  for (const r of await db
    .from('rates')
    .where('tariff_id', tariffId)
    .select('prefix', 'category', 'effective_from'))
    existing.add(`${r.prefix}|${r.category}|${isoDateOf(r.effective_from)}`)
  const inFile = new Set(rows.map((r) => `${r.prefix}|${r.category}|${r.effectiveFrom}`))
  let replaced = 0
  for (const key of inFile) if (existing.has(key)) replaced++
  return { added: inFile.size - replaced, replaced, notInFile: existing.size - replaced }
}

async function writeRates(
  trx: TransactionClientContract,
  tariffId: number,
  rows: DeckRow[],
  replace: boolean
) {
  const existing = new Set<string>()
  const existingQuery = trx
    .from('rates')
    .where('tariff_id', tariffId)
    .select('prefix', 'category', 'effective_from')
  // A handful of rows (a single rate from the UI): look only at their prefixes, not the whole deck.
  if (!replace && rows.length <= 100)
    existingQuery.whereIn('prefix', [...new Set(rows.map((r) => r.prefix))])
  const existingRows = await existingQuery
  for (const r of existingRows)
    existing.add(`${r.prefix}|${r.category}|${isoDateOf(r.effective_from)}`)
  let removed = 0
  if (replace && existing.size > 0) {
    removed = Number(await trx.from('rates').where('tariff_id', tariffId).delete()) || existing.size
    existing.clear()
  }
  let inserted = 0
  const stamp = now()
  // SQLite's multi-row insert is a compound SELECT, limited to 500 terms.
  const batch = /sqlite/.test(trx.dialect.name) ? 400 : INSERT_BATCH
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch).map((r) => {
      if (!existing.has(`${r.prefix}|${r.category}|${r.effectiveFrom}`)) inserted++
      return {
        tariff_id: tariffId,
        prefix: r.prefix,
        destination: r.destination,
        category: r.category,
        peak_micros: r.peakMicros,
        offpeak_micros: r.offpeakMicros,
        weekend_micros: r.weekendMicros,
        connection_micros: r.connectionMicros,
        minimum_micros: r.minimumMicros,
        initial_s: r.initialS,
        subsequent_s: r.subsequentS,
        effective_from: r.effectiveFrom,
        created_at: stamp,
        updated_at: stamp,
      }
    })
    await trx
      .knexQuery()
      .table('rates')
      .insert(chunk)
      .onConflict(['tariff_id', 'prefix', 'category', 'effective_from'])
      .merge([
        'destination',
        'peak_micros',
        'offpeak_micros',
        'weekend_micros',
        'connection_micros',
        'minimum_micros',
        'initial_s',
        'subsequent_s',
        'updated_at',
      ])
  }
  return { inserted, updated: rows.length - inserted, removed }
}

export async function findOrCreateTariff(
  name: string,
  attrs: {
    currency?: string
    defaultMarkupBp?: number
    description?: string | null
    kind?: 'sell' | 'buy'
    supplier?: string | null
  },
  userId: number | null,
  trx: TransactionClientContract
): Promise<{ id: number; created: boolean }> {
  const found = await trx.from('tariffs').where('name', name).select('id', 'kind').first()
  if (found) {
    if (attrs.kind && String(found.kind ?? 'sell') !== attrs.kind) {
      throw new TariffAssignmentError(
        `tariff "${name}" is a ${found.kind ?? 'sell'} deck, not a ${attrs.kind} deck`
      )
    }
    return { id: Number(found.id), created: false }
  }
  const stamp = now()
  const values = {
    name,
    currency: attrs.currency ?? 'GBP',
    default_markup_bp: attrs.defaultMarkupBp ?? 0,
    description: attrs.description ?? null,
    kind: attrs.kind ?? 'sell',
    supplier: attrs.kind === 'buy' ? (attrs.supplier ?? null) : null,
  }
  const [id] = await trx
    .table('tariffs')
    .insert({ ...values, created_at: stamp, updated_at: stamp })
  const row = id
    ? { id: Number(id) }
    : await trx.from('tariffs').where('name', name).select('id').first()
  await audit(
    {
      userId,
      action: 'tariff.created',
      subjectType: 'tariff',
      subjectId: Number(row.id),
      changes: values,
    },
    trx
  )
  return { id: Number(row.id), created: true }
}

export type { RateFields } from '#rating/types'

/** Adds (or replaces, same prefix/category/date) one rate; audited. */
export async function saveRate(
  tariffId: number,
  fields: RateFields,
  userId: number | null
): Promise<number> {
  return db.transaction(async (trx) => {
    const row = {
      line: 0,
      ...fields,
    }
    await writeRates(trx, tariffId, [row], false)
    const saved = await trx
      .from('rates')
      .where({ tariff_id: tariffId, prefix: fields.prefix, category: fields.category })
      .where('effective_from', fields.effectiveFrom)
      .select('id')
      .first()
    await trx.from('tariffs').where('id', tariffId).update({ updated_at: now() })
    await audit(
      {
        userId,
        action: 'rate.saved',
        subjectType: 'tariff',
        subjectId: tariffId,
        changes: { rateId: saved?.id ?? null, ...fields },
      },
      trx
    )
    return Number(saved?.id)
  })
}

/** Removes one rate; audited. */
export async function deleteRate(tariffId: number, rateId: number, userId: number | null) {
  return db.transaction(async (trx) => {
    const rate = await trx.from('rates').where({ id: rateId, tariff_id: tariffId }).first()
    if (!rate) return false
    await trx.from('rates').where('id', rateId).delete()
    await trx.from('tariffs').where('id', tariffId).update({ updated_at: now() })
    await audit(
      {
        userId,
        action: 'rate.deleted',
        subjectType: 'tariff',
        subjectId: tariffId,
        changes: { rateId, prefix: rate.prefix, category: rate.category },
      },
      trx
    )
    return true
  })
}

/** A tariff that cannot be given to a customer (its rates are in another currency). */
export class TariffAssignmentError extends Error {}

/**
 * Puts a customer on a tariff from a date. An assignment still open on that date
 * is closed the day the new one starts; one starting the same day is replaced.
 * Rates are amounts in the tariff's currency, so the customer must be billed in it.
 */
export async function assignCustomer(
  customerId: number,
  tariffId: number,
  startsOn: string,
  userId: number | null
) {
  return db.transaction(async (trx) => {
    const customer = await trx
      .from('customers')
      .where('id', customerId)
      .select('name', 'currency')
      .firstOrFail()
    const tariff = await trx
      .from('tariffs')
      .where('id', tariffId)
      .select('currency', 'kind', 'name')
      .firstOrFail()
    if (tariff.kind === 'buy') {
      throw new TariffAssignmentError(
        `"${tariff.name}" is a buy deck (a supplier's costs): set it on a connector, not on a customer`
      )
    }
    if (String(tariff.currency) !== String(customer.currency)) {
      throw new TariffAssignmentError(
        `${customer.name} is billed in ${customer.currency}; this tariff is in ${tariff.currency}`
      )
    }
    const start = dayNumber(startsOn)
    const rows = await trx.from('customer_tariffs').where('customer_id', customerId)
    const closed: number[] = []
    for (const r of rows) {
      const from = dayNumber(isoDateOf(r.starts_on))
      const until = r.ends_on ? dayNumber(isoDateOf(r.ends_on)) : Number.POSITIVE_INFINITY
      if (from === start) {
        await trx.from('customer_tariffs').where('id', r.id).delete()
        closed.push(Number(r.id))
      } else if (from < start && until > start) {
        await trx
          .from('customer_tariffs')
          .where('id', r.id)
          .update({ ends_on: startsOn, updated_at: now() })
        closed.push(Number(r.id))
      }
    }
    // A later assignment (starting after this one) bounds the new one.
    const later = rows
      .map((r: any) => isoDateOf(r.starts_on))
      .filter((d: string) => dayNumber(d) > start)
      .sort()[0]
    const stamp = now()
    await trx.table('customer_tariffs').insert({
      customer_id: customerId,
      tariff_id: tariffId,
      starts_on: startsOn,
      ends_on: later ?? null,
      created_at: stamp,
      updated_at: stamp,
    })
    await audit(
      {
        userId,
        action: 'customer_tariff.assigned',
        subjectType: 'customer',
        subjectId: customerId,
        changes: { tariffId, startsOn, endsOn: later ?? null, closed },
      },
      trx
    )
  })
}

export interface RerateSummary extends RatingSummary {
  /** Per customer; `periods` are the months whose prices may have changed (rollups read them). */
  customers: ({
    customerId: number
    name: string
    accountNumber: string
    periods: string[]
  } & RatingSummary)[]
}

/**
 * Re-rates unbilled records after a tariff change: for every customer on the
 * tariff (or the given customers), each in its own transaction. Returns the
 * differences (records, changed, totals). Rating knows nothing of rollups: callers
 * go through `rerateAndRefresh` in the usage pipeline, which refreshes them.
 */
export async function rerate(
  scope: {
    tariffId?: number
    customerIds?: number[]
    period?: string
    reason?: string
    decks?: DeckMemo
    observer?: RatingObserver
  },
  userId: number | null = null
): Promise<RerateSummary> {
  // Every customer of the pass prices with the same deck versions, checked once.
  const decks = scope.decks ?? new Map()
  let customerIds = scope.customerIds
  if (!customerIds) {
    const q = db.from('customer_tariffs').distinct('customer_id')
    if (scope.tariffId) q.where('tariff_id', scope.tariffId)
    customerIds = (await q).map((r: any) => Number(r.customer_id))
    if (scope.tariffId) customerIds.push(...(await customersCostedBy(scope.tariffId)))
  }
  const total: RerateSummary = {
    records: 0,
    rated: 0,
    unrated: 0,
    changed: 0,
    oldTotalE4: 0,
    newTotalE4: 0,
    customers: [],
  }
  for (const customerId of [...new Set(customerIds)].sort((a, b) => a - b)) {
    const customer = await db
      .from('customers')
      .where('id', customerId)
      .select('id', 'name', 'account_number')
      .first()
    if (!customer) continue
    const periods = scope.period
      ? [scope.period]
      : (
          await db
            .from('usage_records')
            .where('customer_id', customerId)
            .whereNull('invoice_id')
            .distinct('period')
        ).map((r: any) => String(r.period))
    const summary = await rateUsage({
      customerId,
      period: scope.period,
      reason: scope.reason || 're-rate',
      userId,
      decks,
      observer: scope.observer,
    })
    total.customers.push({
      customerId,
      name: customer.name,
      accountNumber: customer.account_number,
      periods,
      ...summary,
    })
    for (const k of ['records', 'rated', 'unrated', 'changed', 'oldTotalE4', 'newTotalE4'] as const)
      total[k] += summary[k]
  }
  await audit({
    userId,
    action: 'rating.rerated',
    subjectType: scope.tariffId ? 'tariff' : 'customer',
    subjectId: scope.tariffId ?? (customerIds.length === 1 ? customerIds[0] : null),
    changes: {
      period: scope.period ?? null,
      customers: total.customers.length,
      records: total.records,
      changed: total.changed,
      oldTotalE4: total.oldTotalE4,
      newTotalE4: total.newTotalE4,
    },
  })
  return total
}

/** Customers with unbilled records from connectors whose buy deck is this tariff (none for a sell deck). */
async function customersCostedBy(tariffId: number): Promise<number[]> {
  const tariff = await db.from('tariffs').where('id', tariffId).select('name', 'kind').first()
  if (!tariff || tariff.kind !== 'buy') return []
  const connectors = (await db.from('connectors').select('id', 'settings')).filter((c: any) => {
    let s: any = c.settings
    try {
      s = typeof s === 'string' ? JSON.parse(s) : s
    } catch {
      return false
    }
    const ref = String(s?.buyTariff ?? '').trim()
    return ref !== '' && (ref === String(tariffId) || ref === tariff.name)
  })
  if (connectors.length === 0) return []
  const rows = await db
    .from('usage_records')
    .join('imports', 'imports.id', 'usage_records.import_id')
    .whereIn(
      'imports.connector_id',
      connectors.map((c: any) => Number(c.id))
    )
    .whereNull('usage_records.invoice_id')
    .distinct('usage_records.customer_id')
  return rows.map((r: any) => Number(r.customer_id))
}
