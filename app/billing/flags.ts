import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { audit } from '#lib/audit'
import { STATUS_LABELS } from '#lib/labels'
import { e4ToMinor, formatMoney, formatScaled } from '#lib/money'
import { billableRecords, blockedCounts } from '#billing/compute'
import { int, sqlTime } from '#lib/db_helpers'
import { guardSettings, type GuardSettings } from '#billing/guard_settings'
import { beyondAverage, beyondBand, changeBp, marginFell, percentLabel } from '#billing/flag_rules'
import { addMonths } from '#rating/recurring'

/**
 * Review flags of a draft invoice. Any unacknowledged flag holds the invoice: finalize (from the review
 * page, the CLI and the scheduler's auto-finalize) refuses it and auto-send skips it, until a billing
 * user acknowledges the flags with a reason (audited). Flags are rebuilt with the draft.
 */

export type FlagKind =
  | 'change_vs_last'
  | 'change_vs_average'
  | 'anomaly'
  | 'below_cost'
  | 'margin_drop'
  | 'duplicates'
  | 'unknown_services'
  | 'unrated'

export const FLAG_LABELS = STATUS_LABELS.flag as Record<FlagKind, string>

export interface DraftFlag {
  kind: FlagKind
  message: string
  details: Record<string, any> | null
}

interface InvoiceFacts {
  id: number
  customerId: number
  period: string
  currency: string
  subtotalMinor: number
}

const SAMPLE = 50

/** A DATETIME column as ISO UTC: a Date from MySQL, "YYYY-MM-DD HH:MM:SS" (UTC) from SQLite. */
export function isoTime(value: unknown): string {
  if (value instanceof Date) return value.toISOString()
  const text = String(value)
  return new Date(
    /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : text.replace(' ', 'T') + 'Z'
  ).toISOString()
}

/** Net of the customer's finalized invoices before `period`: the last one and those of the 3 months before. */
async function history(client: QueryClientContract, invoice: InvoiceFacts) {
  const rows = await client
    .from('invoices')
    .where('customer_id', invoice.customerId)
    .where('status', 'finalized')
    .where('period', '<', invoice.period)
    .orderBy('period', 'desc')
    .limit(12)
    .select('id', 'period', 'number', 'subtotal_minor')
  const last = rows[0]
    ? {
        id: int(rows[0].id),
        period: String(rows[0].period),
        number: String(rows[0].number),
        netMinor: int(rows[0].subtotal_minor),
      }
    : null
  const window = [1, 2, 3].map((n) => addMonths(invoice.period, -n))
  const trailing = rows
    .filter((r: any) => window.includes(String(r.period)))
    .map((r: any) => int(r.subtotal_minor))
  return { last, trailing }
}

function changeFlags(
  invoice: InvoiceFacts,
  h: Awaited<ReturnType<typeof history>>,
  s: GuardSettings
): DraftFlag[] {
  const out: DraftFlag[] = []
  const money = (m: number) => formatMoney(m, invoice.currency)
  const band = percentLabel(s.changeBandBp).replace('+', '±')
  if (h.last && beyondBand(invoice.subtotalMinor, h.last.netMinor, s.changeBandBp)) {
    out.push({
      kind: 'change_vs_last',
      message: `Net ${money(invoice.subtotalMinor)} against ${money(h.last.netMinor)} on ${h.last.number} (${h.last.period}): ${percentLabel(changeBp(invoice.subtotalMinor, h.last.netMinor))}, beyond the ${band} band`,
      details: {
        lastInvoiceId: h.last.id,
        lastNetMinor: h.last.netMinor,
        netMinor: invoice.subtotalMinor,
        bandBp: s.changeBandBp,
      },
    })
  }
  if (beyondAverage(invoice.subtotalMinor, h.trailing, s.changeBandBp)) {
    const sum = h.trailing.reduce((a, b) => a + b, 0)
    const avg = Math.floor((2 * sum + h.trailing.length) / (2 * h.trailing.length))
    out.push({
      kind: 'change_vs_average',
      message: `Net ${money(invoice.subtotalMinor)} against a ${h.trailing.length}-month average of ${money(avg)}: ${percentLabel(changeBp(invoice.subtotalMinor * h.trailing.length, sum))}, beyond the ${band} band`,
      details: {
        months: h.trailing.length,
        averageMinor: avg,
        netMinor: invoice.subtotalMinor,
        bandBp: s.changeBandBp,
      },
    })
  }
  return out
}

