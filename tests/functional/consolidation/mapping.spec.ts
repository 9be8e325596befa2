import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import db from '@adonisjs/lucid/services/db'
import { mapUsage } from '#consolidation/map_usage'
import { refreshRollups } from '#consolidation/rollups'
import { assignService, endService, localMidnight } from '#consolidation/assignments'
import {
  assertRollupsMatch,
  insertRecords,
  rollupByEmployee,
  twoEmployeesAndAMobile,
} from './_support.js'

test.group('consolidation: mapping usage to people', (group) => {
  group.each.setup(() => truncateAll())

  test('a number that moves mid-month is charged to each employee for their own days', async ({
    assert,
  }) => {
    const { customer, sales, support, alice, bob, mobile } = await twoEmployeesAndAMobile()
    await db.transaction(async (trx) => {
      await assignService(mobile, alice, localMidnight('2026-03-01', customer.timeZone), { trx })
      await assignService(mobile, bob, localMidnight('2026-03-16', customer.timeZone), { trx })
    })
    await insertRecords(customer.id, [
      { identifier: '+447700900123', occurredAt: '2026-03-10 09:00:00', costE4: 1500 },
      { identifier: '+447700900123', occurredAt: '2026-03-20 09:00:00', costE4: 2500 },
      // Local midnight of the 16th in London is 00:00 UTC (GMT); a call a second before stays Alice's.
      { identifier: '+447700900123', occurredAt: '2026-03-15 23:59:59', costE4: 100 },
      { identifier: '+447700900999', occurredAt: '2026-03-12 10:00:00', costE4: 700 },
    ])
    const result = await mapUsage({ customerId: customer.id, period: '2026-03' })
    assert.deepEqual(result, { mapped: 3, unallocated: 1 })

    const rows = await db
      .from('usage_records')
      .where('customer_id', customer.id)
      .orderBy('occurred_at')
    const byTime = Object.fromEntries(
      rows.map((r) => [
        String(r.occurred_at instanceof Date ? r.occurred_at.toISOString() : r.occurred_at),
        r,
      ])
    )
    const at = (s: string) =>
      Object.entries(byTime).find(([k]) => k.startsWith(s.replace(' ', 'T')) || k.startsWith(s))![1]
    assert.equal(at('2026-03-10 09:00:00').employee_id, alice.id)
    assert.equal(at('2026-03-10 09:00:00').department_id, sales.id)
    assert.equal(at('2026-03-15 23:59:59').employee_id, alice.id)
    assert.equal(at('2026-03-20 09:00:00').employee_id, bob.id)
    assert.equal(at('2026-03-20 09:00:00').department_id, support.id)
    assert.equal(at('2026-03-20 09:00:00').service_id, mobile.id)
    assert.isNull(at('2026-03-12 10:00:00').employee_id)
    assert.isNull(at('2026-03-12 10:00:00').service_id)

    await refreshRollups(customer.id, ['2026-03'])
    const totals = await rollupByEmployee(customer.id, '2026-03')
    assert.deepEqual(totals[alice.id], { records: 2, costE4: 1600 })
    assert.deepEqual(totals[bob.id], { records: 1, costE4: 2500 })
    assert.deepEqual(totals[0], { records: 1, costE4: 700 })
    await assertRollupsMatch(assert)
  })

  test('summer time: the move date is local midnight (23:00 UTC the day before)', async ({
    assert,
  }) => {
    const { customer, alice, bob, mobile } = await twoEmployeesAndAMobile()
    await db.transaction(async (trx) => {
      await assignService(mobile, alice, localMidnight('2026-06-01', customer.timeZone), { trx })
      await assignService(mobile, bob, localMidnight('2026-06-16', customer.timeZone), { trx })
    })
    await insertRecords(customer.id, [
      { identifier: '+447700900123', occurredAt: '2026-06-15 22:59:59' },
      { identifier: '+447700900123', occurredAt: '2026-06-15 23:00:00' },
    ])
    await mapUsage({ customerId: customer.id })
    const rows = await db.from('usage_records').where('customer_id', customer.id).orderBy('id')
    assert.deepEqual(
      rows.map((r) => r.employee_id),
      [alice.id, bob.id]
    )
  })

  test('ending an assignment leaves later records unallocated; billed records are never touched', async ({
    assert,
  }) => {
    const { customer, alice, mobile } = await twoEmployeesAndAMobile()
    await db.transaction(async (trx) => {
      await assignService(mobile, alice, localMidnight('2026-01-01', customer.timeZone), { trx })
      await endService(mobile, localMidnight('2026-01-20', customer.timeZone), { trx })
    })
    await insertRecords(customer.id, [
      { identifier: '+447700900123', occurredAt: '2026-01-05 12:00:00' },
      { identifier: '+447700900123', occurredAt: '2026-01-25 12:00:00' },
      { identifier: '+447700900123', occurredAt: '2026-01-26 12:00:00', invoiceId: 99 },
    ])
    const result = await mapUsage({ customerId: customer.id, period: '2026-01' })
    assert.deepEqual(result, { mapped: 1, unallocated: 1 })
    const rows = await db.from('usage_records').where('customer_id', customer.id).orderBy('id')
    assert.deepEqual(
      rows.map((r) => r.employee_id),
      [alice.id, null, null]
    )
    assert.isNull(rows[2].service_id)
  })

  test('scopes: record ids and identifier limit what is touched', async ({ assert }) => {
    const { customer, alice, mobile } = await twoEmployeesAndAMobile()
    await db.transaction(async (trx) => {
      await assignService(mobile, alice, localMidnight('2026-01-01', customer.timeZone), { trx })
    })
    await insertRecords(customer.id, [
      { identifier: '+447700900123', occurredAt: '2026-02-05 12:00:00' },
      { identifier: '+447700900123', occurredAt: '2026-02-06 12:00:00' },
    ])
    const ids = (await db.from('usage_records').orderBy('id').select('id')).map((r) => Number(r.id))
    assert.deepEqual(await mapUsage({ customerId: customer.id, recordIds: [ids[0]] }), {
      mapped: 1,
      unallocated: 0,
    })
    let rows = await db.from('usage_records').orderBy('id')
    assert.deepEqual(
      rows.map((r) => r.employee_id),
      [alice.id, null]
    )
    assert.deepEqual(await mapUsage({ customerId: customer.id, identifier: '+447700900123' }), {
      mapped: 2,
      unallocated: 0,
    })
    rows = await db.from('usage_records').orderBy('id')
    assert.deepEqual(
      rows.map((r) => r.employee_id),
      [alice.id, alice.id]
    )
  })
})
