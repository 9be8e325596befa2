import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import { addMonths, dateOnly, lastDayOfMonth, recurringForMonth } from '#rating/recurring'
import { e4ToMinor, lineAmountMinor } from '#lib/money'

/** The columns of monthly_rollups filled from usage_records; 0 stands for "none". */
const INSERT_COLUMNS =
  'customer_id, period, department_id, employee_id, service_id, category, record_count, duration_s, volume_bytes, cost_e4, price_e4, uncosted_count, uncosted_price_e4'

/** Records without a supplier cost: counted and priced apart, so margin never reads them as 100 %. */
const UNCOSTED = `COALESCE(SUM(CASE WHEN cost_e4 IS NULL THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN cost_e4 IS NULL THEN COALESCE(price_e4, 0) ELSE 0 END), 0)`

const SELECT_GROUPED = `SELECT customer_id, period,
    COALESCE(department_id, 0), COALESCE(employee_id, 0), COALESCE(service_id, 0), category,
    COUNT(*), COALESCE(SUM(duration_s), 0), COALESCE(SUM(volume_bytes), 0),
    COALESCE(SUM(COALESCE(cost_e4, 0)), 0), COALESCE(SUM(COALESCE(price_e4, 0)), 0), ${UNCOSTED}
  FROM usage_records`

const GROUP_BY = `GROUP BY customer_id, period, COALESCE(department_id, 0), COALESCE(employee_id, 0), COALESCE(service_id, 0), category`

/** Usage per customer × month × category × destination (margin by destination). */
const DESTINATION = `COALESCE(destination_name, destination, '')`
const DESTINATION_INSERT = `INSERT INTO destination_rollups
    (customer_id, period, category, destination, record_count, cost_e4, price_e4, uncosted_count, uncosted_price_e4)
  SELECT customer_id, period, category, ${DESTINATION}, COUNT(*),
    COALESCE(SUM(COALESCE(cost_e4, 0)), 0), COALESCE(SUM(COALESCE(price_e4, 0)), 0), ${UNCOSTED}
  FROM usage_records`
const DESTINATION_GROUP_BY = `GROUP BY customer_id, period, category, ${DESTINATION}`

/**
 * Runs the work in the caller's transaction, or in its own one. Two schedulers refreshing the same
 * month at once can deadlock on MySQL's gap locks; the loser simply runs again.
 */
async function inTransaction<T>(
  trx: TransactionClientContract | undefined,
  work: (client: QueryClientContract) => Promise<T>
) {
  if (trx) return work(trx)
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((t) => work(t))
    } catch (error: any) {
      const retry =
        ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_AUTOINC_READ_FAILED'].includes(
          error?.code
        ) && attempt < 5
      if (!retry) throw error
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
    }
  }
}

/**
 * Recomputes the monthly rollups of the given (customer, period) pairs from usage_records:
 * delete, then INSERT … SELECT … GROUP BY, in one transaction so readers never see a gap.
 */
export async function refreshRollups(
  customerId: number,
  periods: string[],
  trx?: TransactionClientContract
) {
  const unique = [...new Set(periods)].filter(Boolean).sort()
  if (unique.length === 0) return { periods: [], rows: 0 }
  const marks = unique.map(() => '?').join(',')
  return inTransaction(trx, async (client) => {
    // One refresh per customer at a time (several web/scheduler instances may share the database).
    if (client.dialect.name === 'mysql')
      await client.rawQuery('SELECT id FROM customers WHERE id = ? FOR UPDATE', [customerId])
    await client.rawQuery(
      `DELETE FROM monthly_rollups WHERE customer_id = ? AND period IN (${marks})`,
      [customerId, ...unique]
    )
    await client.rawQuery(
      `INSERT INTO monthly_rollups (${INSERT_COLUMNS}) ${SELECT_GROUPED}
        WHERE customer_id = ? AND period IN (${marks}) ${GROUP_BY}`,
      [customerId, ...unique]
    )
    await client.rawQuery(
      `DELETE FROM destination_rollups WHERE customer_id = ? AND period IN (${marks})`,
      [customerId, ...unique]
    )
    await client.rawQuery(
      `${DESTINATION_INSERT} WHERE customer_id = ? AND period IN (${marks}) ${DESTINATION_GROUP_BY}`,
      [customerId, ...unique]
    )
    const count = await client
      .from('monthly_rollups')
      .where('customer_id', customerId)
      .whereIn('period', unique)
      .count('* as n')
    const recurring = await writeRecurringRollups(client, customerId, unique)
    return { periods: unique, rows: Number(count[0].n), recurringRows: recurring }
  })
}