async function belowCostFlag(
  client: QueryClientContract,
  invoice: InvoiceFacts
): Promise<DraftFlag | null> {
  const below = () =>
    billableRecords(client, invoice.customerId, invoice.period)
      .whereNotNull('cost_e4')
      .whereRaw('price_e4 < cost_e4')
  const totals = await below().count('* as n').sum({ price: 'price_e4', cost: 'cost_e4' }).first()
  const n = int(totals?.n)
  if (!n) return null
  const sample = await below()
    .orderByRaw('cost_e4 - price_e4 desc')
    .limit(SAMPLE)
    .select(
      'id',
      'identifier',
      'occurred_at',
      'category',
      'destination',
      'destination_name',
      'price_e4',
      'cost_e4'
    )
  const shortfall = int(totals.cost) - int(totals.price)
  return {
    kind: 'below_cost',
    message: `${n} record${n === 1 ? '' : 's'} priced below supplier cost: ${formatMoney(e4ToMinor(shortfall), invoice.currency)} under cost in all`,
    details: {
      records: n,
      shortfallE4: shortfall,
      sample: sample.map((r: any) => ({
        id: int(r.id),
        identifier: r.identifier,
        occurredAt: isoTime(r.occurred_at),
        destination: r.destination_name || r.destination || r.category,
        price: formatMoney(e4ToMinor(int(r.price_e4)), invoice.currency),
        cost: formatMoney(e4ToMinor(int(r.cost_e4)), invoice.currency),
        // record prices have 4 decimals: the exact figures, for a difference under a penny
        priceExact: formatScaled(int(r.price_e4), 4),
        costExact: formatScaled(int(r.cost_e4), 4),
      })),
    },
  }
}

/** Margin of the draft's records against the margin of the last invoice's records (only records with a cost). */
async function marginFlag(
  client: QueryClientContract,
  invoice: InvoiceFacts,
  lastInvoiceId: number | null,
  s: GuardSettings
): Promise<DraftFlag | null> {
  if (!lastInvoiceId) return null
  const now = await billableRecords(client, invoice.customerId, invoice.period)
    .whereNotNull('cost_e4')
    .sum({ price: 'price_e4', cost: 'cost_e4' })
    .first()
  const before = await client
    .from('usage_records')
    .where('invoice_id', lastInvoiceId)
    .whereNotNull('cost_e4')
    .sum({ price: 'price_e4', cost: 'cost_e4' })
    .first()
  const current = int(now?.price) - int(now?.cost)
  const previous = int(before?.price) - int(before?.cost)
  if (!marginFell(previous, current, s.marginDropBp)) return null
  const money = (e4: number) => formatMoney(e4ToMinor(e4), invoice.currency)
  return {
    kind: 'margin_drop',
    message: `Margin ${money(current)} against ${money(previous)} on the last invoice: ${percentLabel(changeBp(current, previous))}, more than the ${percentLabel(s.marginDropBp).replace('+', '')} allowed`,
    details: { previousMarginE4: previous, marginE4: current, dropBp: s.marginDropBp },
  }
}

/** The same call twice under different dedupe keys: same service, start, destination, duration and category. */
async function duplicatesFlag(
  client: QueryClientContract,
  invoice: InvoiceFacts
): Promise<DraftFlag | null> {
  const groups = await billableRecords(client, invoice.customerId, invoice.period)
    .groupBy('identifier', 'occurred_at', 'destination', 'duration_s', 'volume_bytes', 'category')
    .havingRaw('COUNT(*) > 1')
    .select('identifier', 'occurred_at', 'destination', 'duration_s', 'category')
    .count('* as n')
    .sum('price_e4 as price')
    .limit(500)
  if (!groups.length) return null
  const extra = groups.reduce((s: number, g: any) => s + int(g.n) - 1, 0)
  return {
    kind: 'duplicates',
    message: `${extra} suspected duplicate record${extra === 1 ? '' : 's'} (same number, start, destination, duration and category) in ${groups.length} group${groups.length === 1 ? '' : 's'}`,
    details: {
      groups: groups.slice(0, SAMPLE).map((g: any) => ({
        identifier: g.identifier,
        occurredAt: isoTime(g.occurred_at),
        destination: g.destination,
        durationS: int(g.duration_s),
        category: g.category,
        records: int(g.n),
      })),
    },
  }
}

