import { test } from '@japa/runner'
import ExcelJS from 'exceljs'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { refreshRecurringRollups, refreshRollups } from '#consolidation/rollups'
import { e4ToMinor } from '#lib/money'
import { marginOf } from '#insights/margin'
import { seedCustomer, binaryResponses } from './seed.js'

/**
 * Margin in admin MI (issue 11 item 6 / issue 12): sell − supplier cost per month, customer,
 * category and destination from the rollups; records without a supplier cost are counted apart
 * and never read as 100 % margin; staff only.
 */

let seq = 0
async function record(
  customerId: number,
  period: string,
  category: string,
  destinationName: string | null,
  priceE4: number,
  costE4: number | null
) {
  await db.table('usage_records').insert({
    customer_id: customerId,
    source: 'test:margin',
    dedupe_key: `margin-${Date.now()}-${seq++}`,
    identifier: '+447700900123',
    occurred_at: `${period}-10 09:00:00`,
    period,
    category,
    destination_name: destinationName,
    destination: destinationName ? '33' : null,
    duration_s: 60,
    volume_bytes: 0,
    quantity: 1,
    cost_e4: costE4,
    price_e4: priceE4,
    rating_status: 'rated',
  })
}

async function seedMargin() {
  const a = await seedCustomer()
  const b = await seedCustomer()
  // A: France calls £10.0050 sold for £6.0030 cost; a PBX call with no cost £2.50; data £4 at £1 cost.
  await record(a.customer.id, '2026-09', 'international', 'France', 100_050, 60_030)
  await record(a.customer.id, '2026-09', 'international', 'France', 25_000, null)
  await record(a.customer.id, '2026-10', 'data', null, 40_000, 10_000)
  // B: a loss-making USA call: £1 sold for £1.50.
  await record(b.customer.id, '2026-10', 'international', 'USA', 10_000, 15_000)
  await db.table('recurring_charges').insert({
    customer_id: a.customer.id,
    employee_id: a.alice.id,
    service_id: null,
    description: 'Microsoft 365 E3',
    category: 'licence',
    quantity: 1,
    unit_price_e4: 200_000,
    unit_cost_e4: 150_000,
    starts_on: '2026-09-01',
    ends_on: '2026-10-31',
    origin: 'manual',
    created_at: '2026-09-01 00:00:00',
  })
  for (const c of [a, b]) await refreshRollups(c.customer.id, ['2026-09', '2026-10'])
  await refreshRecurringRollups(a.customer.id)
  return { a, b }
}

