import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type Customer from '#models/customer'
import { invoiceTotals, lineAmountMinor } from '#lib/money'
import { dateOnly, lastDayOfMonth, recurringForMonth, recurringMonthFor } from '#rating/recurring'
import { int } from '#lib/db_helpers'
import { billableMonths, recurringHistory } from '#billing/recurring_months'
import { categoryLabel as catalogueCategoryLabel } from '#lib/labels'
import { lineVatResolver, type LineVat } from '#einvoice/vat'
import { lineUnit } from '#einvoice/units'
import type { VatCategory } from '#einvoice/types'

/**
 * What one customer's invoice for one period contains, computed from the
 * database without writing anything. Rules (SPEC.md):
 * - usage is grouped per (employee, service, category): one line each, its
 *   amount the exact sum of the records' price_e4 rounded half-up to 2 dp
 *   (lineAmountMinor, the one rounding rule insights use too); usage with no
 *   employee lands in the "unallocated" lines (employee null), and usage of an
 *   identifier with no service (an unknown number) gets a line per identifier,
 *   so the unallocated section lists each identifier with its subtotal;
 * - recurring charges: one line per charge and calendar month billed, pro-rata
 *   by days. The target month is P + 1 (advance) or P (arrears); months of the
 *   charge before it that no finalized invoice billed yet (a part month after
 *   a mid-month start, a mode switch) are caught up as their own lines, and
 *   months already billed are never billed again (recurring_months.ts);
 * - tax per rate and totals through invoiceTotals().
 * Only unbilled records (invoice_id NULL) with rating_status rated/markup are
 * billed. Unrated and not-yet-rated records are never billed at 0: they are
 * counted in `blocked` and shown as a blocking warning on the run review.
 *
 * Late usage: the invoice for period P also bills the customer's unbilled,
 * rated records of earlier periods (period < P): carrier records that arrived
 * after their month was finalized, or records rated after a finalize that
 * left them off as unrated. They get their own lines per (period, employee,
 * service, category), with `usagePeriod` set and the period in the
 * description. Drafts never claim records; finalize claims exactly the
 * records the draft's fingerprint covers (everything `billableRecords`
 * selects), so a straggler is billed once by whichever invoice is finalized
 * first and any other draft showing it becomes stale.
 */

export const BILLABLE_STATUSES = ['rated', 'markup'] as const

/** Usage of an identifier with no service is split per identifier ('' for every other line). */
export const UNKNOWN_IDENTIFIER = `CASE WHEN service_id IS NULL THEN identifier ELSE '' END`

export interface ComputedLine {
  employeeId: number | null
  departmentId: number | null
  serviceId: number | null
  kind: 'usage' | 'recurring'
  /** YYYY-MM of late usage (a period before the invoice's); null for the invoice's own period and recurring. */
  usagePeriod: string | null
  /** Recurring lines: the charge and the calendar month (YYYY-MM) billed; null on usage lines. */
  recurringChargeId: number | null
  recurringMonth: string | null
  /** Usage of an identifier with no service (an unknown number): that identifier; null otherwise. */
  identifier: string | null
  category: string
  description: string
  quantity: number
  unitPriceE4: number
  amountMinor: number
  taxRateBp: number
  /** VAT category (S, Z, E, AE) and UN/ECE unit of the line, for the e-invoice (app/einvoice). */
  vatCategory: VatCategory
  unitCode: string
  unitQuantityE3: number
}

export interface ComputedInvoice {
  lines: ComputedLine[]
  subtotalMinor: number
  taxMinor: number
  totalMinor: number
  taxes: { rateBp: number; netMinor: number; taxMinor: number }[]
  /** Fingerprint of the usage records the lines were built from (re-checked at finalize). */
  source: { records: number; sumE4: number; lateRecords: number; recurring: string }
  blocked: BlockedCounts
  recurringMonth: string
}

/**
 * The records an invoice for `period` bills: the customer's unbilled, priced,
 * rated records of that period and of every earlier period (late usage).
 * Periods are YYYY-MM strings, so they compare in calendar order.
 */
export function billableRecords(client: QueryClientContract, customerId: number, period: string) {
  return client
    .from('usage_records')
    .where('customer_id', customerId)
    .where('period', '<=', period)
    .whereNull('invoice_id')
    .whereIn('rating_status', BILLABLE_STATUSES as unknown as string[])
    .whereNotNull('price_e4')
}

/** The catalogue's word for a category (app/lib/labels.ts), so stored descriptions read like pages and PDFs. */
export function categoryLabel(category: string) {
  return catalogueCategoryLabel(category)
}

export function monthLabel(month: string) {
  const [y, m] = month.split('-').map(Number)
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  return `${names[m - 1]} ${y}`
}

/** How a late usage line names the period its records belong to. */
export function lateUsageLabel(period: string) {
  return `(usage from ${monthLabel(period)})`
}

export interface BlockedCounts {
  /** unbilled records of the period or earlier that are unrated / unpriced */
  unrated: number
  /** unbilled records of the period or earlier that are not rated yet */
  pending: number
  /** how many of those (unrated + pending) belong to earlier periods */
  late: number
}