/**
 * Identifiers in the customer's usage that are not one of its services. Until the routing team's unknown
 * services queue is on main this reads the customer's own records with no service (service_id NULL);
 * swap the body for that queue's count per customer when it lands.
 */
export async function unknownServicesFor(
  client: QueryClientContract,
  customerId: number,
  period: string
) {
  const rows = await client
    .from('usage_records')
    .where('customer_id', customerId)
    .where('period', '<=', period)
    .whereNull('invoice_id')
    .whereNull('service_id')
    .groupBy('identifier')
    .select('identifier')
    .count('* as n')
    .orderBy('identifier')
  return rows.map((r: any) => ({ identifier: String(r.identifier), records: int(r.n) }))
}

async function unknownServicesFlag(
  client: QueryClientContract,
  invoice: InvoiceFacts
): Promise<DraftFlag | null> {
  const unknown = await unknownServicesFor(client, invoice.customerId, invoice.period)
  if (!unknown.length) return null
  return {
    kind: 'unknown_services',
    message: `${unknown.length} identifier${unknown.length === 1 ? '' : 's'} in this customer's usage belong to none of its services: ${unknown
      .slice(0, 5)
      .map((u) => u.identifier)
      .join(', ')}${unknown.length > 5 ? '…' : ''}`,
    details: { identifiers: unknown.slice(0, SAMPLE) },
  }
}

async function unratedFlag(
  client: QueryClientContract,
  invoice: InvoiceFacts
): Promise<DraftFlag | null> {
  const b = await blockedCounts(client, invoice.customerId, invoice.period)
  if (b.unrated + b.pending === 0) return null
  return {
    kind: 'unrated',
    message: `${b.unrated} unrated and ${b.pending} not yet rated record${b.unrated + b.pending === 1 ? '' : 's'} are left off this invoice${b.late ? ` (${b.late} of earlier periods)` : ''}`,
    details: { ...b },
  }
}

/**
 * Where anomalies come from: insights' findAnomalies, registered at boot by start/billing_hooks.ts (billing may
 * not import insights: insights reaches billing through documents). Unregistered is an error, never "no anomalies".
 */
export type AnomalyFinder = (customerId: number, period: string) => Promise<{ message: string }[]>
let anomalyFinder: AnomalyFinder | null = null
export function useAnomalyFinder(finder: AnomalyFinder) {
  anomalyFinder = finder
}

async function anomalyFlag(invoice: InvoiceFacts): Promise<DraftFlag | null> {
  if (!anomalyFinder)
    throw new Error(
      'No anomaly finder registered (start/billing_hooks.ts is not preloaded): draft flags cannot be checked'
    )
  const anomalies = await anomalyFinder(invoice.customerId, invoice.period)
  if (!anomalies.length) return null
  return {
    kind: 'anomaly',
    message: `${anomalies.length} anomal${anomalies.length === 1 ? 'y' : 'ies'}: ${anomalies
      .slice(0, 3)
      .map((a) => a.message)
      .join('; ')}${anomalies.length > 3 ? '…' : ''}`,
    details: { anomalies: anomalies.slice(0, SAMPLE) },
  }
}

/** Every flag a draft invoice carries, from the committed data (outside any transaction). */
export async function computeFlags(invoice: InvoiceFacts): Promise<DraftFlag[]> {
  const client = db.connection()
  const settings = await guardSettings()
  const h = await history(client, invoice)
  const found = [
    ...changeFlags(invoice, h, settings),
    await anomalyFlag(invoice),
    await belowCostFlag(client, invoice),
    await marginFlag(client, invoice, h.last?.id ?? null, settings),
    await duplicatesFlag(client, invoice),
    await unknownServicesFlag(client, invoice),
    await unratedFlag(client, invoice),
  ]
  return found.filter((f): f is DraftFlag => f !== null)
}

/** Computes and stores the flags of draft invoices (replacing any earlier ones). */
export async function flagInvoices(invoiceIds: number[]) {
  for (const id of invoiceIds) {
    const row = await db
      .from('invoices')
      .where('id', id)
      .where('status', 'draft')
      .select('id', 'customer_id', 'period', 'currency', 'subtotal_minor')
      .first()
    if (!row) continue
    const flags = await computeFlags({
      id,
      customerId: int(row.customer_id),
      period: String(row.period),
      currency: String(row.currency),
      subtotalMinor: int(row.subtotal_minor),
    })
    const now = sqlTime()
    await db.transaction(async (trx) => {
      await trx.from('invoice_flags').where('invoice_id', id).delete()
      if (flags.length) {
        await trx.table('invoice_flags').multiInsert(
          flags.map((f) => ({
            invoice_id: id,
            kind: f.kind,
            message: f.message.slice(0, 500),
            details: f.details ? JSON.stringify(f.details) : null,
            created_at: now,
          }))
        )
      }
    })
  }
}

