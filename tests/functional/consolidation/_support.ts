import db from '@adonisjs/lucid/services/db'
import type { Assert } from '@japa/assert'
import { makeCustomer, makeDepartment, makeEmployee, makeService } from '#tests/helpers/factories'

let seq = 0

export type RecordInput = {
  identifier: string
  occurredAt: string
  period?: string
  category?: string
  durationS?: number
  volumeBytes?: number
  costE4?: number | null
  priceE4?: number | null
  invoiceId?: number | null
}

/** Inserts usage records the way the import pipeline stores them (UTC 'yyyy-MM-dd HH:mm:ss'). */
export async function insertRecords(customerId: number, rows: RecordInput[]) {
  await db.table('usage_records').multiInsert(
    rows.map((r) => ({
      customer_id: customerId,
      source: 'test',
      dedupe_key: `k${Date.now()}-${seq++}`,
      identifier: r.identifier,
      occurred_at: r.occurredAt,
      period: r.period ?? r.occurredAt.slice(0, 7),
      category: r.category ?? 'call_mobile',
      duration_s: r.durationS ?? 60,
      volume_bytes: r.volumeBytes ?? 0,
      quantity: 1,
      cost_e4: r.costE4 === undefined ? 1000 : r.costE4,
      price_e4: r.priceE4 === undefined ? 2000 : r.priceE4,
      rating_status: 'rated',
      invoice_id: r.invoiceId ?? null,
    }))
  )
}

const KEY = [
  'customer_id',
  'period',
  'department_id',
  'employee_id',
  'service_id',
  'category',
] as const

/** The rollups as stored and as they should be (GROUP BY over usage_records), as comparable rows. */
export async function rollupsVsRecords() {
  const stored = await db
    .from('monthly_rollups')
    .select(...KEY, 'record_count', 'duration_s', 'volume_bytes', 'cost_e4', 'price_e4')
  const expected = await db
    .from('usage_records')
    .select('customer_id', 'period', 'category')
    .select(
      db.raw('COALESCE(department_id, 0) as department_id'),
      db.raw('COALESCE(employee_id, 0) as employee_id'),
      db.raw('COALESCE(service_id, 0) as service_id'),
      db.raw('COUNT(*) as record_count'),
      db.raw('SUM(duration_s) as duration_s'),
      db.raw('SUM(volume_bytes) as volume_bytes'),
      db.raw('SUM(COALESCE(cost_e4, 0)) as cost_e4'),
      db.raw('SUM(COALESCE(price_e4, 0)) as price_e4')
    )
    .groupByRaw(
      'customer_id, period, COALESCE(department_id, 0), COALESCE(employee_id, 0), COALESCE(service_id, 0), category'
    )
  const norm = (rows: any[]) =>
    rows
      .map((r) =>
        [...KEY, 'record_count', 'duration_s', 'volume_bytes', 'cost_e4', 'price_e4']
          .map((k) => (k === 'period' || k === 'category' ? String(r[k]) : String(Number(r[k]))))
          .join('|')
      )
      .sort()
  return { stored: norm(stored), expected: norm(expected) }
}

export async function assertRollupsMatch(assert: Assert) {
  const { stored, expected } = await rollupsVsRecords()
  assert.deepEqual(stored, expected)
}

/** Per-employee record counts and supplier cost of a period, read from the rollups (price belongs to rating). */
export async function rollupByEmployee(customerId: number, period: string) {
  const rows = await db
    .from('monthly_rollups')
    .where('customer_id', customerId)
    .where('period', period)
    .groupBy('employee_id')
    .select('employee_id')
    .sum('record_count as n')
    .sum('cost_e4 as cost')
  return Object.fromEntries(
    rows.map((r) => [Number(r.employee_id), { records: Number(r.n), costE4: Number(r.cost) }])
  )
}

/** A customer with two departments, Alice (Sales) and Bob (Support), and one unassigned mobile. */
export async function twoEmployeesAndAMobile() {
  const customer = await makeCustomer()
  const sales = await makeDepartment(customer, {
    name: 'Sales',
    costCentre: 'CC-10',
  })
  const support = await makeDepartment(customer, {
    name: 'Support',
    costCentre: null,
  })
  const alice = await makeEmployee(customer, {
    departmentId: sales.id,
    name: 'Alice',
    email: 'alice@acme.example',
    employeeNumber: 'E1',
    active: true,
  })
  const bob = await makeEmployee(customer, {
    departmentId: support.id,
    name: 'Bob',
    email: 'bob@acme.example',
    employeeNumber: 'E2',
    active: true,
  })
  const mobile = await makeService(customer, {
    kind: 'mobile',
    identifier: '+447700900123',
    label: null,
  })
  return { customer, sales, support, alice, bob, mobile }
}