/**
 * Blocked (unrated / pending) unbilled records of a customer, for the period
 * and earlier periods (they would otherwise be billed as late usage): never
 * billed at 0, they block finalize like the period's own.
 */
export async function blockedCounts(
  client: QueryClientContract,
  customerId: number,
  period: string
): Promise<BlockedCounts> {
  const rows = await client
    .from('usage_records')
    .where('customer_id', customerId)
    .where('period', '<=', period)
    .whereNull('invoice_id')
    .where((q) => {
      // Internal calls (extensions, feature codes) are never priced and never block a bill.
      q.whereNotIn('rating_status', [...BILLABLE_STATUSES, 'internal']).orWhere((n) =>
        n.whereNull('price_e4').whereNot('rating_status', 'internal')
      )
    })
    .select('rating_status', 'period')
    .count('* as n')
    .groupBy('rating_status', 'period')
  const out: BlockedCounts = { unrated: 0, pending: 0, late: 0 }
  for (const row of rows) {
    const n = int(row.n)
    if (row.rating_status === 'pending') out.pending += n
    else out.unrated += n
    if (row.period !== period) out.late += n
  }
  return out
}

export async function computeInvoice(
  client: QueryClientContract,
  customer: Customer,
  period: string
): Promise<ComputedInvoice> {
  const vatOf = await lineVatResolver(client, customer)
  const groups = await usageGroups(client, customer.id, period)
  const services = await servicesOf(client, groups)
  const usage = usageLines(groups, period, services, vatOf)
  const lines = usage.lines
  const recurring = await computeRecurring(client, customer, period)
  lines.push(...recurring.lines)
  await giveRecurringLinesDepartments(client, lines)

  const totals = invoiceTotals(lines)
  return {
    lines,
    subtotalMinor: totals.subtotalMinor,
    taxMinor: totals.taxMinor,
    totalMinor: totals.totalMinor,
    taxes: totals.taxes,
    source: {
      records: usage.records,
      sumE4: usage.sumE4,
      lateRecords: usage.lateRecords,
      recurring: recurring.fingerprint,
    },
    blocked: await blockedCounts(client, customer.id, period),
    recurringMonth: recurring.recurringMonth,
  }
}

/** One line's worth of billable records: a (period, employee, service, category, unknown identifier). */
interface UsageGroup {
  period: string
  employee_id: number | null
  service_id: number | null
  category: string
  /** The identifier of usage with no service ('' otherwise; see UNKNOWN_IDENTIFIER). */
  unknown_identifier: string | null
  department_id: number | null
  n: number
  sum_e4: number | null
  duration_s: number | null
  volume_bytes: number | null
}

interface ServiceName {
  identifier: string
  label: string | null
}

type VatOf = (category: string) => LineVat

/** The usage groups an invoice bills: the period's own first, then late usage oldest period first (stable line order). */
async function usageGroups(
  client: QueryClientContract,
  customerId: number,
  period: string
): Promise<UsageGroup[]> {
  const groups: UsageGroup[] = await billableRecords(client, customerId, period)
    .select('period', 'employee_id', 'service_id', 'category')
    .select(client.raw(`${UNKNOWN_IDENTIFIER} as unknown_identifier`))
    .max('department_id as department_id')
    .count('* as n')
    .sum('price_e4 as sum_e4')
    .sum('duration_s as duration_s')
    .sum('volume_bytes as volume_bytes')
    .groupBy('period', 'employee_id', 'service_id', 'category')
    .groupByRaw(UNKNOWN_IDENTIFIER)
  groups.sort(
    (a, b) =>
      (a.period === period ? 0 : 1) - (b.period === period ? 0 : 1) ||
      String(a.period).localeCompare(String(b.period))
  )
  return groups
}

/** The identifier and label of each service the groups bill, for the line descriptions. */
async function servicesOf(
  client: QueryClientContract,
  groups: UsageGroup[]
): Promise<Map<number, ServiceName>> {
  const serviceIds = [...new Set(groups.map((g) => g.service_id).filter((id) => id !== null))]
  const services = new Map<number, ServiceName>()
  if (serviceIds.length) {
    const rows = await client
      .from('services')
      .whereIn('id', serviceIds)
      .select('id', 'identifier', 'label')
    for (const row of rows)
      services.set(Number(row.id), { identifier: row.identifier, label: row.label })
  }
  return services
}

/** One line per usage group, with the fingerprint of the records they bill. */
function usageLines(
  groups: UsageGroup[],
  period: string,
  services: Map<number, ServiceName>,
  vatOf: VatOf
) {
  const lines: ComputedLine[] = []
  let records = 0
  let sumE4 = 0
  let lateRecords = 0
  for (const g of groups) {
    const n = int(g.n)
    records += n
    sumE4 += int(g.sum_e4)
    if (g.period !== period) lateRecords += n
    lines.push(usageLine(g, period, services, vatOf))
  }
  return { lines, records, sumE4, lateRecords }
}

