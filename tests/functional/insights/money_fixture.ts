import db from '@adonisjs/lucid/services/db'
import type Customer from '#models/customer'
import { makeCustomer } from '#tests/helpers/factories'
import { sqlTime } from '#lib/db_helpers'
import { seededRandom } from '#lib/seeded_random'
import { refreshRecurringRollups, refreshRollups } from '#consolidation/rollups'

/**
 * Random billing data for the money-model tests, written straight to the tables (import, mapping
 * and rating belong to other teams) and rolled up by the real refresh: employees in two departments
 * (one moves department mid-month, so one invoice line spans two rollup rows), services with usage
 * priced to 1e-4 (so every line has fractions of a penny to round), an unassigned number and an
 * unknown number (unallocated usage), licences with odd unit prices (one starting mid-month, pro
 * rata) and two account-level charges (the MI add-on and a support charge of nobody).
 */

const CATEGORIES = ['uk_mobile', 'uk_landline', 'data', 'international', 'roaming_calls']
let seq = 0

export type MoneyFixture = {
  customer: Customer
  months: string[]
  employeeIds: number[]
  unassignedIdentifier: string
  unknownIdentifier: string
}

export async function makeMoneyFixture(
  seed: number,
  months = ['2026-09', '2026-10']
): Promise<MoneyFixture> {
  const rnd = seededRandom(seed)
  const n = `${Date.now().toString(36)}${(seq++).toString(36)}`.toUpperCase()
  const customer = await makeCustomer({
    accountNumber: `M-${n}`,
    name: `Money ${n} Ltd`,
    billingEmail: `accounts-${n.toLowerCase()}@money.example`,
    miAddon: true,
  })
  const now = sqlTime(new Date())
  const departments: number[] = []
  for (const name of ['Sales', 'Operations']) {
    const [id] = await db
      .table('departments')
      .insert({ customer_id: customer.id, name, cost_centre: name.slice(0, 3), created_at: now })
    departments.push(Number(id))
  }
  const records: Record<string, unknown>[] = []
  const record = (
    period: string,
    day: number,
    identifier: string,
    serviceId: number | null,
    employeeId: number | null,
    departmentId: number | null,
    category: string
  ) => {
    const priceE4 = rnd.int(1, 60_000)
    records.push({
      customer_id: customer.id,
      source: 'test:money',
      dedupe_key: `${n}-${records.length}`,
      service_id: serviceId,
      employee_id: employeeId,
      department_id: departmentId,
      identifier,
      occurred_at: `${period}-${String(day).padStart(2, '0')} 10:00:00`,
      period,
      category,
      destination: category === 'data' ? null : '4477009',
      destination_name:
        category === 'data' ? null : rnd.pick(['UK mobile', 'UK landline', 'France', 'USA']),
      duration_s: category === 'data' ? 0 : rnd.int(1, 900),
      volume_bytes: category === 'data' ? rnd.int(1, 50_000_000) : 0,
      quantity: 1,
      // Some records carry no supplier cost (a PBX CDR): margin must not read them as 100 %.
      cost_e4: rnd.chance(0.2) ? null : Math.floor((priceE4 * rnd.int(30, 90)) / 100),
      price_e4: priceE4,
      rating_status: 'rated',
      allowance_used: 0,
    })
  }

  const employeeIds: number[] = []
  const count = rnd.int(3, 7)
  for (let e = 0; e < count; e++) {
    const departmentId = departments[e % 2]
    const [employeeId] = await db.table('employees').insert({
      customer_id: customer.id,
      department_id: departmentId,
      name: `Person ${e} ${n}`,
      email: `p${e}-${n.toLowerCase()}@money.example`,
      employee_number: `P${e}`,
      active: true,
      created_at: now,
    })
    employeeIds.push(Number(employeeId))
    for (let s = 0; s < rnd.int(1, 2); s++) {
      const identifier = `+44770${String(seed).padStart(3, '0')}${e}${s}${String(rnd.int(0, 999)).padStart(3, '0')}`
      const [serviceId] = await db.table('services').insert({
        customer_id: customer.id,
        kind: 'mobile',
        identifier,
        label: null,
        created_at: now,
      })
      for (const period of months) {
        for (let r = 0; r < rnd.int(2, 25); r++) {
          // Employee 0 moves from Sales to Operations on the 15th of every month.
          const dept = e === 0 && r % 2 === 1 ? departments[1] : departmentId
          record(
            period,
            e === 0 ? (r % 2 === 1 ? 20 : 5) : rnd.int(1, 28),
            identifier,
            Number(serviceId),
            Number(employeeId),
            dept,
            rnd.pick(CATEGORIES)
          )
        }
      }
    }
    if (rnd.chance(0.7)) {
      const startsOn = e === 1 ? `${months[0]}-16` : '2026-01-01'
      await db.table('recurring_charges').insert({
        customer_id: customer.id,
        employee_id: Number(employeeId),
        service_id: null,
        description: 'Microsoft 365 E3',
        category: 'licence',
        quantity: rnd.int(1, 3),
        unit_price_e4: rnd.int(50_000, 250_000),
        unit_cost_e4: 150_000,
        starts_on: startsOn,
        ends_on: null,
        origin: 'manual',
        created_at: now,
      })
    }
  }
  await db.from('employees').where('id', employeeIds[0]).update({ department_id: departments[1] })

  const unassignedIdentifier = `+4420${String(seed).padStart(4, '0')}1234`
  const [unassigned] = await db.table('services').insert({
    customer_id: customer.id,
    kind: 'ddi',
    identifier: unassignedIdentifier,
    label: 'Reception',
    created_at: now,
  })
  const unknownIdentifier = `+4479${String(seed).padStart(4, '0')}5678`
  for (const period of months) {
    for (let r = 0; r < rnd.int(1, 6); r++)
      record(
        period,
        rnd.int(1, 28),
        unassignedIdentifier,
        Number(unassigned),
        null,
        null,
        'uk_landline'
      )
    for (let r = 0; r < rnd.int(1, 6); r++)
      record(
        period,
        rnd.int(1, 28),
        unknownIdentifier,
        null,
        null,
        null,
        rnd.pick(['uk_mobile', 'international'])
      )
  }
  for (const [description, category, price, quantity] of [
    ['Management information add-on', 'mi_addon', 500_000, 1],
    ['Support desk', 'support', rnd.int(10_000, 99_999), 3],
  ] as const) {
    await db.table('recurring_charges').insert({
      customer_id: customer.id,
      employee_id: null,
      service_id: null,
      description,
      category,
      quantity,
      unit_price_e4: price,
      unit_cost_e4: 0,
      starts_on: '2026-01-01',
      ends_on: null,
      origin: category === 'mi_addon' ? 'mi_addon' : 'manual',
      created_at: now,
    })
  }
  for (let i = 0; i < records.length; i += 400)
    await db.table('usage_records').multiInsert(records.slice(i, i + 400))
  await refreshRollups(customer.id, months)
  await refreshRecurringRollups(customer.id)
  return { customer, months, employeeIds, unassignedIdentifier, unknownIdentifier }
}
