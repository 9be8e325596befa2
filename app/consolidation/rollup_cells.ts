import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { refreshRecurringMonths } from '#consolidation/rollups'
import { insertRows } from '#lib/db_helpers'

const MONTHLY_KEY = [
  'customer_id',
  'period',
  'department_id',
  'employee_id',
  'service_id',
  'category',
] as const
const MONTHLY_SUMS = [
  'record_count',
  'duration_s',
  'volume_bytes',
  'cost_e4',
  'price_e4',
  'uncosted_count',
  'uncosted_price_e4',
] as const
const DESTINATION_KEY = ['customer_id', 'period', 'category', 'destination'] as const
const DESTINATION_SUMS = [
  'record_count',
  'cost_e4',
  'price_e4',
  'uncosted_count',
  'uncosted_price_e4',
] as const

/** What a record adds to the rollups (its final, mapped and rated columns). */
export interface RolledRecord {
  customerId: number
  period: string
  departmentId: number | null
  employeeId: number | null
  serviceId: number | null
  category: string
  destination: string | null
  destinationName: string | null
  durationS: number
  volumeBytes: number
  costE4: number | null
  priceE4: number | null
}

type Cell = Record<string, string | number>

/**
 * The usage rollups (monthly_rollups, destination_rollups) of an import's records, summed in
 * memory while the file is read, so the rollups need no second pass over the records. apply()
 * merges them with what the months held before, exactly as refreshRollups' GROUP BY over all
 * of the months' records would (same keys, 0 for none, uncosted apart); the rows of a touched
 * month are replaced, so readers that watch the newest rollup id see the change.
 */
export class RollupCells {
  private monthly = new Map<string, Cell>()
  private destinations = new Map<string, Cell>()
  private pairs = new Map<number, Set<string>>()

  /** `sign` -1 takes a record's old outcome out (a re-rate adds the new one and takes the old out). */
  add(r: RolledRecord, sign: 1 | -1 = 1) {
    const price = (r.priceE4 ?? 0) * sign
    const cost = (r.costE4 ?? 0) * sign
    const uncosted = r.costE4 === null
    const dept = r.departmentId ?? 0
    const emp = r.employeeId ?? 0
    const svc = r.serviceId ?? 0
    const key = `${r.customerId}|${r.period}|${dept}|${emp}|${svc}|${r.category}`
    let m = this.monthly.get(key)
    if (!m) {
      m = {
        customer_id: r.customerId,
        period: r.period,
        department_id: dept,
        employee_id: emp,
        service_id: svc,
        category: r.category,
        record_count: 0,
        duration_s: 0,
        volume_bytes: 0,
        cost_e4: 0,
        price_e4: 0,
        uncosted_count: 0,
        uncosted_price_e4: 0,
      }
      this.monthly.set(key, m)
      let periods = this.pairs.get(r.customerId)
      if (!periods) this.pairs.set(r.customerId, (periods = new Set()))
      periods.add(r.period)
    }
    ;(m.record_count as number) += sign
    ;(m.duration_s as number) += r.durationS * sign
    ;(m.volume_bytes as number) += r.volumeBytes * sign
    ;(m.cost_e4 as number) += cost
    ;(m.price_e4 as number) += price
    if (uncosted) {
      ;(m.uncosted_count as number) += sign
      ;(m.uncosted_price_e4 as number) += price
    }
    const destination = r.destinationName ?? r.destination ?? ''
    const dkey = `${r.customerId}|${r.period}|${r.category}|${destination}`
    let d = this.destinations.get(dkey)
    if (!d) {
      d = {
        customer_id: r.customerId,
        period: r.period,
        category: r.category,
        destination,
        record_count: 0,
        cost_e4: 0,
        price_e4: 0,
        uncosted_count: 0,
        uncosted_price_e4: 0,
      }
      this.destinations.set(dkey, d)
    }
    ;(d.record_count as number) += sign
    ;(d.cost_e4 as number) += cost
    ;(d.price_e4 as number) += price
    if (uncosted) {
      ;(d.uncosted_count as number) += sign
      ;(d.uncosted_price_e4 as number) += price
    }
  }

  /** Customer → the months its records fall in. */
  get touched(): Map<number, string[]> {
    return new Map([...this.pairs].map(([c, p]) => [c, [...p].sort()]))
  }

  /** Writes the merged rollups in the caller's transaction (which must lock nothing else first). */
  async apply(trx: QueryClientContract) {
    const customers = [...this.pairs.keys()].sort((a, b) => a - b)
    if (customers.length === 0) return
    // One refresh per customer at a time, as refreshRollups does.
    if (trx.dialect.name === 'mysql') {
      for (let i = 0; i < customers.length; i += 500) {
        const ids = customers.slice(i, i + 500)
        await trx.rawQuery(
          `SELECT id FROM customers WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id FOR UPDATE`,
          ids
        )
      }
    }
    await this.merge(trx, 'monthly_rollups', MONTHLY_KEY, MONTHLY_SUMS, this.monthly)
    await this.merge(
      trx,
      'destination_rollups',
      DESTINATION_KEY,
      DESTINATION_SUMS,
      this.destinations
    )
    // Recurring rollups follow the charges, not usage: only a customer with charges gets its months (re)written.
    const charged = new Set<number>()
    for (const { customers: ids } of this.groups()) {
      for (const r of await trx
        .from('recurring_charges')
        .whereIn('customer_id', ids)
        .distinct('customer_id'))
        charged.add(Number(r.customer_id))
    }
    for (const [customerId, periods] of this.touched)
      if (charged.has(customerId)) await refreshRecurringMonths(trx, customerId, periods)
  }

  /** Customers grouped by the months they touched (usually one group), in chunks the IN lists can hold. */
  private groups(): { customers: number[]; periods: string[] }[] {
    const bySet = new Map<string, number[]>()
    for (const [customerId, periods] of this.pairs) {
      const key = [...periods].sort().join(',')
      bySet.set(key, [...(bySet.get(key) ?? []), customerId])
    }
    const out: { customers: number[]; periods: string[] }[] = []
    for (const [key, ids] of bySet)
      for (let i = 0; i < ids.length; i += 500)
        out.push({ customers: ids.slice(i, i + 500), periods: key.split(',') })
    return out
  }

  private async merge(
    trx: QueryClientContract,
    table: string,
    keyColumns: readonly string[],
    sums: readonly string[],
    cells: Map<string, Cell>
  ) {
    const keyOf = (row: Record<string, unknown>) => keyColumns.map((c) => String(row[c])).join('|')
    for (const { customers, periods } of this.groups()) {
      const existing = await trx
        .from(table)
        .whereIn('customer_id', customers)
        .whereIn('period', periods)
        .select(...keyColumns, ...sums)
      for (const row of existing) {
        const key = keyOf(row)
        let cell: Cell | undefined = cells.get(key)
        if (!cell) {
          const fresh: Cell = Object.fromEntries([
            ...keyColumns.map((c) => [c, row[c]]),
            ...sums.map((c) => [c, 0]),
          ])
          cells.set(key, fresh)
          cell = fresh
        }
        for (const c of sums) cell[c] = Number(cell[c]) + Number(row[c])
      }
      if (existing.length)
        await trx.from(table).whereIn('customer_id', customers).whereIn('period', periods).delete()
    }
    // A group whose records all moved to other keys (a re-rate changed their category or
    // destination) is gone, as it would be from the GROUP BY.
    const rows = [...cells.values()].filter((cell) => Number(cell.record_count) !== 0)
    await insertRows(trx, table, rows)
  }
}
