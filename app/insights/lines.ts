import db from '@adonisjs/lucid/services/db'
import { e4ToMinor } from '#lib/money'
import { recurringMonthFor } from '#rating/recurring'
import { draftUsageLines, type MoneyLine, type UsageCell } from '#insights/money_model'

/**
 * Loads the money lines of a customer's months (money_model.ts): a finalized invoice's lines for a
 * billed month, the draft's lines (from the rollups, rounded as the invoice rounds) for the others.
 * Reads invoices, invoice_lines, monthly_rollups and recurring_rollups — and, for usage of no service
 * (unknown numbers, billed one line per identifier), those few usage records of unbilled months.
 */

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))

/** period → id of the customer's finalized invoice for it. */
export async function finalizedInvoices(customerId: number, periods: string[]) {
  if (periods.length === 0) return new Map<string, number>()
  const rows = await db
    .from('invoices')
    .where('customer_id', customerId)
    .where('status', 'finalized')
    .whereBetween('period', [periods[0], periods[periods.length - 1]])
    .select('id', 'period')
  const wanted = new Set(periods)
  return new Map<string, number>(
    rows
      .filter((r: any) => wanted.has(String(r.period)))
      .map((r: any) => [String(r.period), Number(r.id)])
  )
}

/**
 * Narrows a read to one employee (> 0) in SQL: an employee's page needs its own lines, not the
 * customer's 500 employees' worth filtered in memory. 0 and -1 (unallocated, account charges) are
 * keys of the money model, not column values, so they are filtered after loading.
 */
export type LineScope = { employeeId?: number }
const oneEmployee = (scope: LineScope) =>
  scope.employeeId !== undefined && scope.employeeId > 0 ? scope.employeeId : null

async function invoiceLines(
  invoiceIds: Map<string, number>,
  scope: LineScope
): Promise<MoneyLine[]> {
  if (invoiceIds.size === 0) return []
  const periodOf = new Map<number, string>([...invoiceIds].map(([p, id]) => [id, p]))
  const employeeId = oneEmployee(scope)
  const rows = await db
    .from('invoice_lines')
    .whereIn('invoice_id', [...periodOf.keys()])
    .if(employeeId !== null, (q) => q.where('employee_id', employeeId!))
    .select(
      'invoice_id',
      'employee_id',
      'department_id',
      'service_id',
      'category',
      'kind',
      'amount_minor',
      'quantity'
    )
  return rows.map((r: any) => ({
    period: periodOf.get(Number(r.invoice_id))!,
    employeeId: num(r.employee_id),
    departmentId: num(r.department_id),
    serviceId: num(r.service_id),
    category: String(r.category),
    kind: r.kind === 'recurring' ? 'recurring' : 'usage',
    amountMinor: num(r.amount_minor),
    records: r.kind === 'recurring' ? 0 : num(r.quantity),
    durationS: 0,
    volumeBytes: 0,
    billed: true,
  }))
}

/** Usage rollup cells of the months, summed over departments per line key (department: the largest). */
async function usageCells(
  customerId: number,
  periods: string[],
  scope: LineScope
): Promise<UsageCell[]> {
  if (periods.length === 0) return []
  const employeeId = oneEmployee(scope)
  const rows = await db
    .from('monthly_rollups')
    .where('customer_id', customerId)
    .whereIn('period', periods)
    .if(employeeId !== null, (q) => q.where('employee_id', employeeId!))
    .groupBy('period', 'employee_id', 'service_id', 'category')
    .select('period', 'employee_id', 'service_id', 'category')
    .max('department_id as department_id')
    .sum('price_e4 as price')
    .sum('record_count as records')
    .sum('duration_s as duration')
    .sum('volume_bytes as volume')
  return rows.map((r: any) => ({
    period: String(r.period),
    employeeId: num(r.employee_id),
    departmentId: num(r.department_id),
    serviceId: num(r.service_id),
    identifier: '',
    category: String(r.category),
    priceE4: num(r.price),
    records: num(r.records),
    durationS: num(r.duration),
    volumeBytes: num(r.volume),
  }))
}

