import db from '@adonisjs/lucid/services/db'
import { divRoundHalfUp, e4ToMinor } from '#lib/money'
import { addMonths, currentPeriod, isPeriod, monthsBetween } from '#insights/periods'

/**
 * Management-information queries. Everything on the dashboards is read from monthly_rollups
 * (usage: sums per customer × period × department × employee × service × category) and
 * recurring_rollups (recurring charges — licences, line rental, the MI add-on — for the calendar
 * month they are active in, pro-rata by days, same keys), never from usage_records or
 * recurring_charges, so a page costs the same however many records lie behind it. Amounts are the
 * sell price in minor units: `amountMinor` = `usageMinor` + `recurringMinor` (each rounded from e4);
 * `records` counts usage records only.
 */

export type Range = { from: string; to: string }

export const MAX_MONTHS = 60

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))

/** The range from the query string, or the 12 months up to the newest rollup of the customer. */
export async function resolveRange(customerId: number, input: { from?: unknown; to?: unknown }): Promise<Range> {
  let to: string
  if (isPeriod(input.to)) to = input.to
  else {
    // The newest month of usage; a customer with only recurring charges: their newest month.
    let row = await db.from('monthly_rollups').where('customer_id', customerId).max('period as p').first()
    if (!isPeriod(row?.p)) row = await db.from('recurring_rollups').where('customer_id', customerId).max('period as p').first()
    to = isPeriod(row?.p) ? row.p : currentPeriod()
  }
  let from: string | undefined = isPeriod(input.from) ? input.from : undefined
  if (!from || from > to) from = addMonths(to, -11)
  if (monthsBetween(from, to).length > MAX_MONTHS) from = addMonths(to, -(MAX_MONTHS - 1))
  return { from, to }
}

export type Filter = { period?: string; category?: string; departmentId?: number; employeeId?: number }

