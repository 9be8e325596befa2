import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { int } from '#lib/db_helpers'
import { diffLines, type LineDiff, type LineForDiff } from '#billing/flag_rules'
import { formatMoney } from '#lib/money'
import { categoryLabel } from '#billing/compute'

/**
 * What changed between two versions of an invoice: a regenerated draft against the draft it replaced
 * (kept in the new draft's snapshot.regenerated), and an invoice against the customer's previous invoice
 * (per employee and category, for the invoice page).
 */

const ACCOUNT = 'Account charges'
const UNALLOCATED = 'Unallocated'

/** A line's identity across versions: who, which service, what, which month. */
function keyOf(l: any) {
  return [
    l.kind,
    l.employee_id ?? 0,
    l.service_id ?? 0,
    l.category,
    l.usage_period ?? '',
    l.recurring_charge_id ?? 0,
    l.recurring_month ?? '',
  ].join('|')
}

async function linesOf(client: QueryClientContract, invoiceIds: number[]) {
  if (!invoiceIds.length) return []
  return client
    .from('invoice_lines as l')
    .leftJoin('employees as e', 'e.id', 'l.employee_id')
    .whereIn('l.invoice_id', invoiceIds)
    .select(
      'l.invoice_id',
      'l.kind',
      'l.employee_id',
      'l.service_id',
      'l.category',
      'l.usage_period',
      'l.recurring_charge_id',
      'l.recurring_month',
      'l.description',
      'l.quantity',
      'l.amount_minor',
      'e.name as employee_name'
    )
}

function employeeOf(l: any) {
  if (l.employee_name) return String(l.employee_name)
  return l.kind === 'recurring' ? ACCOUNT : UNALLOCATED
}

function forDiff(l: any): LineForDiff {
  return {
    key: keyOf(l),
    label: String(l.description),
    employee: employeeOf(l),
    amountMinor: int(l.amount_minor),
    quantity: int(l.quantity),
  }
}

/** The lines of a run's drafts, per customer, taken before a regenerate throws them away. */
export async function captureDraftLines(runId: number): Promise<Map<number, LineForDiff[]>> {
  const invoices = await db
    .from('invoices')
    .where('billing_run_id', runId)
    .where('status', 'draft')
    .select('id', 'customer_id')
  const customerOf = new Map(invoices.map((i: any) => [int(i.id), int(i.customer_id)]))
  const out = new Map<number, LineForDiff[]>()
  for (const c of customerOf.values()) out.set(c, [])
  for (const l of await linesOf(db.connection(), [...customerOf.keys()]))
    out.get(customerOf.get(int(l.invoice_id))!)!.push(forDiff(l))
  return out
}

export interface RegenerationDiff extends LineDiff {
  at: string
  beforeNetMinor: number
  afterNetMinor: number
}

/** Stores, on each regenerated draft, its diff against the draft it replaced (a customer gone from the run keeps nothing). */
export async function storeRegenerationDiffs(runId: number, before: Map<number, LineForDiff[]>) {
  const invoices = await db
    .from('invoices')
    .where('billing_run_id', runId)
    .where('status', 'draft')
    .select('id', 'customer_id', 'snapshot')
  const lines = await linesOf(
    db.connection(),
    invoices.map((i: any) => int(i.id))
  )
  const at = new Date().toISOString()
  const diffs: { customerId: number; diff: RegenerationDiff }[] = []
  for (const invoice of invoices as any[]) {
    const after = lines.filter((l: any) => int(l.invoice_id) === int(invoice.id)).map(forDiff)
    const old = before.get(int(invoice.customer_id)) ?? []
    const diff: RegenerationDiff = {
      at,
      ...diffLines(old, after),
      beforeNetMinor: old.reduce((s, l) => s + l.amountMinor, 0),
      afterNetMinor: after.reduce((s, l) => s + l.amountMinor, 0),
    }
    const snapshot =
      typeof invoice.snapshot === 'string' ? JSON.parse(invoice.snapshot) : (invoice.snapshot ?? {})
    snapshot.regenerated = diff
    await db
      .from('invoices')
      .where('id', invoice.id)
      .update({ snapshot: JSON.stringify(snapshot) })
    diffs.push({ customerId: int(invoice.customer_id), diff })
  }
  return diffs
}

export interface ChangeVsLast {
  previous: { id: number; number: string | null; period: string } | null
  byEmployee: { employee: string; beforeMinor: number; afterMinor: number; deltaMinor: number }[]
  byCategory: { category: string; beforeMinor: number; afterMinor: number; deltaMinor: number }[]
}

