import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { divRoundHalfUp, e4ToMinor } from '#lib/money'
import { addMonths, isPeriod, monthsBetween } from '#insights/periods'
import { loadMoneyLines } from '#insights/lines'
import {
  ACCOUNT_CHARGES,
  ACCOUNT_DEPARTMENT,
  ACCOUNT_EMPLOYEE,
  NO_DEPARTMENT,
  NO_DEPARTMENT_KEY,
  UNALLOCATED,
  UNALLOCATED_DEPARTMENT,
  UNALLOCATED_EMPLOYEE,
  departmentKey,
  employeeKey,
  filterLines,
  sumBy,
  total,
  type LineKind,
  type MoneyLine,
  type Sums,
} from '#insights/money_model'

/**
 * Management-information queries. Every money figure is a sum of the month's money lines
 * (money_model.ts, loaded by lines.ts): a finalized invoice's lines for a billed month, the lines its
 * draft would bill (from monthly_rollups and recurring_rollups, rounded as the invoice rounds) for
 * the others. Amounts are the sell price in minor units: `amountMinor` = `usageMinor` +
 * `recurringMinor`; `records` counts usage records only.
 */

export type Range = { from: string; to: string }

export const MAX_MONTHS = 60

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))

/**
 * The default last month: the last complete month (the month before the current one in the time
 * zone), or the newest month with usage before it when the data ends earlier; a customer whose only
 * usage is in the current month gets the current month. Without a customer: across all customers.
 */
export async function defaultLastMonth(customerId?: number): Promise<string> {
  const customer = customerId
    ? await db.from('customers').where('id', customerId).select('time_zone').first()
    : null
  const now = DateTime.now().setZone(customer?.time_zone || 'Europe/London')
  const current = (now.isValid ? now : DateTime.utc()).toFormat('yyyy-MM')
  const lastComplete = addMonths(current, -1)
  const scoped = () =>
    customerId
      ? db.from('monthly_rollups').where('customer_id', customerId)
      : db.from('monthly_rollups')
  const before = await scoped().where('period', '<=', lastComplete).max('period as p').first()
  if (isPeriod(before?.p)) return before.p
  const any = await scoped().max('period as p').first()
  return isPeriod(any?.p) ? any.p : lastComplete
}

function rangeEndingAt(to: string, input: { from?: unknown }): Range {
  let from: string | undefined = isPeriod(input.from) ? input.from : undefined
  if (!from || from > to) from = addMonths(to, -11)
  if (monthsBetween(from, to).length > MAX_MONTHS) from = addMonths(to, -(MAX_MONTHS - 1))
  return { from, to }
}

/** The range from the query string, or the 12 months up to the default last month of the customer. */
export async function resolveRange(
  customerId: number,
  input: { from?: unknown; to?: unknown }
): Promise<Range> {
  return rangeEndingAt(isPeriod(input.to) ? input.to : await defaultLastMonth(customerId), input)
}

/** The margin report's range: as resolveRange, across all customers. */
export async function resolveMarginRange(input: { from?: unknown; to?: unknown }): Promise<Range> {
  return rangeEndingAt(isPeriod(input.to) ? input.to : await defaultLastMonth(), input)
}

export type Filter = {
  period?: string
  category?: string
  departmentId?: number
  employeeId?: number
}

function rollups(
  customerId: number,
  range: Range,
  filter: Filter = {},
  table: 'monthly_rollups' | 'recurring_rollups' = 'monthly_rollups'
) {
  const q = db
    .from(table)
    .where('customer_id', customerId)
    .whereBetween('period', filter.period ? [filter.period, filter.period] : [range.from, range.to])
  if (filter.category) q.where('category', filter.category)
  if (filter.departmentId !== undefined) q.where('department_id', filter.departmentId)
  if (filter.employeeId !== undefined) q.where('employee_id', filter.employeeId)
  return q
}

/** The recurring charges' rollups under the same range and filter. */
function recurring(customerId: number, range: Range, filter: Filter = {}) {
  return rollups(customerId, range, filter, 'recurring_rollups')
}

