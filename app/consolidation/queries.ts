import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { e4ToMinor, formatMoney } from '#lib/money'
import { unallocatedMinorByPeriod } from '#consolidation/rollups'

const num = (v: unknown) => Number(v ?? 0)

/** An e4 amount as money text ("£12.35"). */
export const money = (e4: number, currency = 'GBP') => formatMoney(e4ToMinor(num(e4)), currency)

/** A stored UTC timestamp (Date from MySQL, text from SQLite) in a time zone, as "yyyy-MM-dd HH:mm". */
export function localTime(value: unknown, timeZone: string) {
  if (value === null || value === undefined) return null
  return localTimeOf(value instanceof Date ? value : String(value), timeZone)
}

/** `localTime` of a timestamp that is always set (a NOT NULL column): typed as text, never null. */
export function localTimeOf(value: Date | string, timeZone: string): string {
  const dt =
    value instanceof Date
      ? DateTime.fromJSDate(value)
      : DateTime.fromSQL(String(value), { zone: 'utc' })
  return dt.setZone(timeZone).toFormat('yyyy-MM-dd HH:mm')
}

/** The last n periods up to and including the current one, oldest first. */
export function recentPeriods(n: number, timeZone: string) {
  const now = DateTime.now().setZone(timeZone).startOf('month')
  return Array.from({ length: n }, (_, i) => now.minus({ months: n - 1 - i }).toFormat('yyyy-MM'))
}

/** Month by month totals of one employee, from the rollups. */
export async function employeeMonths(customerId: number, employeeId: number, currency: string) {
  const rows = await db
    .from('monthly_rollups')
    .where('customer_id', customerId)
    .where('employee_id', employeeId)
    .groupBy('period', 'category')
    .select('period', 'category')
    .sum('record_count as records')
    .sum('duration_s as duration_s')
    .sum('volume_bytes as volume_bytes')
    .sum('cost_e4 as cost_e4')
    .sum('price_e4 as price_e4')
    .orderBy('period', 'desc')
  const byPeriod = new Map<
    string,
    {
      period: string
      records: number
      durationS: number
      volumeBytes: number
      costE4: number
      priceE4: number
      categories: Record<string, number>
    }
  >()
  for (const r of rows) {
    const p = String(r.period)
    const entry = byPeriod.get(p) ?? {
      period: p,
      records: 0,
      durationS: 0,
      volumeBytes: 0,
      costE4: 0,
      priceE4: 0,
      categories: {},
    }
    entry.records += num(r.records)
    entry.durationS += num(r.duration_s)
    entry.volumeBytes += num(r.volume_bytes)
    entry.costE4 += num(r.cost_e4)
    entry.priceE4 += num(r.price_e4)
    entry.categories[String(r.category)] =
      (entry.categories[String(r.category)] ?? 0) + num(r.price_e4)
    byPeriod.set(p, entry)
  }
  return [...byPeriod.values()].slice(0, 24).map((m) => ({
    ...m,
    cost: money(m.costE4, currency),
    price: money(m.priceE4, currency),
    costMinor: e4ToMinor(m.costE4),
    priceMinor: e4ToMinor(m.priceE4),
    categories: Object.entries(m.categories).map(([category, e4]) => ({
      category,
      price: money(e4, currency),
    })),
  }))
}

/** Cost allocated to people vs not, per period, from the rollups. */
export async function allocationHealth(customerId: number, currency: string) {
  const rows = await db
    .from('monthly_rollups')
    .where('customer_id', customerId)
    .groupBy('period')
    .select('period')
    .sum('record_count as records')
    .sum('cost_e4 as cost_e4')
    .sum('price_e4 as price_e4')
    .select(
      db.raw('SUM(CASE WHEN employee_id = 0 THEN 0 ELSE record_count END) as allocated_records')
    )
    .select(db.raw('SUM(CASE WHEN employee_id = 0 THEN 0 ELSE cost_e4 END) as allocated_cost_e4'))
    .select(db.raw('SUM(CASE WHEN employee_id = 0 THEN 0 ELSE price_e4 END) as allocated_price_e4'))
    .orderBy('period', 'desc')
    .limit(24)
  const share = (part: number, whole: number) =>
    whole === 0 ? null : Math.round((part / whole) * 1000) / 10
  // Unallocated usage by the invoice's line rule, so it equals the invoice's unallocated section and MI.
  const unallocatedMinor = await unallocatedMinorByPeriod(
    customerId,
    rows.map((r) => String(r.period))
  )
  return rows.map((r) => {
    const costE4 = num(r.cost_e4)
    const priceE4 = num(r.price_e4)
    const allocatedCost = num(r.allocated_cost_e4)
    const allocatedPrice = num(r.allocated_price_e4)
    return {
      period: String(r.period),
      records: num(r.records),
      allocatedRecords: num(r.allocated_records),
      costE4,
      priceE4,
      allocatedCostE4: allocatedCost,
      allocatedPriceE4: allocatedPrice,
      cost: money(costE4, currency),
      price: money(priceE4, currency),
      unallocatedCost: money(costE4 - allocatedCost, currency),
      unallocatedPriceMinor: unallocatedMinor.get(String(r.period)) ?? 0,
      unallocatedPrice: formatMoney(unallocatedMinor.get(String(r.period)) ?? 0, currency),
      costShare: share(allocatedCost, costE4),
      priceShare: share(allocatedPrice, priceE4),
      recordShare: share(num(r.allocated_records), num(r.records)),
    }
  })
}

/** Per department totals of one period (0 = no department), from the rollups. */
export async function departmentTotals(customerId: number, period: string, currency: string) {
  const rows = await db
    .from('monthly_rollups as m')
    .leftJoin('departments as d', 'd.id', 'm.department_id')
    .where('m.customer_id', customerId)
    .where('m.period', period)
    .groupBy('m.department_id', 'd.name')
    .select('m.department_id', 'd.name')
    .sum('m.record_count as records')
    .sum('m.price_e4 as price_e4')
    .sum('m.cost_e4 as cost_e4')
    .orderBy('price_e4', 'desc')
  return rows.map((r) => ({
    departmentId: num(r.department_id),
    name: r.name ?? (num(r.department_id) === 0 ? 'No department' : `#${r.department_id}`),
    records: num(r.records),
    price: money(num(r.price_e4), currency),
    cost: money(num(r.cost_e4), currency),
  }))
}
