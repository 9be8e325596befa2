import db from '@adonisjs/lucid/services/db'
import Department from '#models/department'
import Employee from '#models/employee'
import { makeCustomer, makeDepartment, makeEmployee } from '#tests/helpers/factories'
import type Customer from '#models/customer'

/** Rollup row: money in pounds for readability (converted to e4). */
export type RollupSpec = {
  period: string
  employee?: Employee | null
  department?: Department | null
  category: string
  pounds: number
  records?: number
}

export async function addRollups(customer: Customer, specs: RollupSpec[]) {
  let service = 1
  await db.table('monthly_rollups').multiInsert(
    specs.map((s) => ({
      customer_id: customer.id,
      period: s.period,
      department_id: s.department?.id ?? s.employee?.departmentId ?? 0,
      employee_id: s.employee?.id ?? 0,
      service_id: service++,
      category: s.category,
      record_count: s.records ?? 10,
      duration_s: 600,
      volume_bytes: 0,
      cost_e4: Math.round(s.pounds * 10000 * 0.6),
      price_e4: Math.round(s.pounds * 10000),
    }))
  )
}

let seq = 0
export async function addRecords(
  customer: Customer,
  rows: {
    period: string
    employee?: Employee | null
    category: string
    pounds: number
    destinationName?: string | null
    destination?: string | null
  }[]
) {
  await db.table('usage_records').multiInsert(
    rows.map((r, i) => ({
      customer_id: customer.id,
      source: 'test:insights',
      dedupe_key: `k-${Date.now()}-${seq++}-${i}`,
      employee_id: r.employee?.id ?? null,
      department_id: r.employee?.departmentId ?? null,
      identifier: '+447700900123',
      occurred_at: `${r.period}-10 09:00:00`,
      period: r.period,
      category: r.category,
      destination: r.destination ?? null,
      destination_name: r.destinationName ?? null,
      duration_s: 60,
      volume_bytes: 0,
      quantity: 1,
      cost_e4: Math.round(r.pounds * 6000),
      price_e4: Math.round(r.pounds * 10000),
      rating_status: 'rated',
    }))
  )
}

/** A customer with two departments and three employees. */
export async function seedCustomer(attrs: Partial<Customer> = {}) {
  const customer = await makeCustomer(attrs)
  const sales = await makeDepartment(customer, {
    name: 'Sales',
    costCentre: 'S1',
  })
  const ops = await makeDepartment(customer, {
    name: 'Operations',
    costCentre: 'O1',
  })
  const alice = await makeEmployee(customer, {
    departmentId: sales.id,
    name: 'Alice Able',
    email: 'alice@a.example',
    employeeNumber: 'E1',
    active: true,
  })
  const bob = await makeEmployee(customer, {
    departmentId: ops.id,
    name: 'Bob Baker',
    email: 'bob@a.example',
    employeeNumber: 'E2',
    active: true,
  })
  const carol = await makeEmployee(customer, {
    departmentId: sales.id,
    name: 'Carol Cole',
    email: 'carol@a.example',
    employeeNumber: 'E3',
    active: true,
  })
  return { customer, sales, ops, alice, bob, carol }
}

/** Four months of rollups: Alice 100/110/120/400 (calls), Bob 50 each month + roaming in the last, Carol 10. */
export async function seedFourMonths(s: Awaited<ReturnType<typeof seedCustomer>>) {
  const months = ['2026-01', '2026-02', '2026-03', '2026-04']
  const alice = [100, 110, 120, 400]
  const specs: RollupSpec[] = []
  months.forEach((period, i) => {
    specs.push({ period, employee: s.alice, category: 'calls', pounds: alice[i] })
    specs.push({ period, employee: s.bob, category: 'calls', pounds: 50 })
    specs.push({ period, employee: s.carol, category: 'data', pounds: 10 })
  })
  specs.push({ period: '2026-04', employee: s.bob, category: 'roaming_data', pounds: 80 })
  specs.push({ period: '2026-04', employee: null, category: 'calls', pounds: 5 })
  await addRollups(s.customer, specs)
  return months
}

export { binaryResponses } from '#tests/helpers/binary_responses'
