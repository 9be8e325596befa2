import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import db from '@adonisjs/lucid/services/db'
import { rateUsage } from '#rating/rate_usage'
import { importDeck } from '#rating/tariffs'
import { rerateAndRefresh } from '#consolidation/usage_pipeline'
import { makeCustomer, addRate, makeTariff, putOnTariff } from '#tests/helpers/factories'
import { addUsage, record, writeCsv } from './support.js'

async function standardTariff() {
  const tariffId = await makeTariff('Standard', 1000)
  await addRate(tariffId, {
    prefix: '44',
    category: 'national',
    destination: 'UK',
    micros: [600_000, 300_000, 60_000],
    connection: 100_000,
  })
  await addRate(tariffId, {
    prefix: '447',
    category: 'mobile',
    destination: 'UK mobile',
    micros: 1_200_000,
    increments: [1, 1],
  })
  await addRate(tariffId, { prefix: '', category: 'data', destination: 'Data', micros: 1_024_000 })
  await addRate(tariffId, { prefix: '', category: 'sms', destination: 'SMS', micros: 50_000 })
  await db.table('allowances').insert({
    tariff_id: tariffId,
    name: '2 UK minutes',
    categories: 'national',
    unit: 'seconds',
    quantity: 120,
    scope: 'service',
    created_at: '2026-01-01 00:00:00',
  })
  return tariffId
}

