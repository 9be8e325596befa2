import db from '@adonisjs/lucid/services/db'
import { divRoundHalfUp, e4ToMinor } from '#lib/money'
import { addMonths, currentPeriod, isPeriod, monthsBetween } from '#insights/periods'

/**
 * Management-information queries. Everything on the dashboards is read from monthly_rollups
 * (sums per customer × period × department × employee × service × category), never from
 * usage_records, so a page costs the same however many records lie behind it. Amounts are the
 * rated sell price (what the customer pays for usage), in minor units.
 */

export type Range = { from: string; to: string }

export const MAX_MONTHS = 60

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))

/** The range from the query string, or the 12 months up to the newest rollup of the customer. */
export async function resolveRange(customerId: number, input: { from?: unknown; to?: unknown }): Promise<Range> {
  let to: string
  if (isPeriod(input.to)) to = input.to
  else {
    const row = await db.from('monthly_rollups').where('customer_id', customerId).max('period as p').first()
    to = isPeriod(row?.p) ? row.p : currentPeriod()
  }
  let from: string | undefined = isPeriod(input.from) ? input.from : undefined
  if (!from || from > to) from = addMonths(to, -11)
  if (monthsBetween(from, to).length > MAX_MONTHS) from = addMonths(to, -(MAX_MONTHS - 1))
  return { from, to }
}

export type Filter = { period?: string; category?: string; departmentId?: number; employeeId?: number }

