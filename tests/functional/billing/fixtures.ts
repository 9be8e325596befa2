import db from '@adonisjs/lucid/services/db'
import type Customer from '#models/customer'
import { makeCustomer } from '#tests/helpers/factories'
import { sqlTime } from '#lib/db_helpers'

/**
 * Billing test data written straight to the tables (import, mapping and rating
 * belong to other teams): a customer with departments, employees, services,
 * already-rated usage records, unallocated usage and recurring charges.
 * Returns the exact expected figures so tests can check the invoice.
 */

let seq = 0
const uniq = () => `${Date.now().toString(36)}${(seq++).toString(36)}`.toUpperCase()

export interface FixtureOptions {
  period?: string
  employees?: number
  recordsPerService?: number
  unallocatedRecords?: number
  unrated?: number
  recurring?: boolean
  itemise?: boolean
  billDay?: number
  billingEmail?: string | null
  /** Deterministic prices: record i of a service costs base + i*7 e4 */
  basePriceE4?: number
}

export interface Fixture {
  customer: Customer
  period: string
  employees: { id: number; name: string; departmentId: number }[]
  /** expected per-employee net in minor units, keyed by employee name */
  expectedByEmployee: Map<string, number>
  expectedUnallocatedMinor: number
  records: number
}

const CATEGORIES = ['uk_mobile', 'uk_landline', 'data', 'international']

export async function makeBillingFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const period = options.period ?? '2026-10'
  const n = uniq()
  const customer = await makeCustomer({
    accountNumber: `B-${n}`,
    name: `Acme ${n} Ltd`,
    billingEmail:
      options.billingEmail === undefined
        ? `accounts-${n.toLowerCase()}@acme.example`
        : options.billingEmail,
    address: '1 High Street\nLondon\nEC1A 1AA',
    vatNumber: 'GB987654321',
    taxRateBp: 2000,
    currency: 'GBP',
    timeZone: 'Europe/London',
    paymentTermsDays: 30,
    billDay: options.billDay ?? 1,
    recurringBilling: 'advance',
    itemiseCalls: options.itemise ?? false,
    miAddon: false,
  })
  const now = sqlTime(new Date())
  const [deptA] = await db
    .table('departments')
    .insert({ customer_id: customer.id, name: 'Sales', cost_centre: 'CC100', created_at: now })
  const [deptB] = await db
    .table('departments')
    .insert({ customer_id: customer.id, name: 'Operations', cost_centre: 'CC200', created_at: now })
  const departmentIds = [Number(deptA), Number(deptB)]

  const employees: Fixture['employees'] = []
  const expectedByEmployee = new Map<string, number>()
  const records: any[] = []
  const count = options.employees ?? 3
  const perService = options.recordsPerService ?? 5
  const base = options.basePriceE4 ?? 1234
  const [y, m] = period.split('-').map(Number)
  const at = (day: number, i: number) =>
    new Date(Date.UTC(y, m - 1, Math.min(28, day), 9 + (i % 8), (i * 7) % 60, 0))

  for (let e = 0; e < count; e++) {
    const name = `Employee ${String.fromCharCode(65 + (e % 26))}${e >= 26 ? e : ''} Smith`
    const departmentId = departmentIds[e % 2]
    const [employeeId] = await db.table('employees').insert({
      customer_id: customer.id,
      department_id: departmentId,
      name,
      email: `e${e}-${n.toLowerCase()}@acme.example`,
      employee_number: `E${e + 1}`,
      active: true,
      created_at: now,
    })
    const identifier = `+4477009${String(e).padStart(5, '0')}`
    const [serviceId] = await db.table('services').insert({
      customer_id: customer.id,
      kind: 'mobile',
      identifier,
      label: null,
      created_at: now,
    })
    employees.push({ id: Number(employeeId), name, departmentId })
    let employeeMinor = 0
    for (const [ci, category] of CATEGORIES.slice(0, 2 + (e % 3)).entries()) {
      let sumE4 = 0
      for (let i = 0; i < perService; i++) {
        const price = base + i * 7 + ci * 3 + e
        sumE4 += price
        records.push(
          record(
            customer.id,
            period,
            `${n}-${e}-${ci}-${i}`,
            identifier,
            Number(serviceId),
            Number(employeeId),
            departmentId,
            category,
            at(1 + i, i),
            price
          )
        )
      }
      employeeMinor += roundE4ToMinor(sumE4)
    }
    if (options.recurring !== false) {
      await db.table('recurring_charges').insert({
        customer_id: customer.id,
        employee_id: Number(employeeId),
        service_id: Number(serviceId),
        description: 'Mobile line rental',
        category: 'line_rental',
        quantity: 1,
        unit_price_e4: 125000,
        unit_cost_e4: 80000,
        starts_on: '2020-01-01',
        ends_on: null,
        origin: 'manual',
        created_at: now,
      })
      employeeMinor += 1250
    }
    expectedByEmployee.set(name, employeeMinor)
  }

  let unallocatedMinor = 0
  const unallocated = options.unallocatedRecords ?? 3
  if (unallocated > 0) {
    const [serviceId] = await db.table('services').insert({
      customer_id: customer.id,
      kind: 'ddi',
      identifier: '+442071234567',
      label: 'Reception',
      created_at: now,
    })
    let sumE4 = 0
    for (let i = 0; i < unallocated; i++) {
      const price = 2500 + i * 11
      sumE4 += price
      records.push(
        record(
          customer.id,
          period,
          `${n}-u-${i}`,
          '+442071234567',
          Number(serviceId),
          null,
          null,
          'uk_landline',
          at(3 + i, i),
          price
        )
      )
    }
    unallocatedMinor = roundE4ToMinor(sumE4)
  }
  for (let i = 0; i < (options.unrated ?? 0); i++) {
    records.push({
      ...record(
        customer.id,
        period,
        `${n}-x-${i}`,
        '+447700900999',
        null,
        null,
        null,
        'international',
        at(5, i),
        null
      ),
      rating_status: 'unrated',
      unrated_reason: 'no rate for destination',
    })
  }
  for (let i = 0; i < records.length; i += 500)
    await db.table('usage_records').multiInsert(records.slice(i, i + 500))
  return {
    customer,
    period,
    employees,
    expectedByEmployee,
    expectedUnallocatedMinor: unallocatedMinor,
    records: records.length,
  }
}

function roundE4ToMinor(e4: number) {
  return Math.floor((2 * e4 + 100) / 200)
}

function record(
  customerId: number,
  period: string,
  key: string,
  identifier: string,
  serviceId: number | null,
  employeeId: number | null,
  departmentId: number | null,
  category: string,
  occurredAt: Date,
  priceE4: number | null
) {
  return {
    customer_id: customerId,
    source: 'test:billing',
    dedupe_key: key,
    import_id: null,
    service_id: serviceId,
    employee_id: employeeId,
    department_id: departmentId,
    identifier,
    occurred_at: sqlTime(occurredAt),
    period,
    category,
    destination: category === 'data' ? null : '447700900123',
    destination_name: category === 'data' ? null : 'UK mobile',
    duration_s: category === 'data' ? 0 : 65 + (key.length % 40),
    volume_bytes: category === 'data' ? 1048576 : 0,
    quantity: 1,
    description: null,
    cost_e4: priceE4 === null ? null : Math.floor(priceE4 / 2),
    price_e4: priceE4,
    tariff_id: null,
    rate_id: null,
    allowance_used: 0,
    rating_status: priceE4 === null ? 'unrated' : 'rated',
    unrated_reason: null,
    invoice_id: null,
  }
}