test.group('rating | rateUsage', (group) => {
  group.each.setup(() => truncateAll())

  test('prices unbilled records by the rules, in start-time order, and is idempotent', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const tariffId = await standardTariff()
    await putOnTariff(customer.id, tariffId)
    // Inserted out of order: the allowance must go to the earlier call.
    const straddling = await addUsage(customer.id, {
      at: '2026-01-05T11:00:00Z',
      destination: '+442071234567',
      durationS: 90,
    })
    const first = await addUsage(customer.id, {
      at: '2026-01-05T10:00:00Z',
      destination: '+442071234567',
      durationS: 60,
    })
    const mobile = await addUsage(customer.id, {
      at: '2026-01-05T12:00:00Z',
      destination: '+447700900123',
      durationS: 30,
    })
    const marked = await addUsage(customer.id, {
      at: '2026-01-05T13:00:00Z',
      destination: '+33123456789',
      durationS: 60,
      costE4: 5000,
    })
    const unrated = await addUsage(customer.id, {
      at: '2026-01-05T14:00:00Z',
      destination: '+33123456789',
      durationS: 60,
    })
    const data = await addUsage(customer.id, {
      at: '2026-01-06T09:00:00Z',
      category: 'data',
      volumeBytes: 1_048_576,
    })
    const sms = await addUsage(customer.id, {
      at: '2026-01-06T09:30:00Z',
      category: 'sms',
      destination: '+447700900123',
      quantity: 3,
    })
    const storage = await addUsage(customer.id, {
      at: '2026-01-06T09:30:00Z',
      category: 'storage',
      volumeBytes: 5e9,
    })
    const invoiced = await addUsage(customer.id, {
      at: '2026-01-05T09:00:00Z',
      destination: '+442071234567',
      durationS: 60,
      invoiceId: 99,
      priceE4: 1234,
    })

    const summary = await rateUsage({ customerId: customer.id, period: '2026-01' })
    assert.deepEqual(summary, {
      records: 8,
      rated: 7,
      unrated: 1,
      changed: 8,
      oldTotalE4: 0,
      newTotalE4: 0 + 6000 + 6000 + 5500 + 10_240 + 1500,
    })

    const r1 = await record(first)
    assert.deepInclude(r1, {
      price_e4: 0,
      allowance_used: 60,
      rating_status: 'rated',
      category: 'national',
      destination_name: 'UK',
      tariff_id: tariffId,
    })
    const r2 = await record(straddling)
    assert.deepInclude(r2, { price_e4: 6000, allowance_used: 60, rating_status: 'rated' }) // 60 s outside, no connection
    assert.deepInclude(await record(mobile), {
      price_e4: 6000,
      category: 'mobile',
      allowance_used: 0,
    })
    assert.deepInclude(await record(marked), {
      price_e4: 5500,
      rating_status: 'markup',
      rate_id: null,
    })
    assert.deepInclude(await record(unrated), {
      price_e4: null,
      rating_status: 'unrated',
      unrated_reason: 'no rate for destination',
    })
    assert.deepInclude(await record(data), { price_e4: 10_240, category: 'data' })
    assert.deepInclude(await record(sms), { price_e4: 1500 })
    assert.deepInclude(await record(storage), {
      price_e4: 0,
      rating_status: 'rated',
      unrated_reason: null,
    })
    assert.deepInclude(await record(invoiced), {
      price_e4: 1234,
      rating_status: 'pending',
      tariff_id: null,
    })

    const again = await rateUsage({ customerId: customer.id, period: '2026-01' })
    assert.equal(again.changed, 0)
    assert.equal(again.newTotalE4, again.oldTotalE4)
    assert.equal(again.newTotalE4, summary.newTotalE4)
  })

  test('invoiced records keep their allowance use; records of a customer without a tariff stay unrated', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const tariffId = await standardTariff()
    await putOnTariff(customer.id, tariffId)
    const invoicedId = await addUsage(customer.id, {
      at: '2026-01-05T09:00:00Z',
      destination: '+442071234567',
      durationS: 100,
      invoiceId: 7,
      priceE4: 0,
    })
    await db
      .from('usage_records')
      .where('id', invoicedId)
      .update({ allowance_used: 100, tariff_id: tariffId, category: 'national' })
    const later = await addUsage(customer.id, {
      at: '2026-01-05T10:00:00Z',
      destination: '+442071234567',
      durationS: 60,
    })
    await rateUsage({ customerId: customer.id, period: '2026-01' })
    // 20 s of allowance left: 40 s charged at 0.60/min = 0.40
    assert.deepInclude(await record(later), { allowance_used: 20, price_e4: 4000 })

    const orphan = await makeCustomer()
    const id = await addUsage(orphan.id, {
      at: '2026-01-05T10:00:00Z',
      destination: '+442071234567',
      durationS: 60,
      costE4: 100,
    })
    const summary = await rateUsage({ customerId: orphan.id })
    assert.equal(summary.unrated, 1)
    assert.deepInclude(await record(id), {
      rating_status: 'unrated',
      unrated_reason: 'customer has no tariff',
      price_e4: null,
    })
  })

  test('a tariff change mid-month applies from its date in the customer time zone', async ({
    assert,
  }) => {
    const customer = await makeCustomer({ timeZone: 'Europe/London' })
    const cheap = await makeTariff('Cheap')
    const dear = await makeTariff('Dear')
    await addRate(cheap, { prefix: '44', category: 'national', micros: 60_000 })
    await addRate(dear, { prefix: '44', category: 'national', micros: 120_000 })
    await putOnTariff(customer.id, cheap, '2026-01-01', '2026-07-15')
    await putOnTariff(customer.id, dear, '2026-07-15')
    const before = await addUsage(customer.id, {
      at: '2026-07-14T22:59:59Z',
      destination: '+442071234567',
      durationS: 60,
    })
    const after = await addUsage(customer.id, {
      at: '2026-07-14T23:00:00Z',
      destination: '+442071234567',
      durationS: 60,
      period: '2026-07',
    })
    await rateUsage({ customerId: customer.id, recordIds: [before, after] })
    assert.deepInclude(await record(before), { tariff_id: cheap, price_e4: 600 })
    assert.deepInclude(await record(after), { tariff_id: dear, price_e4: 1200 })
  })

  test('re-rating after a rate change reports the differences and touches unbilled records only', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const csv = await writeCsv(
      'v1.csv',
      'prefix,destination,category,peak,offpeak,weekend,connection,minimum,increments,effective_from\n' +
        '44,UK,national,0.60,0.30,0.06,0,0,60/60,2026-01-01\n447,UK mobile,mobile,1.20,1.20,1.20,0,0,1/1,2026-01-01\n'
    )
    const { tariff_id: tariffId } = await importDeck({ path: csv, tariffName: 'Rerate' })
    await putOnTariff(customer.id, tariffId)
    const mobile = await addUsage(customer.id, {
      at: '2026-01-05T12:00:00Z',
      destination: '+447700900123',
      durationS: 30,
    })
    const uk = await addUsage(customer.id, {
      at: '2026-01-05T12:00:00Z',
      destination: '+442071234567',
      durationS: 60,
    })
    const billed = await addUsage(customer.id, {
      at: '2026-01-05T12:30:00Z',
      destination: '+447700900123',
      durationS: 30,
      invoiceId: 3,
      priceE4: 6000,
    })
    await rateUsage({ customerId: customer.id })
    assert.equal((await record(mobile)).price_e4, 6000)

    const v2 = await writeCsv(
      'v2.csv',
      'prefix,destination,category,peak,offpeak,weekend,increments,effective_from\n447,UK mobile,mobile,0.60,0.60,0.60,1/1,2026-01-01\n'
    )
    const imported = await importDeck({ path: v2, tariffId })
    assert.deepEqual([imported.inserted, imported.updated], [0, 1])
    const summary = await rerateAndRefresh({ tariffId })
    assert.deepInclude(summary, { records: 2, changed: 1, oldTotalE4: 12_000, newTotalE4: 9000 })
    assert.equal(summary.customers[0].customerId, customer.id)
    assert.equal((await record(mobile)).price_e4, 3000)
    assert.equal((await record(uk)).price_e4, 6000)
    assert.equal((await record(billed)).price_e4, 6000)
    const log = await db.from('audit_logs').where('action', 'rating.rerated').first()
    assert.exists(log)
  })
})