/* ---------------------------------------------------------------------------------------------
 * Recurring rollups: recurring charges (licences, line rental, the MI add-on) per customer × month
 * × department × employee × service × category in `recurring_rollups`, beside monthly_rollups (which
 * stays an exact GROUP BY over usage_records). Month M holds recurringForMonth(charge, M) — the
 * calendar month's cost, pro-rata by active days — whatever month the invoice bills it in
 * (advance/arrears). The department is the employee's department when the month is refreshed,
 * as billing does for recurring invoice lines. 0 = none.
 * ------------------------------------------------------------------------------------------- */

/** Replaces the recurring rollups of the given months (sorted, unique) of one customer. Returns rows written. */
export async function refreshRecurringMonths(
  client: QueryClientContract,
  customerId: number,
  periods: string[]
) {
  return writeRecurringRollups(client, customerId, periods)
}

async function writeRecurringRollups(
  client: QueryClientContract,
  customerId: number,
  periods: string[]
) {
  if (periods.length === 0) return 0
  const marks = periods.map(() => '?').join(',')
  await client.rawQuery(
    `DELETE FROM recurring_rollups WHERE customer_id = ? AND period IN (${marks})`,
    [customerId, ...periods]
  )
  const charges = await recurringChargesIn(client, customerId, periods)
  if (charges.length === 0) return 0
  const departmentOf = await departmentsOfEmployees(client, customerId)
  const cells = new Map<string, RecurringCell>()
  for (const c of charges) addChargeToCells(cells, c, departmentOf, periods)
  const rows = [...cells.values()].map((cell) => ({ customer_id: customerId, ...cell }))
  // SQLite turns a multi-row insert into a compound SELECT of at most 500 terms.
  for (let i = 0; i < rows.length; i += 400)
    await client.table('recurring_rollups').multiInsert(rows.slice(i, i + 400))
  return rows.length
}

/** A recurring charge as read for the rollups (values as the driver returns them). */
type RecurringChargeRow = {
  employee_id: unknown
  service_id: unknown
  category: unknown
  quantity: unknown
  unit_price_e4: unknown
  unit_cost_e4: unknown
  starts_on: unknown
  ends_on: unknown
}

/** One recurring_rollups row of a customer (0 = no department / employee / service). */
type RecurringCell = {
  period: string
  department_id: number
  employee_id: number
  service_id: number
  category: string
  charge_count: number
  cost_e4: number
  price_e4: number
  price_minor: number
}

/** The customer's recurring charges active in any day of the first to the last period. */
async function recurringChargesIn(
  client: QueryClientContract,
  customerId: number,
  periods: string[]
): Promise<RecurringChargeRow[]> {
  return client
    .from('recurring_charges')
    .where('customer_id', customerId)
    .where('starts_on', '<=', lastDayOfMonth(periods[periods.length - 1]))
    .where((q) => q.whereNull('ends_on').orWhere('ends_on', '>=', `${periods[0]}-01`))
    .select(
      'employee_id',
      'service_id',
      'category',
      'quantity',
      'unit_price_e4',
      'unit_cost_e4',
      'starts_on',
      'ends_on'
    )
}

/** employee id → department id (0 for none) of the customer's employees, as they are now. */
async function departmentsOfEmployees(client: QueryClientContract, customerId: number) {
  const employees: { id: unknown; department_id: unknown }[] = await client
    .from('employees')
    .where('customer_id', customerId)
    .select('id', 'department_id')
  return new Map<number, number>(employees.map((e) => [Number(e.id), Number(e.department_id ?? 0)]))
}

