import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser, makeTariff, addRate, putOnTariff } from '#tests/helpers/factories'
import { rateUsage } from '#rating/rate_usage'
import { rerate } from '#rating/tariffs'
import { rerateChanges, rerateCsv, rerateList } from '#rating/rerate_history'
import { addUsage } from './support.js'

test.group('Re-rating history', (group) => {
  group.each.setup(() => truncateAll())

  test('a re-rate keeps each changed record: old and new price, rate, band, allowance and why', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const user = await makeUser('billing')
    const tariff = await makeTariff('History')
    await addRate(tariff, {
      prefix: '33',
      category: 'international',
      destination: 'France',
      micros: [120000, 60000, 30000],
    })
    await addRate(tariff, {
      prefix: '44',
      category: 'uk_landline',
      destination: 'UK landline',
      micros: 20000,
    })
    await putOnTariff(customer.id, tariff)
    // Tuesday 10:00 London (peak), 120 s each
    const france = await addUsage(customer.id, {
      at: '2026-10-13T09:00:00Z',
      destination: '33140000000',
      durationS: 120,
      category: 'international',
    })
    const uk = await addUsage(customer.id, {
      at: '2026-10-13T09:05:00Z',
      destination: '442071234567',
      durationS: 120,
      category: 'uk_landline',
    })

    // First rating: pending → rated is not a re-rate
    await rateUsage({ customerId: customer.id, period: '2026-10' })
    assert.equal(Number((await db.from('rerates').count('* as n').first()).n), 0)
    assert.equal(
      Number((await db.from('usage_records').where('id', france).first()).price_e4),
      2400
    )

    // The France rate is fixed, and a more specific Paris prefix is added: one record changes rate, the UK one stays
    await db
      .from('rates')
      .where('tariff_id', tariff)
      .where('prefix', '33')
      .update({ peak_micros: 150000 })
    const summary = await rerate(
      { customerIds: [customer.id], period: '2026-10', reason: 'France peak rate corrected' },
      user.id
    )
    assert.equal(summary.changed, 1)

    const [list] = await rerateList({ customerId: customer.id })
    assert.equal(list.reason, 'France peak rate corrected')
    assert.equal(list.changed, 1)
    assert.equal(list.delta, '£0.06')

    const data = (await rerateChanges(list.id))!
    assert.lengthOf(data.changes, 1)
    const c = data.changes[0]
    assert.equal(c.usageRecordId, france)
    assert.equal(c.oldPrice, '£0.24 (0.2400)')
    assert.equal(c.newPrice, '£0.30 (0.3000)')
    assert.equal(c.oldRate, 'France (+33)')
    assert.equal(c.newRate, 'France (+33)')
    assert.equal(c.oldBand, 'peak')
    assert.equal(c.newBand, 'peak')
    assert.equal(c.reason, 'price')
    assert.notEqual(c.usageRecordId, uk)

    // filters: destination and reason
    assert.lengthOf((await rerateChanges(list.id, { destination: 'fran' }))!.changes, 1)
    assert.lengthOf((await rerateChanges(list.id, { destination: 'Germany' }))!.changes, 0)
    assert.lengthOf((await rerateChanges(list.id, { reason: 'rate' }))!.changes, 0)
    const csv = rerateCsv(data)
    assert.match(
      csv.split('\r\n')[0],
      /^record_id,occurred_at_utc,identifier,destination,category,old_price,new_price/
    )
    assert.include(csv, 'Same rate, new price (deck value changed)')

    // A second identical re-rate changes nothing and records nothing
    await rerate({ customerIds: [customer.id], period: '2026-10', reason: 'again' }, user.id)
    assert.equal(Number((await db.from('rerates').count('* as n').first()).n), 1)
  })

  test('a record that loses its rate is kept as "now unrated", and the what-changed page and CSV answer', async ({
    assert,
    client,
  }) => {
    const customer = await makeCustomer()
    const user = await makeUser('viewer')
    const tariff = await makeTariff('Shrinking')
    await addRate(tariff, {
      prefix: '49',
      category: 'international',
      destination: 'Germany',
      micros: 90000,
    })
    await putOnTariff(customer.id, tariff)
    await addUsage(customer.id, {
      at: '2026-10-17T12:00:00Z',
      destination: '4930123456',
      durationS: 60,
      category: 'international',
    })
    await rateUsage({ customerId: customer.id, period: '2026-10' })
    await db.from('rates').where('tariff_id', tariff).delete()
    await rerate({ tariffId: tariff, reason: 'Germany withdrawn' })
    const id = Number((await db.from('rerates').first()).id)
    const change = await db.from('rerate_changes').where('rerate_id', id).first()
    assert.equal(change.reason, 'unrated')
    assert.equal(change.old_band, 'weekend')
    assert.isNull(change.new_price_e4)
    assert.equal(Number(change.old_price_e4), 900)

    const page = await client.get(`/rerates/${id}?reason=unrated`).withInertia().loginAs(user)
    page.assertStatus(200)
    page.assertInertiaComponent('rerates/show')
    assert.lengthOf(page.inertiaProps.changes, 1)
    const csv = await client.get(`/rerates/${id}?format=csv`).loginAs(user)
    csv.assertStatus(200)
    assert.include(csv.text(), 'Now unrated (was priced)')
  })
})