test.group('margin in admin MI', (group) => {
  group.each.setup(() => truncateAll())
  binaryResponses(group)

  test('marginOf leaves records without cost out of margin and margin % (pure)', ({ assert }) => {
    assert.deepEqual(
      marginOf({ sell: 125_050, cost: 60_030, uncostedCount: 1, uncostedSell: 25_000 }),
      {
        sellMinor: 1251,
        costMinor: 600,
        marginMinor: 400,
        marginPct: 40,
        uncostedRecords: 1,
        uncostedSellMinor: 250,
      }
    )
    // Nothing costed: no margin %, never 100 %.
    assert.isNull(
      marginOf({ sell: 25_000, cost: 0, uncostedCount: 1, uncostedSell: 25_000 }).marginPct
    )
  })

  test('per month, customer, category and destination, with records without cost apart', async ({
    client,
    assert,
  }) => {
    const { a, b } = await seedMargin()
    const user = await makeUser('viewer')
    const res = await client
      .get('/insights/margin?from=2026-09&to=2026-10')
      .withInertia()
      .loginAs(user)
    res.assertStatus(200)
    res.assertInertiaComponent('insights/margin')
    const report = res.inertiaProps.report
    // Sell: 10.005 + 2.50 + 4 + 1 + licence 20 + 20 = 57.505 → 57.51; cost 6.003 + 1 + 1.5 + 15 + 15 = 38.503 → 38.50.
    assert.equal(report.totals.sellMinor, e4ToMinor(100_050 + 25_000 + 40_000 + 10_000 + 400_000))
    assert.equal(report.totals.costMinor, e4ToMinor(60_030 + 10_000 + 15_000 + 300_000))
    assert.equal(
      report.totals.marginMinor,
      e4ToMinor(100_050 + 40_000 + 10_000 + 400_000 - (60_030 + 10_000 + 15_000 + 300_000))
    )
    assert.equal(report.totals.uncostedRecords, 1)
    assert.equal(report.totals.uncostedSellMinor, 250)

    const france = report.byDestination.find((d: any) => d.destination === 'France')
    assert.deepInclude(france, {
      records: 2,
      sellMinor: 1251,
      costMinor: 600,
      marginMinor: 400,
      marginPct: 40,
      uncostedRecords: 1,
      uncostedSellMinor: 250,
    })
    const usa = report.byDestination.find((d: any) => d.destination === 'USA')
    assert.deepInclude(usa, { marginMinor: -50, marginPct: -50 })
    assert.deepEqual(
      report.byCustomer.map((c: any) => [c.customerId, c.marginMinor]),
      [
        [a.customer.id, e4ToMinor(100_050 - 60_030 + 30_000 + 100_000)],
        [b.customer.id, -50],
      ]
    )
    assert.deepEqual(
      report.byMonth.map((m: any) => m.period),
      ['2026-09', '2026-10']
    )
    assert.equal(report.byCategory.find((c: any) => c.category === 'licence').marginMinor, 1000)

    // One customer only.
    const one = await client
      .get(`/insights/margin?from=2026-09&to=2026-10&customerId=${b.customer.id}`)
      .withInertia()
      .loginAs(user)
    assert.equal(one.inertiaProps.report.totals.marginMinor, -50)
    assert.lengthOf(one.inertiaProps.report.byCustomer, 1)
  })

  test('CSV and XLSX exports hold the chosen range and customer', async ({ client, assert }) => {
    const { b } = await seedMargin()
    const user = await makeUser('billing')
    const csv = await client
      .get(
        `/insights/margin?from=2026-10&to=2026-10&customerId=${b.customer.id}&format=csv&table=destination`
      )
      .loginAs(user)
    csv.assertStatus(200)
    const lines = csv.text().trim().split('\r\n')
    assert.equal(
      lines[0],
      'Destination,Records,Sell,Supplier cost,Margin,Margin %,Records without cost,Sell without cost'
    )
    assert.deepEqual(lines.slice(1), ['USA,1,1.00,1.50,-0.50,-50,0,0.00'])
    const months = await client
      .get('/insights/margin?from=2026-10&to=2026-10&format=csv')
      .loginAs(user)
    assert.deepEqual(
      months
        .text()
        .trim()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
      ['2026-10']
    )

    const xlsx = await client
      .get('/insights/margin?from=2026-09&to=2026-10&format=xlsx')
      .loginAs(user)
    xlsx.assertStatus(200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.body() as any)
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      ['Margin by month', 'Margin by customer', 'Margin by category', 'Margin by destination']
    )
    assert.equal(workbook.getWorksheet('Margin by month')!.rowCount, 3)
  })

  test('a portal user cannot reach margin (404), nor anything that carries supplier cost', async ({
    client,
    assert,
  }) => {
    const { a } = await seedMargin()
    const portal = await makeUser('portal', { customerId: a.customer.id })
    const res = await client.get('/insights/margin').withInertia().loginAs(portal)
    assert.equal(res.status(), 404)
    const csv = await client.get('/insights/margin?format=csv').loginAs(portal)
    assert.equal(csv.status(), 404)
    // The portal's own dashboard carries no margin figures.
    await db.from('customers').where('id', a.customer.id).update({ mi_addon: true })
    const dash = await client.get('/portal?from=2026-09&to=2026-10').withInertia().loginAs(portal)
    dash.assertStatus(200)
    assert.notInclude(JSON.stringify(dash.inertiaProps), 'marginMinor')
    assert.notInclude(JSON.stringify(dash.inertiaProps), 'costMinor')
  })
})