function rollups(customerId: number, range: Range, filter: Filter = {}, table: 'monthly_rollups' | 'recurring_rollups' = 'monthly_rollups') {
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
    db.from('employees').where('customer_id', customerId).select('id', 'name', 'department_id', 'employee_number', 'email'),
    db.from('departments').where('customer_id', customerId).select('id', 'name'),
  ])
  const departmentName = new Map<number, string>(departments.map((d: any) => [Number(d.id), String(d.name)]))
  const employee = new Map<number, { name: string; departmentId: number; department: string; employeeNumber: string | null; email: string | null }>(
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

export const UNALLOCATED = 'Unallocated'
export const NO_DEPARTMENT = 'No department'

export type EmployeeRow = {
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

/** usage + recurring e4 sums of one slot (a month, category, department, employee …). */
type Slot = { usage: number; recurring: number; records: number }
const emptySlot = (): Slot => ({ usage: 0, recurring: 0, records: 0 })
function slotOf<K>(map: Map<K, Slot>, key: K) {
  let slot = map.get(key)
  if (!slot) map.set(key, (slot = emptySlot()))
  return slot
}
/** The split in minor units; the total is the sum of the rounded parts, so tables add up. */
function split(slot: Slot | undefined) {
  const usageMinor = e4ToMinor(slot?.usage ?? 0)
  const recurringMinor = e4ToMinor(slot?.recurring ?? 0)
  return { amountMinor: usageMinor + recurringMinor, usageMinor, recurringMinor }
}

function pct(part: number, whole: number) {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10
}

/** Month-over-month change; changePct is null when the previous month was zero. */
function monthOverMonth(trend: { period: string; amountMinor: number }[]) {
  return trend.map((t, i) => {
    const previous = i === 0 ? null : trend[i - 1].amountMinor
    const changeMinor = previous === null ? null : t.amountMinor - previous
    const changePct = previous === null || previous === 0 ? null : Math.round(((t.amountMinor - previous) / previous) * 1000) / 10
    return { period: t.period, amountMinor: t.amountMinor, previousMinor: previous, changeMinor, changePct }
  })
}

/**
 * Employee rows (summed over the filter, usage and recurring charges), biggest first; employee 0 is
 * "Unallocated" (usage nobody could be tied to, and recurring charges of nobody, e.g. the MI add-on).
 */
export async function employeeBreakdown(customerId: number, range: Range, filter: Filter = {}) {
  const [rows, recurringRows, lookup] = await Promise.all([
    rollups(customerId, range, filter)
      .groupBy('employee_id')
      .select('employee_id')
      .sum('price_e4 as price')
      .sum('record_count as records'),
    recurring(customerId, range, filter).groupBy('employee_id').select('employee_id').sum('price_e4 as price'),
    names(customerId),
  ])
  const byEmployee = new Map<number, Slot>()
  for (const r of rows as any[]) {
    const slot = slotOf(byEmployee, num(r.employee_id))
    slot.usage += num(r.price)
    slot.records += num(r.records)
  }
  for (const r of recurringRows as any[]) slotOf(byEmployee, num(r.employee_id)).recurring += num(r.price)
  const list: EmployeeRow[] = [...byEmployee.entries()].map(([id, slot]) => {
    const e = lookup.employee.get(id)
    return {
      employeeId: id,
      name: id === 0 ? UNALLOCATED : (e?.name ?? `Employee #${id}`),
      department: id === 0 ? '' : (e?.department ?? NO_DEPARTMENT),
      ...split(slot),
      records: slot.records,
      sharePct: 0,
    }
  })
  const total = list.reduce((s, r) => s + r.amountMinor, 0)
  for (const r of list) r.sharePct = pct(r.amountMinor, total)
  list.sort((a, b) => b.amountMinor - a.amountMinor || a.name.localeCompare(b.name))
  return { rows: list, totalMinor: total }
}

/** The data behind the insights dashboard of one customer and range (usage + recurring charges). */
export async function dashboard(customerId: number, range: Range, options: { trendEmployees?: number } = {}) {
  const periods = monthsBetween(range.from, range.to)
  const [grouped, recurringGrouped, employees, lookup] = await Promise.all([
    rollups(customerId, range)
      .groupBy('period', 'category', 'department_id')
      .select('period', 'category', 'department_id')
      .sum('price_e4 as price')
      .sum('cost_e4 as cost')
      .sum('record_count as records'),
    recurring(customerId, range)
      .groupBy('period', 'category', 'department_id')
      .select('period', 'category', 'department_id')
      .sum('price_e4 as price')
      .sum('cost_e4 as cost'),
    employeeBreakdown(customerId, range),
    names(customerId),
  ])

  const byPeriod = new Map<string, Slot>()
  const byCategory = new Map<string, Slot>()
  const byDepartment = new Map<number, Slot>()
  const total = emptySlot()
  let totalCost = 0
  for (const [rows, kind] of [
    [grouped, 'usage'],
    [recurringGrouped, 'recurring'],
  ] as [any[], 'usage' | 'recurring'][]) {
    for (const r of rows) {
      const price = num(r.price)
      const records = kind === 'usage' ? num(r.records) : 0
      totalCost += num(r.cost)
      for (const slot of [total, slotOf(byPeriod, String(r.period)), slotOf(byCategory, String(r.category)), slotOf(byDepartment, num(r.department_id))]) {
        slot[kind] += price
        slot.records += records
      }
    }
  }

  const trend = periods.map((period) => {
    const slot = byPeriod.get(period)
    return { period, ...split(slot), records: slot?.records ?? 0 }
  })
  const totals = split(total)
  const totalMinor = totals.amountMinor
  const categories = [...byCategory.entries()]
    .map(([category, s]) => ({ category, ...split(s), records: s.records, sharePct: 0 }))
    .sort((a, b) => b.amountMinor - a.amountMinor || a.category.localeCompare(b.category))
  for (const c of categories) c.sharePct = pct(c.amountMinor, totalMinor)
  const departments = [...byDepartment.entries()]
    .map(([departmentId, s]) => ({
      departmentId,
      department: departmentId === 0 ? NO_DEPARTMENT : (lookup.departmentName.get(departmentId) ?? `Department #${departmentId}`),
      ...split(s),
      records: s.records,
      sharePct: 0,
    }))
    .sort((a, b) => b.amountMinor - a.amountMinor || a.department.localeCompare(b.department))
  for (const d of departments) d.sharePct = pct(d.amountMinor, totalMinor)

  // Per-employee trend: the biggest spenders month by month (usage + recurring).
  const top = employees.rows.filter((e) => e.employeeId !== 0).slice(0, options.trendEmployees ?? 5)
  let employeeTrend: { employeeId: number; name: string; months: number[] }[] = []
  if (top.length > 0) {
    const ids = top.map((t) => t.employeeId)
    const [rows, recurringRows] = await Promise.all([
      rollups(customerId, range).whereIn('employee_id', ids).groupBy('employee_id', 'period').select('employee_id', 'period').sum('price_e4 as price'),
      recurring(customerId, range).whereIn('employee_id', ids).groupBy('employee_id', 'period').select('employee_id', 'period').sum('price_e4 as price'),
    ])
    const cell = new Map<string, Slot>()
    for (const r of rows as any[]) slotOf(cell, `${num(r.employee_id)}|${r.period}`).usage += num(r.price)
    for (const r of recurringRows as any[]) slotOf(cell, `${num(r.employee_id)}|${r.period}`).recurring += num(r.price)
    employeeTrend = top.map((t) => ({
      employeeId: t.employeeId,
      name: t.name,
      months: periods.map((p) => split(cell.get(`${t.employeeId}|${p}`)).amountMinor),
    }))
  }

  const monthsWithData = [...byPeriod.values()].filter((s) => s.records > 0 || s.usage !== 0 || s.recurring !== 0).length
  return {
    range,
    periods,
    totals: {
      amountMinor: totalMinor,
      usageMinor: totals.usageMinor,
      recurringMinor: totals.recurringMinor,
      costMinor: e4ToMinor(totalCost),
      records: total.records,
      employees: employees.rows.filter((e) => e.employeeId !== 0).length,
      averageMonthMinor: monthsWithData ? divRoundHalfUp(totalMinor, monthsWithData) : 0,
    },
    trend,
    mom: monthOverMonth(trend),
    byCategory: categories,
    byDepartment: departments,
    byEmployee: employees.rows,
    topSpenders: employees.rows.filter((e) => e.employeeId !== 0).slice(0, 10),
    employeeTrend,
  }
}

export type Dashboard = Awaited<ReturnType<typeof dashboard>>

/**
 * One employee: month × category from the rollups, usage and recurring charges (licences …).
 * Lines carry `kind` ('usage' | 'recurring'); recurring lines have no records, duration or volume.
 */
export async function employeeDetail(customerId: number, employeeId: number, range: Range) {
  const periods = monthsBetween(range.from, range.to)
  const [rows, recurringRows] = await Promise.all([
    rollups(customerId, range, { employeeId })
      .groupBy('period', 'category')
      .select('period', 'category')
      .sum('price_e4 as price')
      .sum('record_count as records')
      .sum('duration_s as duration')
      .sum('volume_bytes as volume'),
    recurring(customerId, range, { employeeId }).groupBy('period', 'category').select('period', 'category').sum('price_e4 as price'),
  ])
  const categories = [...new Set([...rows, ...recurringRows].map((r: any) => String(r.category)))].sort()
  const cell = new Map<string, Slot>()
  for (const r of rows as any[]) slotOf(cell, `${r.period}|${r.category}`).usage += num(r.price)
  for (const r of recurringRows as any[]) slotOf(cell, `${r.period}|${r.category}`).recurring += num(r.price)
  const total = emptySlot()
  const trend = periods.map((period) => {
    const byCategory: Record<string, number> = {}
    const month = emptySlot()
    for (const c of categories) {
      const v = cell.get(`${period}|${c}`)
      byCategory[c] = split(v).amountMinor
      month.usage += v?.usage ?? 0
      month.recurring += v?.recurring ?? 0
    }
    total.usage += month.usage
    total.recurring += month.recurring
    return { period, ...split(month), byCategory }
  })
  const lines = [
    ...rows.map((r: any) => ({
      period: String(r.period),
      category: String(r.category),
      kind: 'usage' as 'usage' | 'recurring',
      records: num(r.records),
      durationS: num(r.duration),
      volumeBytes: num(r.volume),
      amountMinor: e4ToMinor(num(r.price)),
    })),
    ...recurringRows.map((r: any) => ({
      period: String(r.period),
      category: String(r.category),
      kind: 'recurring' as 'usage' | 'recurring',
      records: 0,
      durationS: 0,
      volumeBytes: 0,
      amountMinor: e4ToMinor(num(r.price)),
    })),
  ].sort((a, b) => a.period.localeCompare(b.period) || a.category.localeCompare(b.category) || a.kind.localeCompare(b.kind))
  const totals = split(total)
  return { periods, categories, trend, mom: monthOverMonth(trend), lines, totalMinor: totals.amountMinor, usageMinor: totals.usageMinor, recurringMinor: totals.recurringMinor }
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
    .select('id', 'occurred_at', 'identifier', 'category', 'destination', 'destination_name', 'duration_s', 'volume_bytes', 'quantity', 'description', 'price_e4')
    .orderBy('occurred_at', 'asc')
    .orderBy('id', 'asc')
    .paginate(Math.max(1, page), perPage)
  const meta = result.getMeta()
  return {
    meta: { total: num(meta.total), perPage: num(meta.perPage), currentPage: num(meta.currentPage), lastPage: num(meta.lastPage) },
    data: result.all().map((r: any) => ({
      id: num(r.id),
      occurredAt: r.occurred_at instanceof Date ? r.occurred_at.toISOString() : String(r.occurred_at),
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
  const [usage, charges] = await Promise.all([rollups(customerId, range).distinct('category'), recurring(customerId, range).distinct('category')])
  return [...new Set([...usage, ...charges].map((r: any) => String(r.category)))].sort()
}