function totalsBy(rows: any[], keyFn: (l: any) => string) {
  const m = new Map<string, number>()
  for (const l of rows) m.set(keyFn(l), (m.get(keyFn(l)) ?? 0) + int(l.amount_minor))
  return m
}

function compareTotals(before: Map<string, number>, after: Map<string, number>) {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort()
  return keys.map((k) => ({
    key: k,
    beforeMinor: before.get(k) ?? 0,
    afterMinor: after.get(k) ?? 0,
    deltaMinor: (after.get(k) ?? 0) - (before.get(k) ?? 0),
  }))
}

/** An invoice against the customer's previous invoice (the latest earlier period), per employee and category. */
export async function changeAgainstLast(invoiceId: number): Promise<ChangeVsLast> {
  const invoice = await db
    .from('invoices')
    .where('id', invoiceId)
    .select('id', 'customer_id', 'period')
    .first()
  if (!invoice) return { previous: null, byEmployee: [], byCategory: [] }
  const prev = await db
    .from('invoices')
    .where('customer_id', invoice.customer_id)
    .where('status', 'finalized')
    .where('period', '<', invoice.period)
    .orderBy('period', 'desc')
    .select('id', 'number', 'period')
    .first()
  const now = await linesOf(db.connection(), [int(invoice.id)])
  const before = prev ? await linesOf(db.connection(), [int(prev.id)]) : []
  return {
    previous: prev ? { id: int(prev.id), number: prev.number, period: String(prev.period) } : null,
    byEmployee: compareTotals(totalsBy(before, employeeOf), totalsBy(now, employeeOf)).map(
      ({ key, ...v }) => ({ employee: key, ...v })
    ),
    byCategory: compareTotals(
      totalsBy(before, (l) => String(l.category)),
      totalsBy(now, (l) => String(l.category))
    ).map(({ key, ...v }) => ({ category: key, ...v })),
  }
}

export interface DiffView {
  at: string
  net: { before: string; after: string; delta: string }
  added: { label: string; employee: string; amount: string }[]
  removed: { label: string; employee: string; amount: string }[]
  changed: { label: string; employee: string; before: string; after: string; delta: string }[]
  byEmployee: { employee: string; before: string; after: string; delta: string }[]
}

const signed = (minor: number, currency: string) =>
  (minor > 0 ? '+' : minor < 0 ? '−' : '') + formatMoney(Math.abs(minor), currency)

/** A stored regeneration diff as the review page shows it (money formatted with its currency). */
export function diffView(
  diff: RegenerationDiff | null | undefined,
  currency: string
): DiffView | null {
  if (!diff) return null
  const m = (minor: number) => formatMoney(minor, currency)
  return {
    at: diff.at,
    net: {
      before: m(diff.beforeNetMinor),
      after: m(diff.afterNetMinor),
      delta: signed(diff.afterNetMinor - diff.beforeNetMinor, currency),
    },
    added: diff.added.map((l) => ({
      label: l.label,
      employee: l.employee,
      amount: m(l.amountMinor),
    })),
    removed: diff.removed.map((l) => ({
      label: l.label,
      employee: l.employee,
      amount: m(l.amountMinor),
    })),
    changed: diff.changed.map((c) => ({
      label: c.label,
      employee: c.employee,
      before: m(c.beforeMinor),
      after: m(c.afterMinor),
      delta: signed(c.deltaMinor, currency),
    })),
    byEmployee: diff.byEmployee.map((e) => ({
      employee: e.employee,
      before: m(e.beforeMinor),
      after: m(e.afterMinor),
      delta: signed(e.deltaMinor, currency),
    })),
  }
}

export interface ChangeVsLastView {
  previous: { id: number; number: string | null; period: string } | null
  byEmployee: {
    employee: string
    before: string
    after: string
    delta: string
    deltaMinor: number
  }[]
  byCategory: {
    category: string
    before: string
    after: string
    delta: string
    deltaMinor: number
  }[]
}

export function changeVsLastView(change: ChangeVsLast, currency: string): ChangeVsLastView {
  const m = (minor: number) => formatMoney(minor, currency)
  return {
    previous: change.previous,
    byEmployee: change.byEmployee.map((e) => ({
      employee: e.employee,
      before: m(e.beforeMinor),
      after: m(e.afterMinor),
      delta: signed(e.deltaMinor, currency),
      deltaMinor: e.deltaMinor,
    })),
    byCategory: change.byCategory.map((c) => ({
      category: categoryLabel(c.category),
      before: m(c.beforeMinor),
      after: m(c.afterMinor),
      delta: signed(c.deltaMinor, currency),
      deltaMinor: c.deltaMinor,
    })),
  }
}
