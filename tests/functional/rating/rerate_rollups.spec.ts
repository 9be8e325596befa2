import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { addRate, makeCustomer, makeTariff, putOnTariff } from '#tests/helpers/factories'
import { afterUsageChange, rerateAndRefresh } from '#consolidation/usage_pipeline'
import { refreshRollups } from '#consolidation/rollups'
import { addUsage } from './support.js'

const SUMS = ['record_count', 'cost_e4', 'price_e4', 'uncosted_count', 'uncosted_price_e4']

/** The rollup rows of a customer's month without ids and stamps, in a fixed order. */
async function rollupsOf(customerId: number) {
  const monthly = await db
    .from('monthly_rollups')
    .where('customer_id', customerId)
    .select(
      'period',
      'department_id',
      'employee_id',
      'service_id',
      'category',
      'duration_s',
      'volume_bytes',
      ...SUMS
    )
    .orderBy(['period', 'service_id', 'category'])
  const destinations = await db
    .from('destination_rollups')
    .where('customer_id', customerId)
    .select('period', 'category', 'destination', ...SUMS)
    .orderBy(['period', 'category', 'destination'])
  const plain = (rows: Record<string, unknown>[]) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])))
  return { monthly: plain(monthly), destinations: plain(destinations) }
}

test.group('Re-rating keeps the rollups', (group) => {
  group.each.setup(() => truncateAll())

  test('a re-rate moves each changed record in the rollups exactly as recomputing the month does', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const tariff = await makeTariff('Rollup re-rate')
    await addRate(tariff, {
      prefix: '33',
      category: 'international',
      destination: 'France',
      micros: 120000,
    })
    await addRate(tariff, {
      prefix: '44',
      category: 'uk_landline',
      destination: 'UK landline',
      micros: 20000,
    })
    await putOnTariff(customer.id, tariff)
    const calls = [
      { destination: '33140000000', category: 'international', costE4: 500 },
      { destination: '33140000001', category: 'international', costE4: null },
      { destination: '442071234567', category: 'uk_landline', costE4: 100 },
      {
        destination: '442071234568',
        category: 'uk_landline',
        costE4: null,
        serviceKey: '+441179000002',
      },
    ]
    for (const [i, c] of calls.entries())
      await addUsage(customer.id, { at: `2026-10-13T09:0${i}:00Z`, durationS: 120, ...c })
    await afterUsageChange(customer.id, ['2026-10'])
    const before = await rollupsOf(customer.id)
    assert.deepInclude(
      before.destinations.map((d) => d.destination),
      'UK landline'
    )

    // France dearer, and the UK rate renamed: the UK records move to another destination row.
    await db.from('rates').where('tariff_id', tariff).where('prefix', '33').update({
      peak_micros: 150000,
      updated_at: '2030-01-01 00:00:00',
    })
    await db.from('rates').where('tariff_id', tariff).where('prefix', '44').update({
      destination: 'UK geographic',
      updated_at: '2030-01-01 00:00:00',
    })
    const summary = await rerateAndRefresh({ tariffId: tariff })
    assert.equal(summary.changed, 4)
    const after = await rollupsOf(customer.id)

    const priced = (rows: Record<string, string>[]) =>
      rows.reduce((sum, r) => sum + Number(r.price_e4), 0)
    // Two France calls of 2 minutes, 0.03 a minute dearer each.
    assert.equal(priced(after.monthly) - priced(before.monthly), 1200)
    assert.notInclude(
      after.destinations.map((d) => d.destination),
      'UK landline'
    )
    await refreshRollups(customer.id, ['2026-10'])
    assert.deepEqual(after, await rollupsOf(customer.id))
  })
})