function rollups(customerId: number, range: Range, filter: Filter = {}) {
  const q = db
    .from('monthly_rollups')
    .where('customer_id', customerId)
    .whereBetween('period', filter.period ? [filter.period, filter.period] : [range.from, range.to])
  if (filter.category) q.where('category', filter.category)
  if (filter.departmentId !== undefined) q.where('department_id', filter.departmentId)
  if (filter.employeeId !== undefined) q.where('employee_id', filter.employeeId)
  return q
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
  amountMinor: number
  records: number
  sharePct: number
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

/** Employee rows (summed over the filter), biggest first; employee 0 is "Unallocated". */
export async function employeeBreakdown(customerId: number, range: Range, filter: Filter = {}) {
  const [rows, lookup] = await Promise.all([
    rollups(customerId, range, filter)
      .groupBy('employee_id')
      .select('employee_id')
      .sum('price_e4 as price')
      .sum('record_count as records'),
    names(customerId),
  ])
  const list: EmployeeRow[] = rows.map((r: any) => {
    const id = num(r.employee_id)
    const e = lookup.employee.get(id)
    return {
      employeeId: id,
      name: id === 0 ? UNALLOCATED : (e?.name ?? `Employee #${id}`),
      department: id === 0 ? '' : (e?.department ?? NO_DEPARTMENT),
      amountMinor: e4ToMinor(num(r.price)),
      records: num(r.records),
      sharePct: 0,
    }
  })
  const total = list.reduce((s, r) => s + r.amountMinor, 0)
  for (const r of list) r.sharePct = pct(r.amountMinor, total)
  list.sort((a, b) => b.amountMinor - a.amountMinor || a.name.localeCompare(b.name))
  return { rows: list, totalMinor: total }
}

/** The data behind the insights dashboard of one customer and range. */
export async function dashboard(customerId: number, range: Range, options: { trendEmployees?: number } = {}) {
  const periods = monthsBetween(range.from, range.to)
  const [grouped, employees, lookup] = await Promise.all([
    rollups(customerId, range)
      .groupBy('period', 'category', 'department_id')
      .select('period', 'category', 'department_id')
      .sum('price_e4 as price')
      .sum('cost_e4 as cost')
      .sum('record_count as records'),
    employeeBreakdown(customerId, range),
    names(customerId),
  ])

  const byPeriod = new Map<string, { price: number; records: number }>()
  const byCategory = new Map<string, { price: number; records: number }>()
  const byDepartment = new Map<number, { price: number; records: number }>()
  let totalPrice = 0
  let totalCost = 0
  let totalRecords = 0
  for (const r of grouped as any[]) {
    const price = num(r.price)
    const records = num(r.records)
    totalPrice += price
    totalCost += num(r.cost)
    totalRecords += records
    for (const [map, key] of [
      [byPeriod, String(r.period)],
      [byCategory, String(r.category)],
      [byDepartment, num(r.department_id)],
    ] as [Map<any, { price: number; records: number }>, any][]) {
      const slot = map.get(key) ?? { price: 0, records: 0 }
      slot.price += price
      slot.records += records
      map.set(key, slot)
    }
  }

  const trend = periods.map((period) => {
    const slot = byPeriod.get(period)
    return { period, amountMinor: e4ToMinor(slot?.price ?? 0), records: slot?.records ?? 0 }
  })
  const totalMinor = e4ToMinor(totalPrice)
  const categories = [...byCategory.entries()]
    .map(([category, s]) => ({ category, amountMinor: e4ToMinor(s.price), records: s.records, sharePct: 0 }))
    .sort((a, b) => b.amountMinor - a.amountMinor || a.category.localeCompare(b.category))
  for (const c of categories) c.sharePct = pct(c.amountMinor, totalMinor)
  const departments = [...byDepartment.entries()]
    .map(([departmentId, s]) => ({
      departmentId,
      department: departmentId === 0 ? NO_DEPARTMENT : (lookup.departmentName.get(departmentId) ?? `Department #${departmentId}`),
      amountMinor: e4ToMinor(s.price),
      records: s.records,
      sharePct: 0,
    }))
    .sort((a, b) => b.amountMinor - a.amountMinor || a.department.localeCompare(b.department))
  for (const d of departments) d.sharePct = pct(d.amountMinor, totalMinor)

  // Per-employee trend: the biggest spenders month by month.
  const top = employees.rows.filter((e) => e.employeeId !== 0).slice(0, options.trendEmployees ?? 5)
  let employeeTrend: { employeeId: number; name: string; months: number[] }[] = []
  if (top.length > 0) {
    const rows = await rollups(customerId, range)
      .whereIn('employee_id', top.map((t) => t.employeeId))
      .groupBy('employee_id', 'period')
      .select('employee_id', 'period')
      .sum('price_e4 as price')
    const cell = new Map<string, number>(rows.map((r: any) => [`${num(r.employee_id)}|${r.period}`, num(r.price)]))
    employeeTrend = top.map((t) => ({
      employeeId: t.employeeId,
      name: t.name,
      months: periods.map((p) => e4ToMinor(cell.get(`${t.employeeId}|${p}`) ?? 0)),
    }))
  }

  const monthsWithData = trend.filter((t) => t.records > 0).length
  return {
    range,
    periods,
    totals: {
      amountMinor: totalMinor,
      costMinor: e4ToMinor(totalCost),
      records: totalRecords,
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

/** One employee: month × category from the rollups. */
export async function employeeDetail(customerId: number, employeeId: number, range: Range) {
  const periods = monthsBetween(range.from, range.to)
  const rows = await rollups(customerId, range, { employeeId })
    .groupBy('period', 'category')
    .select('period', 'category')
    .sum('price_e4 as price')
    .sum('record_count as records')
    .sum('duration_s as duration')
    .sum('volume_bytes as volume')
  const categories = [...new Set(rows.map((r: any) => String(r.category)))].sort()
  const cell = new Map<string, number>(rows.map((r: any) => [`${r.period}|${r.category}`, num(r.price)]))
  const trend = periods.map((period) => {
    const byCategory: Record<string, number> = {}
    let price = 0
    for (const c of categories) {
      const v = cell.get(`${period}|${c}`) ?? 0
      byCategory[c] = e4ToMinor(v)
      price += v
    }
    return { period, amountMinor: e4ToMinor(price), byCategory }
  })
  const lines = rows
    .map((r: any) => ({
      period: String(r.period),
      category: String(r.category),
      records: num(r.records),
      durationS: num(r.duration),
      volumeBytes: num(r.volume),
      amountMinor: e4ToMinor(num(r.price)),
    }))
    .sort((a, b) => a.period.localeCompare(b.period) || a.category.localeCompare(b.category))
  return { periods, categories, trend, mom: monthOverMonth(trend), lines, totalMinor: e4ToMinor(rows.reduce((s: number, r: any) => s + num(r.price), 0)) }
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
      destination: r.destination_name ?? r.destination ?? '',
      durationS: num(r.duration_s),
      volumeBytes: num(r.volume_bytes),
      quantity: num(r.quantity),
      description: r.description ?? '',
      amountMinor: e4ToMinor(num(r.price_e4)),
    })),
  }
}

export async function categoriesOf(customerId: number, range: Range) {
  const rows = await rollups(customerId, range).distinct('category').orderBy('category')
  return rows.map((r: any) => String(r.category))
}
