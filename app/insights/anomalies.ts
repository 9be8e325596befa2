import db from '@adonisjs/lucid/services/db'
import { divRoundHalfUp, e4ToMinor, formatMoney } from '#lib/money'
import { addMonths } from '#insights/periods'
import { insightsSettings } from '#insights/settings'

export type AnomalyKind = 'employee_spike' | 'roaming_spike' | 'new_destination'

export type Anomaly = {
  kind: AnomalyKind
  employeeId?: number
  employeeName?: string
  subject: string
  amountMinor: number
  baselineMinor?: number
  message: string
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))

/** Usage categories whose name contains "roaming" count as roaming. */
export function isRoaming(category: string) {
  return category.toLowerCase().includes('roaming')
}

/**
 * Unusual spend of one customer in one period, for the billing run review and the insights pages.
 *  - employee_spike: an employee's month > 2× their trailing 3-month average (missing months count
 *    as 0; the employee must have had usage in at least one of those months) and above the threshold;
 *  - roaming_spike: the same on roaming categories only, where roaming from nothing counts too;
 *  - new_destination: a destination costing more than the threshold this month with no cost in the
 *    previous 3 months.
 * Employee figures come from monthly_rollups; destinations from usage_records (one customer, 4 periods).
 */
export async function findAnomalies(customerId: number, period: string): Promise<Anomaly[]> {
  const { anomalyThresholdMinor: threshold } = await insightsSettings()
  const customer = await db.from('customers').where('id', customerId).select('currency').first()
  const currency = customer?.currency ?? 'GBP'
  const previous = [addMonths(period, -3), addMonths(period, -2), addMonths(period, -1)]
  const periods = [...previous, period]

  const rows = await db
    .from('monthly_rollups')
    .where('customer_id', customerId)
    .whereIn('period', periods)
    .where('employee_id', '>', 0)
    .groupBy('employee_id', 'period', 'category')
    .select('employee_id', 'period', 'category')
    .sum('price_e4 as price')

  type Totals = { current: number; trailing: number; trailingMonths: Set<string> }
  const all = new Map<number, Totals>()
  const roaming = new Map<number, Totals>()
  const add = (map: Map<number, Totals>, id: number, p: string, price: number) => {
    const t = map.get(id) ?? { current: 0, trailing: 0, trailingMonths: new Set<string>() }
    if (p === period) t.current += price
    else {
      t.trailing += price
      if (price !== 0) t.trailingMonths.add(p)
    }
    map.set(id, t)
  }
  for (const r of rows as any[]) {
    const id = num(r.employee_id)
    const price = num(r.price)
    add(all, id, String(r.period), price)
    if (isRoaming(String(r.category))) add(roaming, id, String(r.period), price)
  }

  const ids = [...new Set([...all.keys()])]
  const employees = ids.length
    ? await db
        .from('employees')
        .where('customer_id', customerId)
        .whereIn('id', ids)
        .select('id', 'name')
    : []
  const nameOf = new Map<number, string>(employees.map((e: any) => [Number(e.id), String(e.name)]))

  const anomalies: Anomaly[] = []
  const spike = (kind: 'employee_spike' | 'roaming_spike', map: Map<number, Totals>) => {
    for (const [id, t] of map) {
      const amountMinor = e4ToMinor(t.current)
      if (amountMinor <= threshold) continue
      // month > 2 × (trailing sum / 3)  ⇔  3 × month > 2 × trailing sum, in exact integers
      if (3 * t.current <= 2 * t.trailing) continue
      if (kind === 'employee_spike' && t.trailingMonths.size === 0) continue
      const baselineMinor = e4ToMinor(divRoundHalfUp(t.trailing, 3))
      const name = nameOf.get(id) ?? `Employee #${id}`
      const what = kind === 'roaming_spike' ? 'roaming' : 'usage'
      anomalies.push({
        kind,
        employeeId: id,
        employeeName: name,
        subject: name,
        amountMinor,
        baselineMinor,
        message: `${name}: ${what} of ${formatMoney(amountMinor, currency)} in ${period} against a 3-month average of ${formatMoney(baselineMinor, currency)}`,
      })
    }
  }
  spike('employee_spike', all)
  spike('roaming_spike', roaming)

  // New high-cost destinations, straight from the records of these four months.
  const destinationKey = "COALESCE(NULLIF(destination_name, ''), destination)"
  const destinations = await db
    .from('usage_records')
    .where('customer_id', customerId)
    .whereIn('period', periods)
    .whereRaw(`${destinationKey} IS NOT NULL`)
    .groupByRaw(`${destinationKey}, period`)
    .select(db.raw(`${destinationKey} as dest`), 'period')
    .sum('price_e4 as price')
  const byDestination = new Map<string, { current: number; before: number; label: string }>()
  for (const r of destinations as any[]) {
    const label = String(r.dest)
    const key = label.toLowerCase()
    const slot = byDestination.get(key) ?? { current: 0, before: 0, label }
    if (r.period === period) slot.current += num(r.price)
    else slot.before += num(r.price)
    byDestination.set(key, slot)
  }
  for (const d of byDestination.values()) {
    const amountMinor = e4ToMinor(d.current)
    if (amountMinor <= threshold || d.before !== 0) continue
    anomalies.push({
      kind: 'new_destination',
      subject: d.label,
      amountMinor,
      baselineMinor: 0,
      message: `New destination ${d.label}: ${formatMoney(amountMinor, currency)} in ${period}, nothing in the previous 3 months`,
    })
  }

  const order: Record<AnomalyKind, number> = {
    employee_spike: 0,
    roaming_spike: 1,
    new_destination: 2,
  }
  return anomalies.sort(
    (a, b) =>
      order[a.kind] - order[b.kind] ||
      b.amountMinor - a.amountMinor ||
      a.subject.localeCompare(b.subject)
  )
}