function usageLine(
  g: UsageGroup,
  period: string,
  services: Map<number, ServiceName>,
  vatOf: VatOf
): ComputedLine {
  const n = int(g.n)
  const late = g.period !== period
  const service = g.service_id === null ? null : services.get(Number(g.service_id))
  const unknown =
    g.service_id === null && g.unknown_identifier ? String(g.unknown_identifier) : null
  const vat = vatOf(g.category)
  const unit = lineUnit({
    kind: 'usage',
    category: g.category,
    quantity: n,
    durationS: int(g.duration_s),
    volumeBytes: int(g.volume_bytes),
  })
  const what = service
    ? ` · ${service.label ? `${service.label} (${service.identifier})` : service.identifier}`
    : unknown
      ? ` · ${unknown}`
      : ''
  return {
    employeeId: g.employee_id === null ? null : Number(g.employee_id),
    departmentId: g.department_id === null ? null : Number(g.department_id),
    serviceId: g.service_id === null ? null : Number(g.service_id),
    kind: 'usage',
    usagePeriod: late ? String(g.period) : null,
    recurringChargeId: null,
    recurringMonth: null,
    identifier: unknown,
    category: g.category,
    description: `${categoryLabel(g.category)}${what}${late ? ` ${lateUsageLabel(String(g.period))}` : ''}`,
    quantity: n,
    // Usage lines have no single unit price: quantity counts the records.
    unitPriceE4: 0,
    amountMinor: lineAmountMinor(int(g.sum_e4)),
    taxRateBp: vat.rateBp,
    vatCategory: vat.vatCategory,
    ...unit,
  }
}

/** Recurring lines take the employee's department for the per-employee sections. */
async function giveRecurringLinesDepartments(client: QueryClientContract, lines: ComputedLine[]) {
  const employeeIds = [
    ...new Set(
      lines.filter((l) => l.kind === 'recurring' && l.employeeId !== null).map((l) => l.employeeId!)
    ),
  ]
  if (!employeeIds.length) return
  const rows = await client
    .from('employees')
    .whereIn('id', employeeIds)
    .select('id', 'department_id')
  const dept = new Map(
    rows.map((r) => [Number(r.id), r.department_id === null ? null : Number(r.department_id)])
  )
  for (const line of lines)
    if (line.kind === 'recurring' && line.employeeId !== null)
      line.departmentId = dept.get(line.employeeId) ?? null
}

/**
 * The recurring lines of an invoice for `period`: every month of every charge
 * exactly once (README; app/billing/recurring_months.ts), with the fingerprint
 * finalize re-checks ("charge:month:e4", sorted) so a month billed meanwhile by
 * another invoice, or a charge edited, makes the draft stale.
 */
export async function computeRecurring(
  client: QueryClientContract,
  customer: Customer,
  period: string,
  lock = false
) {
  const vatOf = await lineVatResolver(client, customer)
  const mode = customer.recurringBilling === 'arrears' ? 'arrears' : 'advance'
  const recurringMonth = recurringMonthFor(period, mode)
  const lastDay = lastDayOfMonth(recurringMonth)
  const history = await recurringHistory(client, customer.id, period, mode, lock)
  const charges = await client
    .from('recurring_charges')
    .where('customer_id', customer.id)
    .where('starts_on', '<=', lastDay)
    .orderBy('id')
  const recurringKeys: string[] = []
  const lines: ComputedLine[] = []
  for (const charge of charges) {
    const startsOn = dateOnly(charge.starts_on)
    const endsOn = dateOnly(charge.ends_on)
    const like = {
      quantity: int(charge.quantity),
      unitPriceE4: int(charge.unit_price_e4),
      startsOn,
      endsOn,
    }
    for (const month of billableMonths(
      { id: Number(charge.id), startsOn, endsOn },
      recurringMonth,
      history
    )) {
      const amount = recurringForMonth(like, month)
      if (amount.activeDays === 0) continue
      const part =
        amount.activeDays < amount.daysInMonth
          ? `, ${amount.activeDays}/${amount.daysInMonth} days`
          : ''
      recurringKeys.push(`${Number(charge.id)}:${month}:${amount.amountE4}`)
      lines.push({
        employeeId: charge.employee_id === null ? null : Number(charge.employee_id),
        departmentId: null,
        serviceId: charge.service_id === null ? null : Number(charge.service_id),
        kind: 'recurring',
        usagePeriod: null,
        recurringChargeId: Number(charge.id),
        recurringMonth: month,
        identifier: null,
        category: charge.category,
        description: `${charge.description} (${monthLabel(month)}${part})`,
        quantity: int(charge.quantity),
        unitPriceE4: int(charge.unit_price_e4),
        amountMinor: lineAmountMinor(amount.amountE4),
        taxRateBp: vatOf(charge.category).rateBp,
        vatCategory: vatOf(charge.category).vatCategory,
        ...lineUnit({
          kind: 'recurring',
          category: charge.category,
          quantity: int(charge.quantity),
        }),
      })
    }
  }
  return { lines, recurringMonth, fingerprint: [...recurringKeys].sort().join(',') }
}

/** DATE columns: MySQL gives a Date (UTC midnight with timezone 'Z'), SQLite a string or epoch ms. */