async function names(customerId: number) {
  const [employees, departments] = await Promise.all([
    db
      .from('employees')
      .where('customer_id', customerId)
      .select('id', 'name', 'department_id', 'employee_number', 'email'),
    db.from('departments').where('customer_id', customerId).select('id', 'name'),
  ])
  const departmentName = new Map<number, string>(
    departments.map((d: any) => [Number(d.id), String(d.name)])
  )
  const employee = new Map<
    number,
    {
      name: string
      departmentId: number
      department: string
      employeeNumber: string | null
      email: string | null
    }
  >(
    employees.map((e: any) => {
      const departmentId = num(e.department_id)
      return [
        Number(e.id),
        {
          name: String(e.name),
          departmentId,
          department: departmentName.get(departmentId) ?? 'No department',
          employeeNumber: e.employee_number ?? null,
          email: e.email ?? null,
        },
      ]
    })
  )
  return { employee, departmentName }
}

export { UNALLOCATED, ACCOUNT_CHARGES, NO_DEPARTMENT } from '#insights/money_model'

export type EmployeeRow = {
  /** an employee's id, 0 = unallocated usage, -1 = account charges */
  employeeId: number
  name: string
  department: string
  /** usageMinor + recurringMinor */
  amountMinor: number
  usageMinor: number
  recurringMinor: number
  records: number
  sharePct: number
}

/** The money lines of the range (money_model.ts), narrowed by the filter. */
export async function linesOf(customerId: number, range: Range, filter: Filter = {}) {
  const periods = filter.period ? [filter.period] : monthsBetween(range.from, range.to)
  return filterLines(
    await loadMoneyLines(customerId, periods, { employeeId: filter.employeeId }),
    filter
  )
}

function pct(part: number, whole: number) {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10
}

const parts = (s: Sums | undefined) => ({
  amountMinor: s?.amountMinor ?? 0,
  usageMinor: s?.usageMinor ?? 0,
  recurringMinor: s?.recurringMinor ?? 0,
})

/** Month-over-month change; changePct is null when the previous month was zero. */
function monthOverMonth(trend: { period: string; amountMinor: number }[]) {
  return trend.map((t, i) => {
    const previous = i === 0 ? null : trend[i - 1].amountMinor
    const changeMinor = previous === null ? null : t.amountMinor - previous
    const changePct =
      previous === null || previous === 0
        ? null
        : Math.round(((t.amountMinor - previous) / previous) * 1000) / 10
    return {
      period: t.period,
      amountMinor: t.amountMinor,
      previousMinor: previous,
      changeMinor,
      changePct,
    }
  })
}

type Lookup = Awaited<ReturnType<typeof names>>

function employeeName(id: number, lookup: Lookup) {
  if (id === UNALLOCATED_EMPLOYEE) return UNALLOCATED
  if (id === ACCOUNT_EMPLOYEE) return ACCOUNT_CHARGES
  return lookup.employee.get(id)?.name ?? `Employee #${id}`
}

function departmentLabel(id: number, lookup: Lookup) {
  if (id === UNALLOCATED_DEPARTMENT) return UNALLOCATED
  if (id === ACCOUNT_DEPARTMENT) return ACCOUNT_CHARGES
  if (id === NO_DEPARTMENT_KEY) return NO_DEPARTMENT
  return lookup.departmentName.get(id) ?? `Department #${id}`
}

/** Employee rows of the lines, biggest first; "Unallocated" (usage of nobody) and "Account charges" apart. */
function employeeRows(lines: MoneyLine[], lookup: Lookup) {
  const list: EmployeeRow[] = [...sumBy(lines, employeeKey)].map(([id, s]) => ({
    employeeId: id,
    name: employeeName(id, lookup),
    department: id > 0 ? (lookup.employee.get(id)?.department ?? NO_DEPARTMENT) : '',
    ...parts(s),
    records: s.records,
    sharePct: 0,
  }))
  const sum = list.reduce((s, r) => s + r.amountMinor, 0)
  for (const r of list) r.sharePct = pct(r.amountMinor, sum)
  list.sort((a, b) => b.amountMinor - a.amountMinor || a.name.localeCompare(b.name))
  return { rows: list, totalMinor: sum }
}

/** Employee rows (summed over the filter, usage and recurring charges), biggest first. */
export async function employeeBreakdown(customerId: number, range: Range, filter: Filter = {}) {
  const [lines, lookup] = await Promise.all([linesOf(customerId, range, filter), names(customerId)])
  return employeeRows(lines, lookup)
}