/** Usage of no service per identifier (the invoice bills each unknown number as its own line). */
async function unknownIdentifierCells(
  customerId: number,
  periods: string[],
  scope: LineScope
): Promise<UsageCell[]> {
  if (periods.length === 0 || oneEmployee(scope) !== null) return []
  const rows = await db
    .from('usage_records')
    .where('customer_id', customerId)
    .whereIn('period', periods)
    .whereNull('service_id')
    .whereNull('employee_id')
    .groupBy('period', 'employee_id', 'category', 'identifier')
    .select('period', 'employee_id', 'category', 'identifier')
    .max('department_id as department_id')
    .sum('price_e4 as price')
    .count('* as records')
    .sum('duration_s as duration')
    .sum('volume_bytes as volume')
  return rows.map((r: any) => ({
    period: String(r.period),
    employeeId: num(r.employee_id),
    departmentId: num(r.department_id),
    serviceId: 0,
    identifier: String(r.identifier),
    category: String(r.category),
    priceE4: num(r.price),
    records: num(r.records),
    durationS: num(r.duration),
    volumeBytes: num(r.volume),
  }))
}

/** The recurring lines the invoice for each month bills: recurringMonthFor(month) of the rollups. */
async function draftRecurringLines(
  customerId: number,
  periods: string[],
  mode: 'advance' | 'arrears',
  scope: LineScope
): Promise<MoneyLine[]> {
  if (periods.length === 0) return []
  const billedFor = new Map<string, string>(periods.map((p) => [recurringMonthFor(p, mode), p]))
  const employeeId = oneEmployee(scope)
  const rows = await db
    .from('recurring_rollups')
    .where('customer_id', customerId)
    .whereIn('period', [...billedFor.keys()])
    .if(employeeId !== null, (q) => q.where('employee_id', employeeId!))
    .select(
      'period',
      'employee_id',
      'department_id',
      'service_id',
      'category',
      'price_e4',
      'price_minor'
    )
  return rows.map((r: any) => ({
    period: billedFor.get(String(r.period))!,
    employeeId: num(r.employee_id),
    departmentId: num(r.department_id),
    serviceId: num(r.service_id),
    category: String(r.category),
    kind: 'recurring',
    // Rows written before price_minor existed: rounded as one (`node ace rollups:rebuild` fixes them).
    amountMinor:
      r.price_minor === null || r.price_minor === undefined
        ? e4ToMinor(num(r.price_e4))
        : num(r.price_minor),
    records: 0,
    durationS: 0,
    volumeBytes: 0,
    billed: false,
  }))
}

/** Durations and volumes of billed usage lines (invoices keep amounts and counts, not seconds or bytes). */
function attachUsageStats(lines: MoneyLine[], cells: UsageCell[]) {
  const stats = new Map<string, UsageCell>()
  for (const c of cells) stats.set(`${c.period}|${c.employeeId}|${c.serviceId}|${c.category}`, c)
  for (const line of lines) {
    if (line.kind !== 'usage' || line.serviceId === 0) continue
    const c = stats.get(`${line.period}|${line.employeeId}|${line.serviceId}|${line.category}`)
    if (c && c.records === line.records) {
      line.durationS = c.durationS
      line.volumeBytes = c.volumeBytes
    }
  }
}

/** Every money line of the customer's months (of one employee when the scope names one). */
export async function loadMoneyLines(
  customerId: number,
  periods: string[],
  scope: LineScope = {}
): Promise<MoneyLine[]> {
  const customer = await db
    .from('customers')
    .where('id', customerId)
    .select('recurring_billing')
    .first()
  const mode = customer?.recurring_billing === 'arrears' ? 'arrears' : 'advance'
  const invoices = await finalizedInvoices(customerId, periods)
  const open = periods.filter((p) => !invoices.has(p))
  const [billed, cells, unknown, recurring] = await Promise.all([
    invoiceLines(invoices, scope),
    usageCells(customerId, periods, scope),
    unknownIdentifierCells(customerId, open, scope),
    draftRecurringLines(customerId, open, mode, scope),
  ])
  const openSet = new Set(open)
  // Usage of no service and no employee is taken per identifier from the records instead.
  const draftCells = [
    ...cells.filter((c) => openSet.has(c.period) && !(c.serviceId === 0 && c.employeeId === 0)),
    ...unknown,
  ]
  attachUsageStats(billed, cells)
  return [...billed, ...draftUsageLines(draftCells), ...recurring]
}
