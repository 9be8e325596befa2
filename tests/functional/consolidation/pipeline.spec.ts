import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import db from '@adonisjs/lucid/services/db'
import { rebuildRollups } from '#consolidation/rollups'
import { assignService, localMidnight } from '#consolidation/assignments'
import { afterUsageChange } from '#consolidation/usage_pipeline'
import {
  assertRollupsMatch,
  insertRecords,
  rollupByEmployee,
  twoEmployeesAndAMobile,
} from './_support.js'

test.group('consolidation: pipeline after a move', (group) => {
  group.each.setup(() => truncateAll())

  test('the whole pipeline after a move re-links records and refreshes rollups', async ({
    assert,
  }) => {
    const { customer, alice, bob, mobile } = await twoEmployeesAndAMobile()
    await db.transaction(async (trx) => {
      await assignService(mobile, alice, localMidnight('2026-03-01', customer.timeZone), { trx })
    })
    await insertRecords(customer.id, [
      {
        identifier: '+447700900123',
        occurredAt: '2026-03-10 09:00:00',
        costE4: 500,
        priceE4: null,
      },
      {
        identifier: '+447700900123',
        occurredAt: '2026-03-20 09:00:00',
        costE4: 500,
        priceE4: null,
      },
    ])
    await afterUsageChange(customer.id, ['2026-03'])
    await assertRollupsMatch(assert)
    await db.transaction(async (trx) => {
      await assignService(mobile, bob, localMidnight('2026-03-16', customer.timeZone), { trx })
    })
    await afterUsageChange(customer.id, ['2026-03'])
    const totals = await rollupByEmployee(customer.id, '2026-03')
    assert.equal(totals[alice.id].records, 1)
    assert.equal(totals[bob.id].records, 1)
    await assertRollupsMatch(assert)
    await db.from('monthly_rollups').delete()
    await rebuildRollups()
    await assertRollupsMatch(assert)
  })
})