/** A month × key table: one row per key with the amount of every month. */
function monthTable(lines: MoneyLine[], periods: string[], keyOf: (l: MoneyLine) => number) {
  const cells = sumBy(lines, (l) => `${keyOf(l)}|${l.period}`)
  const keys = [...new Set(lines.map(keyOf))]
  return keys.map((key) => ({
    key,
    months: periods.map((p) => cells.get(`${key}|${p}`)?.amountMinor ?? 0),
  }))
}

/** The data behind the insights dashboard of one customer and range (usage + recurring charges). */
export async function dashboard(
  customerId: number,
  range: Range,
  options: { trendEmployees?: number } = {}
) {
  const periods = monthsBetween(range.from, range.to)
  // No supplier cost here: the dashboard is also the portal's (margin is admin-only, margin.ts).
  const [lines, lookup] = await Promise.all([linesOf(customerId, range), names(customerId)])
  const totals = total(lines)
  const totalMinor = totals.amountMinor
  const trend = monthlyTrend(lines, periods)
  const employees = employeeRows(lines, lookup)
  const named = employees.rows.filter((e) => e.employeeId > 0)
  const monthsWithData = trend.filter((t) => t.records > 0 || t.amountMinor !== 0).length
  return {
    range,
    periods,
    totals: {
      amountMinor: totalMinor,
      usageMinor: totals.usageMinor,
      recurringMinor: totals.recurringMinor,
      records: totals.records,
      employees: named.length,
      averageMonthMinor: monthsWithData ? divRoundHalfUp(totalMinor, monthsWithData) : 0,
    },
    trend,
    mom: monthOverMonth(trend),
    byCategory: categoryShares(lines, totalMinor),
    byDepartment: departmentShares(lines, lookup, totalMinor),
    departmentTrend: departmentTrend(lines, periods, lookup),
    byEmployee: employees.rows,
    topSpenders: named.slice(0, 10),
    employeeTrend: topSpenderTrend(lines, periods, named.slice(0, options.trendEmployees ?? 5)),
  }
}

function monthlyTrend(lines: MoneyLine[], periods: string[]) {
  const byPeriod = sumBy(lines, (l) => l.period)
  const billed = new Set(lines.filter((l) => l.billed).map((l) => l.period))
  return periods.map((period) => ({
    period,
    ...parts(byPeriod.get(period)),
    records: byPeriod.get(period)?.records ?? 0,
    billed: billed.has(period),
  }))
}

function categoryShares(lines: MoneyLine[], totalMinor: number) {
  return [...sumBy(lines, (l) => l.category)]
    .map(([category, s]) => ({
      category,
      ...parts(s),
      records: s.records,
      sharePct: pct(s.amountMinor, totalMinor),
    }))
    .sort((a, b) => b.amountMinor - a.amountMinor || a.category.localeCompare(b.category))
}

function departmentShares(lines: MoneyLine[], lookup: Lookup, totalMinor: number) {
  return [...sumBy(lines, departmentKey)]
    .map(([departmentId, s]) => ({
      departmentId,
      department: departmentLabel(departmentId, lookup),
      ...parts(s),
      records: s.records,
      sharePct: pct(s.amountMinor, totalMinor),
    }))
    .sort((a, b) => b.amountMinor - a.amountMinor || a.department.localeCompare(b.department))
}

function departmentTrend(lines: MoneyLine[], periods: string[], lookup: Lookup) {
  return monthTable(lines, periods, departmentKey)
    .map((row) => ({
      departmentId: row.key,
      department: departmentLabel(row.key, lookup),
      months: row.months,
      totalMinor: row.months.reduce((a, b) => a + b, 0),
    }))
    .sort((a, b) => b.totalMinor - a.totalMinor || a.department.localeCompare(b.department))
}

/** The biggest spenders month by month (usage + recurring). */
function topSpenderTrend(
  lines: MoneyLine[],
  periods: string[],
  top: { employeeId: number; name: string }[]
) {
  const topIds = new Set(top.map((t) => t.employeeId))
  const topMonths = new Map(
    monthTable(
      lines.filter((l) => topIds.has(l.employeeId)),
      periods,
      (l) => l.employeeId
    ).map((r) => [r.key, r.months])
  )
  return top.map((t) => ({
    employeeId: t.employeeId,
    name: t.name,
    months: topMonths.get(t.employeeId) ?? periods.map(() => 0),
  }))
}