/** Adds the charge's price and cost in each period it is active to the cell it falls in. */
function addChargeToCells(
  cells: Map<string, RecurringCell>,
  c: RecurringChargeRow,
  departmentOf: Map<number, number>,
  periods: string[]
) {
  const employeeId = c.employee_id === null ? 0 : Number(c.employee_id)
  const departmentId = employeeId === 0 ? 0 : (departmentOf.get(employeeId) ?? 0)
  const serviceId = c.service_id === null ? 0 : Number(c.service_id)
  const startsOn = dateOnly(c.starts_on)
  const endsOn = dateOnly(c.ends_on)
  const quantity = Number(c.quantity)
  for (const period of periods) {
    const price = recurringForMonth(
      { quantity, unitPriceE4: Number(c.unit_price_e4), startsOn, endsOn },
      period
    )
    if (price.activeDays === 0) continue
    const cost = recurringForMonth(
      { quantity, unitPriceE4: Number(c.unit_cost_e4 ?? 0), startsOn, endsOn },
      period
    )
    const key = `${period}|${departmentId}|${employeeId}|${serviceId}|${c.category}`
    let cell = cells.get(key)
    if (!cell) {
      cell = {
        period,
        department_id: departmentId,
        employee_id: employeeId,
        service_id: serviceId,
        category: String(c.category),
        charge_count: 0,
        cost_e4: 0,
        price_e4: 0,
        price_minor: 0,
      }
      cells.set(key, cell)
    }
    cell.charge_count += 1
    cell.cost_e4 += cost.amountE4
    cell.price_e4 += price.amountE4
    // An invoice bills each charge's month as its own line, rounded on its own.
    cell.price_minor += e4ToMinor(price.amountE4)
  }
}

/**
 * The last month recurring rollups are kept for: the month after the customer's current month (in its
 * time zone; the month an invoice for the current month bills in advance), or the newest month already
 * rolled up if that is later. Open-ended charges are rolled up to it; later
 * months are added by the usage refreshes of those months, the month-end job and `rollups:rebuild`.
 */
async function recurringHorizon(client: QueryClientContract, customerId: number) {
  const customer = await client
    .from('customers')
    .where('id', customerId)
    .select('time_zone')
    .first()
  const now = DateTime.now().setZone(customer?.time_zone || 'Europe/London')
  let horizon = addMonths((now.isValid ? now : DateTime.utc()).toFormat('yyyy-MM'), 1)
  for (const table of ['monthly_rollups', 'recurring_rollups']) {
    const row = await client.from(table).where('customer_id', customerId).max('period as p').first()
    if (row?.p && String(row.p) > horizon) horizon = String(row.p)
  }
  return horizon
}

function monthsFrom(from: string, to: string) {
  const out: string[] = []
  for (let p = from; p <= to && out.length < 1200; p = addMonths(p, 1)) out.push(p)
  return out
}

/**
 * After recurring charges of a customer were created, edited or ended: refreshes the recurring
 * rollups from the month of the earliest start date involved (pass the old and the new start of
 * every charge touched) up to the horizon. Without start dates: every month of the customer (after
 * an employee moved department or was deleted, or charges changed in bulk). Usage rollups are left alone.
 */
export async function refreshRecurringRollups(
  customerId: number,
  startsOn?: unknown[],
  trx?: TransactionClientContract
) {
  const starts = startsOn
    ?.map(dateOnly)
    .filter((d): d is string => d !== null)
    .sort()
  if (starts && starts.length === 0) return { periods: [] as string[], rows: 0 }
  return inTransaction(trx, async (client) => {
    if (client.dialect.name === 'mysql')
      await client.rawQuery('SELECT id FROM customers WHERE id = ? FOR UPDATE', [customerId])
    let periods: string[]
    if (starts)
      periods = monthsFrom(starts[0].slice(0, 7), await recurringHorizon(client, customerId))
    else {
      // Everything: the months already rolled up (a charge may have gone) and first start → horizon.
      const existing = (
        await client.from('recurring_rollups').where('customer_id', customerId).distinct('period')
      ).map((r: any) => String(r.period))
      periods = [
        ...new Set([...existing, ...(await allRecurringPeriods(client, customerId))]),
      ].sort()
    }
    const rows = await writeRecurringRollups(client, customerId, periods)
    return { periods, rows }
  })
}

/** Every month a customer's recurring rollups should cover: first charge start → horizon. */
async function allRecurringPeriods(client: QueryClientContract, customerId: number) {
  const first = await client
    .from('recurring_charges')
    .where('customer_id', customerId)
    .min('starts_on as s')
    .first()
  const start = dateOnly(first?.s)
  if (!start) return []
  return monthsFrom(start.slice(0, 7), await recurringHorizon(client, customerId))
}

/**
 * Throws away every rollup and recomputes them all, one customer per transaction: usage rollups
 * from usage_records, recurring rollups from recurring_charges (first start → horizon, plus every
 * month with usage).
 */
