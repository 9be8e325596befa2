import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { e4ToMinor } from '#lib/money'
import { int } from '#lib/db_helpers'
import { lastDayOfMonth, recurringForMonth, dateOnly } from '#rating/recurring'

/**
 * Idle numbers and SIMs: a mobile, DDI or SIM with a rental charge active at the month's end and no
 * usage record in the 60 days up to that day (a service whose rental began inside those 60 days is
 * not idle yet). The rental is the month's charge, pro-rata as billed.
 */
export const IDLE_DAYS = 60
const KINDS = ['mobile', 'ddi', 'sim']

export interface IdleRow {
  customerId: number
  customer: string
  account: string
  serviceId: number
  identifier: string
  kind: string
  rentalMinor: number
  lastUsage: string | null
}

export async function idleServices(period: string): Promise<IdleRow[]> {
  const day = lastDayOfMonth(period)
  const since = DateTime.fromISO(day, { zone: 'utc' })
    .minus({ days: IDLE_DAYS - 1 })
    .toISODate()!
  const rentals = await db
    .from('recurring_charges as rc')
    .join('services as s', 's.id', 'rc.service_id')
    .join('customers as c', 'c.id', 's.customer_id')
    .whereIn('s.kind', KINDS)
    .where('rc.starts_on', '<=', day)
    .where((q) => q.whereNull('rc.ends_on').orWhere('rc.ends_on', '>=', day))
    .select(
      'rc.quantity',
      'rc.unit_price_e4',
      'rc.starts_on',
      'rc.ends_on',
      's.id as service_id',
      's.identifier',
      's.kind',
      'c.id as customer_id',
      'c.name',
      'c.account_number'
    )
  if (!rentals.length) return []
  const serviceIds = [...new Set(rentals.map((r: any) => int(r.service_id)))]
  const last = await db
    .from('usage_records')
    .whereIn('service_id', serviceIds)
    .where('occurred_at', '<=', `${day} 23:59:59`)
    .groupBy('service_id')
    .select('service_id')
    .max('occurred_at as last')
  const lastOf = new Map(
    last.map((r: any) => [int(r.service_id), r.last ? dateOnly(r.last) : null])
  )
  const byService = new Map<number, IdleRow & { oldestStart: string }>()
  for (const r of rentals as any[]) {
    const id = int(r.service_id)
    const lastUsage = lastOf.get(id) ?? null
    if (lastUsage !== null && lastUsage >= since) continue
    const amount = recurringForMonth(
      {
        quantity: int(r.quantity),
        unitPriceE4: int(r.unit_price_e4),
        startsOn: r.starts_on,
        endsOn: r.ends_on,
      },
      period
    ).amountE4
    const start = dateOnly(r.starts_on)!
    const row = byService.get(id) ?? {
      customerId: int(r.customer_id),
      customer: r.name,
      account: r.account_number,
      serviceId: id,
      identifier: r.identifier,
      kind: r.kind,
      rentalMinor: 0,
      lastUsage,
      oldestStart: start,
    }
    row.rentalMinor += e4ToMinor(amount)
    if (start < row.oldestStart) row.oldestStart = start
    byService.set(id, row)
  }
  return [...byService.values()]
    .filter((r) => r.oldestStart <= since)
    .map(({ oldestStart: _o, ...r }) => r)
    .sort((a, b) => a.account.localeCompare(b.account) || a.identifier.localeCompare(b.identifier))
}