export type Dashboard = Awaited<ReturnType<typeof dashboard>>

/**
 * One employee (or 0: unallocated usage, -1: account charges): month × category, usage and recurring
 * charges. Lines carry `kind` ('usage' | 'recurring'); recurring lines have no records, duration or volume.
 */
export async function employeeDetail(customerId: number, employeeId: number, range: Range) {
  const periods = monthsBetween(range.from, range.to)
  const lines = await linesOf(customerId, range, { employeeId })
  const categories = [...new Set(lines.map((l) => l.category))].sort()
  const cell = sumBy(lines, (l) => `${l.period}|${l.category}`)
  const byPeriod = sumBy(lines, (l) => l.period)
  const trend = periods.map((period) => {
    const byCategory: Record<string, number> = {}
    for (const c of categories) byCategory[c] = cell.get(`${period}|${c}`)?.amountMinor ?? 0
    return { period, ...parts(byPeriod.get(period)), byCategory }
  })
  const monthLines = [...sumBy(lines, (l) => `${l.period}|${l.category}|${l.kind}`)]
    .map(([key, s]) => {
      const [period, category, kind] = key.split('|')
      return {
        period,
        category,
        kind: kind as LineKind,
        records: s.records,
        durationS: s.durationS,
        volumeBytes: s.volumeBytes,
        amountMinor: s.amountMinor,
      }
    })
    .sort(
      (a, b) =>
        a.period.localeCompare(b.period) ||
        a.category.localeCompare(b.category) ||
        a.kind.localeCompare(b.kind)
    )
  const totals = total(lines)
  return {
    periods,
    categories,
    trend,
    mom: monthOverMonth(trend),
    lines: monthLines,
    totalMinor: totals.amountMinor,
    usageMinor: totals.usageMinor,
    recurringMinor: totals.recurringMinor,
  }
}

/** The usage records behind a rollup cell, a page at a time (drill-down to records). */
export async function records(
  customerId: number,
  filter: { period: string; employeeId?: number; category?: string },
  page = 1,
  perPage = 50
) {
  const q = db.from('usage_records').where('period', filter.period)
  if (filter.employeeId !== undefined && filter.employeeId !== 0) {
    // Read through the (employee_id, period) index only: written plainly, the customer_id condition
    // makes MariaDB intersect it with the customer's whole month (index merge), 500× the rows.
    q.where('employee_id', filter.employeeId).whereRaw('customer_id + 0 = ?', [customerId])
  } else {
    q.where('customer_id', customerId)
    if (filter.employeeId === 0) q.whereNull('employee_id')
  }
  if (filter.category) q.where('category', filter.category)
  const result = await q
    .select(
      'id',
      'occurred_at',
      'identifier',
      'category',
      'destination',
      'destination_name',
      'duration_s',
      'volume_bytes',
      'quantity',
      'description',
      'price_e4'
    )
    .orderBy('occurred_at', 'asc')
    .orderBy('id', 'asc')
    .paginate(Math.max(1, page), perPage)
  const meta = result.getMeta()
  return {
    meta: {
      total: num(meta.total),
      perPage: num(meta.perPage),
      currentPage: num(meta.currentPage),
      lastPage: num(meta.lastPage),
    },
    data: result.all().map((r: any) => ({
      id: num(r.id),
      occurredAt:
        r.occurred_at instanceof Date ? r.occurred_at.toISOString() : String(r.occurred_at),
      identifier: String(r.identifier),
      category: String(r.category),
      destination: r.destination_name ?? '',
      /** the number as dialled; pages format it and name its country */
      dialled: r.destination ?? '',
      durationS: num(r.duration_s),
      volumeBytes: num(r.volume_bytes),
      quantity: num(r.quantity),
      description: r.description ?? '',
      amountMinor: e4ToMinor(num(r.price_e4)),
    })),
  }
}

export async function categoriesOf(customerId: number, range: Range) {
  const [usage, charges] = await Promise.all([
    rollups(customerId, range).distinct('category'),
    recurring(customerId, range).distinct('category'),
  ])
  return [...new Set([...usage, ...charges].map((r: any) => String(r.category)))].sort()
}