export class FlagError extends Error {
  name = 'FlagError'
}

/** A billing user acknowledges every open flag of a draft invoice, with a reason (audited). */
export async function acknowledgeFlags(invoiceId: number, reason: string, userId: number | null) {
  const text = reason.trim()
  if (text.length < 3)
    throw new FlagError('Give a reason (at least 3 characters) for acknowledging the flags')
  return db.transaction(async (trx) => {
    const invoice = await trx
      .from('invoices')
      .where('id', invoiceId)
      .select('id', 'status', 'billing_run_id')
      .first()
    if (!invoice) throw new FlagError(`Invoice #${invoiceId} not found`)
    if (invoice.status !== 'draft')
      throw new FlagError("Only a draft invoice's flags can be acknowledged")
    const open = await trx
      .from('invoice_flags')
      .where('invoice_id', invoiceId)
      .whereNull('acknowledged_at')
      .select('id', 'kind')
    if (!open.length) throw new FlagError('This invoice has no open flags')
    await trx
      .from('invoice_flags')
      .whereIn(
        'id',
        open.map((f: any) => f.id)
      )
      .update({
        acknowledged_at: sqlTime(),
        acknowledged_by: userId,
        acknowledge_reason: text.slice(0, 500),
      })
    await audit(
      {
        userId,
        action: 'invoice.flags_acknowledged',
        subjectType: 'invoice',
        subjectId: invoiceId,
        changes: {
          kinds: open.map((f: any) => f.kind),
          reason: text,
          run: int(invoice.billing_run_id),
        },
      },
      trx
    )
    return { acknowledged: open.length, runId: int(invoice.billing_run_id) }
  })
}

/** The CLI's --acknowledge: every open flag of a draft run's invoices (audited per invoice). */
export async function acknowledgeRunFlags(runId: number, reason: string, userId: number | null) {
  const ids = await db
    .from('invoices')
    .where('billing_run_id', runId)
    .where('status', 'draft')
    .select('id')
  const held = await heldInvoiceIds(
    db.connection(),
    ids.map((r: any) => int(r.id))
  )
  let acknowledged = 0
  for (const id of held) acknowledged += (await acknowledgeFlags(id, reason, userId)).acknowledged
  return { acknowledged, invoices: held.size }
}

/** Invoices (of the given ones) held by an unacknowledged flag. */
export async function heldInvoiceIds(
  client: QueryClientContract,
  invoiceIds: number[]
): Promise<Set<number>> {
  if (!invoiceIds.length) return new Set()
  const rows = await client
    .from('invoice_flags')
    .whereIn('invoice_id', invoiceIds)
    .whereNull('acknowledged_at')
    .distinct('invoice_id')
  return new Set(rows.map((r: any) => int(r.invoice_id)))
}

export interface FlagView {
  id: number
  kind: FlagKind
  label: string
  message: string
  details: Record<string, any> | null
  acknowledged: { at: string; by: string | null; reason: string } | null
}

/** The flags of these invoices for the review page, by invoice id. */
export async function flagsByInvoice(invoiceIds: number[]): Promise<Map<number, FlagView[]>> {
  const out = new Map<number, FlagView[]>()
  if (!invoiceIds.length) return out
  const rows = await db
    .from('invoice_flags as f')
    .leftJoin('users as u', 'u.id', 'f.acknowledged_by')
    .whereIn('f.invoice_id', invoiceIds)
    .orderBy('f.id')
    .select('f.*', 'u.full_name as ack_name', 'u.email as ack_email')
  for (const r of rows as any[]) {
    const list = out.get(int(r.invoice_id)) ?? []
    list.push({
      id: int(r.id),
      kind: r.kind,
      label: FLAG_LABELS[r.kind as FlagKind] ?? r.kind,
      message: r.message,
      details: r.details ? JSON.parse(r.details) : null,
      acknowledged: r.acknowledged_at
        ? {
            at: isoTime(r.acknowledged_at),
            by: r.ack_name || r.ack_email || null,
            reason: r.acknowledge_reason,
          }
        : null,
    })
    out.set(int(r.invoice_id), list)
  }
  return out
}