export async function rebuildRollups() {
  const usageIds = (await db.from('usage_records').distinct('customer_id')).map((c) =>
    Number(c.customer_id)
  )
  const chargeIds = (await db.from('recurring_charges').distinct('customer_id')).map((c) =>
    Number(c.customer_id)
  )
  const ids = [...new Set([...usageIds, ...chargeIds])].sort((a, b) => a - b)
  let rows = 0
  await db.transaction(async (trx) => {
    for (const table of ['monthly_rollups', 'recurring_rollups', 'destination_rollups']) {
      if (ids.length === 0) await trx.rawQuery(`DELETE FROM ${table}`)
      else
        await trx.rawQuery(
          `DELETE FROM ${table} WHERE customer_id NOT IN (${ids.map(() => '?').join(',')})`,
          ids
        )
    }
  })
  let recurringRows = 0
  for (const id of ids) {
    await inTransaction(undefined, async (trx) => {
      if (trx.dialect.name === 'mysql')
        await trx.rawQuery('SELECT id FROM customers WHERE id = ? FOR UPDATE', [id])
      await trx.rawQuery('DELETE FROM monthly_rollups WHERE customer_id = ?', [id])
      await trx.rawQuery(
        `INSERT INTO monthly_rollups (${INSERT_COLUMNS}) ${SELECT_GROUPED} WHERE customer_id = ? ${GROUP_BY}`,
        [id]
      )
      await trx.rawQuery('DELETE FROM destination_rollups WHERE customer_id = ?', [id])
      await trx.rawQuery(`${DESTINATION_INSERT} WHERE customer_id = ? ${DESTINATION_GROUP_BY}`, [
        id,
      ])
      await trx.rawQuery('DELETE FROM recurring_rollups WHERE customer_id = ?', [id])
      const usagePeriods = (
        await trx.from('monthly_rollups').where('customer_id', id).distinct('period')
      ).map((r: any) => String(r.period))
      const periods = [
        ...new Set([...usagePeriods, ...(await allRecurringPeriods(trx, id))]),
      ].sort()
      recurringRows += await writeRecurringRollups(trx, id, periods)
    })
  }
  const count = await db.from('monthly_rollups').count('* as n')
  rows = Number(count[0].n)
  return { customers: ids.length, rows, recurringRows }
}

/* ---------------------------------------------------------------------------------------------
 * Unallocated usage (usage with no employee) in minor units by the invoice's rule: one line per
 * (period, service, category) — per identifier when there is no service — each rounded once
 * (lineAmountMinor), then added. Allocation health and the unallocated queue use these so they
 * agree with the invoice's unallocated section and with MI to the penny.
 * ------------------------------------------------------------------------------------------- */

/** period → unallocated usage in minor units, for the customer's months (all of them when omitted). */
export async function unallocatedMinorByPeriod(customerId: number, periods?: string[]) {
  const rollupRows = db
    .from('monthly_rollups')
    .where('customer_id', customerId)
    .where('employee_id', 0)
    .whereNot('service_id', 0)
    .groupBy('period', 'service_id', 'category')
    .select('period')
    .sum('price_e4 as price')
  const unknownRows = db
    .from('usage_records')
    .where('customer_id', customerId)
    .whereNull('employee_id')
    .whereNull('service_id')
    .groupBy('period', 'category', 'identifier')
    .select('period')
    .sum('price_e4 as price')
  if (periods) {
    rollupRows.whereIn('period', periods)
    unknownRows.whereIn('period', periods)
  }
  const out = new Map<string, number>()
  for (const r of [...(await rollupRows), ...(await unknownRows)] as any[]) {
    out.set(
      String(r.period),
      (out.get(String(r.period)) ?? 0) + lineAmountMinor(Number(r.price ?? 0))
    )
  }
  return out
}

/** identifier → its unbilled unallocated usage in minor units (lines per period, service, category). */
export async function unallocatedMinorByIdentifier(customerId: number, identifiers: string[]) {
  const out = new Map<string, number>()
  for (let i = 0; i < identifiers.length; i += 500) {
    const rows = await db
      .from('usage_records')
      .where('customer_id', customerId)
      .whereNull('invoice_id')
      .whereNull('employee_id')
      .whereIn('identifier', identifiers.slice(i, i + 500))
      .groupBy('identifier', 'period', 'service_id', 'category')
      .select('identifier')
      .sum('price_e4 as price')
    for (const r of rows as any[])
      out.set(
        String(r.identifier),
        (out.get(String(r.identifier)) ?? 0) + lineAmountMinor(Number(r.price ?? 0))
      )
  }
  return out
}
