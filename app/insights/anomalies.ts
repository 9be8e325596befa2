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

type Totals = { current: number; trailing: number; trailingMonths: Set<string> }
type Scope = {
  customerId: number
  period: string
  periods: string[]
  thresholdMinor: number
  currency: string
}

function addTo(map: Map<number, Totals>, id: number, scope: Scope, p: string, price: number) {
  const t = map.get(id) ?? { current: 0, trailing: 0, trailingMonths: new Set<string>() }
  if (p === scope.period) t.current += price
  else {
    t.trailing += price
    if (price !== 0) t.trailingMonths.add(p)
  }
  map.set(id, t)
}

/** Per employee: this month and the trailing three, all usage and roaming apart (from the rollups). */
async function employeeTotals(scope: Scope) {
  const rows = await db
    .from('monthly_rollups')
    .where('customer_id', scope.customerId)
    .whereIn('period', scope.periods)
    .where('employee_id', '>', 0)
    .groupBy('employee_id', 'period', 'category')
    .select('employee_id', 'period', 'category')
    .sum('price_e4 as price')
  const all = new Map<number, Totals>()
  const roaming = new Map<number, Totals>()
  for (const r of rows as any[]) {
    const id = num(r.employee_id)
    const price = num(r.price)
    addTo(all, id, scope, String(r.period), price)
    if (isRoaming(String(r.category))) addTo(roaming, id, scope, String(r.period), price)
  }
  return { all, roaming }
}

async function employeeNames(customerId: number, ids: number[]) {
  const employees = ids.length
    ? await db
        .from('employees')
        .where('customer_id', customerId)
        .whereIn('id', ids)
        .select('id', 'name')
    : []
  return new Map<number, string>(employees.map((e: any) => [Number(e.id), String(e.name)]))
}

function spikes(
  kind: 'employee_spike' | 'roaming_spike',
  map: Map<number, Totals>,
  nameOf: Map<number, string>,
  scope: Scope
): Anomaly[] {
  const found: Anomaly[] = []
  for (const [id, t] of map) {
    const amountMinor = e4ToMinor(t.current)
    if (amountMinor <= scope.thresholdMinor) continue
    // month > 2 × (trailing sum / 3)  ⇔  3 × month > 2 × trailing sum, in exact integers
    if (3 * t.current <= 2 * t.trailing) continue
    if (kind === 'employee_spike' && t.trailingMonths.size === 0) continue
    const baselineMinor = e4ToMinor(divRoundHalfUp(t.trailing, 3))
    const name = nameOf.get(id) ?? `Employee #${id}`
    const what = kind === 'roaming_spike' ? 'roaming' : 'usage'
    found.push({
      kind,
      employeeId: id,
      employeeName: name,
      subject: name,
      amountMinor,
      baselineMinor,
      message: `${name}: ${what} of ${formatMoney(amountMinor, scope.currency)} in ${scope.period} against a 3-month average of ${formatMoney(baselineMinor, scope.currency)}`,
    })
  }
  return found
}

/** New high-cost destinations, straight from the records of these four months. */
async function newDestinations(scope: Scope): Promise<Anomaly[]> {
  const destinationKey = "COALESCE(NULLIF(destination_name, ''), destination)"
  const destinations = await db
    .from('usage_records')
    .where('customer_id', scope.customerId)
    .whereIn('period', scope.periods)
    .whereRaw(`${destinationKey} IS NOT NULL`)
    .groupByRaw(`${destinationKey}, period`)
    .select(db.raw(`${destinationKey} as dest`), 'period')
    .sum('price_e4 as price')
  const byDestination = new Map<string, { current: number; before: number; label: string }>()
  for (const r of destinations as any[]) {
    const label = String(r.dest)
    const key = label.toLowerCase()
    const slot = byDestination.get(key) ?? { current: 0, before: 0, label }
    if (r.period === scope.period) slot.current += num(r.price)
    else slot.before += num(r.price)
    byDestination.set(key, slot)
  }
  const found: Anomaly[] = []
  for (const d of byDestination.values()) {
    const amountMinor = e4ToMinor(d.current)
    if (amountMinor <= scope.thresholdMinor || d.before !== 0) continue
    found.push({
      kind: 'new_destination',
      subject: d.label,
      amountMinor,
      baselineMinor: 0,
      message: `New destination ${d.label}: ${formatMoney(amountMinor, scope.currency)} in ${scope.period}, nothing in the previous 3 months`,
    })
  }
  return found
}

const ORDER: Record<AnomalyKind, number> = {
  employee_spike: 0,
  roaming_spike: 1,
  new_destination: 2,
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
  const { anomalyThresholdMinor } = await insightsSettings()
  const customer = await db.from('customers').where('id', customerId).select('currency').first()
  const previous = [addMonths(period, -3), addMonths(period, -2), addMonths(period, -1)]
  const scope: Scope = {
    customerId,
    period,
    periods: [...previous, period],
    thresholdMinor: anomalyThresholdMinor,
    currency: customer?.currency ?? 'GBP',
  }
  const { all, roaming } = await employeeTotals(scope)
  const nameOf = await employeeNames(customerId, [...all.keys()])
  const anomalies = [
    ...spikes('employee_spike', all, nameOf, scope),
    ...spikes('roaming_spike', roaming, nameOf, scope),
    ...(await newDestinations(scope)),
  ]
  return anomalies.sort(
    (a, b) =>
      ORDER[a.kind] - ORDER[b.kind] ||
      b.amountMinor - a.amountMinor ||
      a.subject.localeCompare(b.subject)
  )
}
