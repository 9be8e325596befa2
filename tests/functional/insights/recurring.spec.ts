import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import RecurringCharge from '#models/recurring_charge'
import { refreshRecurringRollups, refreshRollups, rebuildRollups } from '#consolidation/rollups'
import { recurringForMonth } from '#rating/recurring'
import { setMiAddon } from '#insights/mi_addon'
import { e4ToMinor } from '#lib/money'
import { addRecords, seedCustomer } from './seed.js'

/**
 * The insights' monthly figures include recurring charges (licences …) as the invoice for the month
 * bills them, pro-rata by days, through recurring_rollups, kept fresh by the write paths. These
 * customers bill recurring charges in arrears, so month M holds M's charges; advance billing (M holds
 * M + 1's) is covered in money_model.spec.ts.
 */

const MONTHS = ['2026-02', '2026-03', '2026-04']
const ALICE_LICENCE = {
  quantity: 1,
  unitPriceE4: 200_000,
  startsOn: '2026-01-01',
  endsOn: null as string | null,
} // £20.00 a month
const BOB_LICENCE = {
  quantity: 2,
  unitPriceE4: 105_000,
  startsOn: '2026-03-16',
  endsOn: null as string | null,
} // 2 × £10.50 from 16 March
const minor = (charge: typeof ALICE_LICENCE, month: string) =>
  e4ToMinor(recurringForMonth(charge, month).amountE4)

/** Usage (Alice £100 calls, Bob £50 calls a month), an Alice licence all along and a Bob licence from 16 March. */
async function seedWithLicences(attrs: Record<string, any> = {}) {
  const s = await seedCustomer({ recurringBilling: 'arrears', ...attrs } as any)
  await addRecords(
    s.customer,
    MONTHS.flatMap((period) => [
      { period, employee: s.alice, category: 'calls', pounds: 100 },
      { period, employee: s.bob, category: 'calls', pounds: 50 },
    ])
  )
  await refreshRollups(s.customer.id, MONTHS)
  const licence = (employeeId: number, c: typeof ALICE_LICENCE, ref: string) =>
    RecurringCharge.create({
      customerId: s.customer.id,
      employeeId,
      serviceId: null,
      description: 'Microsoft 365 E3',
      category: 'licence',
      quantity: c.quantity,
      unitPriceE4: c.unitPriceE4,
      unitCostE4: 150_000,
      startsOn: DateTime.fromISO(c.startsOn),
      endsOn: null,
      origin: 'm365',
      externalRef: ref,
    })
  const aliceCharge = await licence(s.alice.id, ALICE_LICENCE, `sku:${s.customer.id}:alice`)
  const bobCharge = await licence(s.bob.id, BOB_LICENCE, `sku:${s.customer.id}:bob`)
  await refreshRecurringRollups(s.customer.id, [ALICE_LICENCE.startsOn, BOB_LICENCE.startsOn])
  return { ...s, aliceCharge, bobCharge }
}

test.group('insights include recurring charges', (group) => {
  group.each.setup(() => truncateAll())

  test('trend, totals, categories, departments, top spenders and employee trend include licences, pro-rata, exactly', async ({
    client,
    assert,
  }) => {
    const s = await seedWithLicences()
    const bobMarch = minor(BOB_LICENCE, '2026-03')
    assert.equal(bobMarch, 1084) // 2 × £10.50 × 16/31 = £10.8387… → £10.84
    const bobApril = minor(BOB_LICENCE, '2026-04')
    assert.equal(bobApril, 2100)
    const user = await makeUser('viewer')
    const response = await client
      .get(`/customers/${s.customer.id}/insights?from=2026-02&to=2026-04`)
      .withInertia()
      .loginAs(user)
    response.assertStatus(200)
    const { data } = response.inertiaProps

    assert.deepEqual(
      data.trend.map((t: any) => [
        t.period,
        t.usageMinor,
        t.recurringMinor,
        t.amountMinor,
        t.records,
      ]),
      [
        ['2026-02', 15000, 2000, 17000, 2],
        ['2026-03', 15000, 2000 + bobMarch, 17000 + bobMarch, 2],
        ['2026-04', 15000, 2000 + bobApril, 17000 + bobApril, 2],
      ]
    )
    const recurringTotal = 6000 + bobMarch + bobApril
    assert.deepEqual(
      [
        data.totals.amountMinor,
        data.totals.usageMinor,
        data.totals.recurringMinor,
        data.totals.records,
      ],
      [45000 + recurringTotal, 45000, recurringTotal, 6]
    )
    const april = data.mom.find((m: any) => m.period === '2026-04')
    assert.equal(april.changeMinor, bobApril - bobMarch)

    assert.deepEqual(
      data.byCategory.map((c: any) => [
        c.category,
        c.usageMinor,
        c.recurringMinor,
        c.amountMinor,
        c.records,
      ]),
      [
        ['calls', 45000, 0, 45000, 6],
        ['licence', 0, recurringTotal, recurringTotal, 0],
      ]
    )
    assert.deepEqual(
      data.byDepartment.map((d: any) => [
        d.department,
        d.usageMinor,
        d.recurringMinor,
        d.amountMinor,
      ]),
      [
        ['Sales', 30000, 6000, 36000],
        ['Operations', 15000, bobMarch + bobApril, 15000 + bobMarch + bobApril],
      ]
    )
    assert.deepEqual(
      data.topSpenders.map((e: any) => [e.name, e.usageMinor, e.recurringMinor, e.amountMinor]),
      [
        ['Alice Able', 30000, 6000, 36000],
        ['Bob Baker', 15000, bobMarch + bobApril, 15000 + bobMarch + bobApril],
      ]
    )
    assert.deepEqual(
      data.employeeTrend.map((e: any) => [e.name, e.months]),
      [
        ['Alice Able', [12000, 12000, 12000]],
        ['Bob Baker', [5000, 5000 + bobMarch, 5000 + bobApril]],
      ]
    )

    // The employee page: months include the licence; records stay usage-only.
    const bob = await client
      .get(
        `/customers/${s.customer.id}/insights/employees/${s.bob.id}?from=2026-02&to=2026-04&period=2026-03`
      )
      .withInertia()
      .loginAs(user)
    const detail = bob.inertiaProps.detail
    assert.deepEqual(
      detail.trend.map((t: any) => t.amountMinor),
      [5000, 5000 + bobMarch, 5000 + bobApril]
    )
    assert.deepEqual(detail.trend[1].byCategory, { calls: 5000, licence: bobMarch })
    assert.deepInclude(detail.lines, {
      period: '2026-03',
      category: 'licence',
      kind: 'recurring',
      records: 0,
      durationS: 0,
      volumeBytes: 0,
      amountMinor: bobMarch,
    })
    assert.equal(detail.recurringMinor, bobMarch + bobApril)
    assert.equal(bob.inertiaProps.records.meta.total, 1)
    assert.isTrue(bob.inertiaProps.records.data.every((r: any) => r.category === 'calls'))

    // Drill-down by category lists the licence holders; by month includes the licences.
    const byLicence = await client
      .get(
        `/customers/${s.customer.id}/insights/employees?from=2026-02&to=2026-04&category=licence`
      )
      .withInertia()
      .loginAs(user)
    assert.deepEqual(
      byLicence.inertiaProps.rows.map((r: any) => [r.name, r.amountMinor]),
      [
        ['Alice Able', 6000],
        ['Bob Baker', bobMarch + bobApril],
      ]
    )
    assert.include(byLicence.inertiaProps.categories, 'licence')
    const march = await client
      .get(`/customers/${s.customer.id}/insights/employees?from=2026-02&to=2026-04&period=2026-03`)
      .withInertia()
      .loginAs(user)
    assert.equal(march.inertiaProps.totalMinor, 17000 + bobMarch)

    // Exports carry the same split.
    const trendCsv = await client
      .get(`/customers/${s.customer.id}/insights?from=2026-02&to=2026-04&format=csv`)
      .loginAs(user)
    const lines = trendCsv.text().trim().split('\r\n')
    assert.equal(lines[0], 'Month,Amount,Usage,Recurring charges,Records')
    assert.equal(lines[2], '2026-03,180.84,150.00,30.84,2')
    const deptCsv = await client
      .get(
        `/customers/${s.customer.id}/insights?from=2026-02&to=2026-04&format=csv&table=department`
      )
      .loginAs(user)
    assert.include(deptCsv.text(), 'Sales,360.00,300.00,60.00,3,')
  })

  test('ending a charge changes the following months once the refresh runs; the MI add-on counts from its first day', async ({
    client,
    assert,
  }) => {
    const s = await seedWithLicences()
    const user = await makeUser('viewer')
    const url = `/customers/${s.customer.id}/insights?from=2026-02&to=2026-04`
    const before = (await client.get(url).withInertia().loginAs(user)).inertiaProps.data
    assert.deepEqual(before.employeeTrend[0].months, [12000, 12000, 12000])

    // Alice's licence ends on 10 March (both days included): March pro-rata, April nothing.
    s.aliceCharge.endsOn = DateTime.fromISO('2026-03-10')
    await s.aliceCharge.save()
    await refreshRecurringRollups(s.customer.id, [s.aliceCharge.startsOn])
    const aliceMarch = e4ToMinor(
      recurringForMonth({ ...ALICE_LICENCE, endsOn: '2026-03-10' }, '2026-03').amountE4
    )
    assert.equal(aliceMarch, 645) // £20 × 10/31 = £6.4516 → £6.45
    const after = (await client.get(url).withInertia().loginAs(user)).inertiaProps.data
    assert.deepEqual(after.employeeTrend.find((e: any) => e.name === 'Alice Able').months, [
      12000,
      10000 + aliceMarch,
      10000,
    ])
    assert.deepEqual(
      after.byDepartment.find((d: any) => d.department === 'Sales'),
      {
        ...before.byDepartment.find((d: any) => d.department === 'Sales'),
        recurringMinor: 2000 + aliceMarch,
        amountMinor: 30000 + 2000 + aliceMarch,
        sharePct: after.byDepartment.find((d: any) => d.department === 'Sales').sharePct,
      }
    )
    const later = await db
      .from('recurring_rollups')
      .where('customer_id', s.customer.id)
      .where('employee_id', s.alice.id)
      .where('period', '>', '2026-03')
      .count('* as n')
    assert.equal(Number(later[0].n), 0)

    // The MI add-on (a write path of its own) from 16 April: £50 × 15/30, nobody's charge.
    await setMiAddon(
      s.customer.id,
      true,
      null,
      DateTime.fromISO('2026-04-16T10:00:00Z', { zone: 'utc' }) as DateTime<true>
    )
    const withAddon = (await client.get(url).withInertia().loginAs(user)).inertiaProps.data
    const april = withAddon.trend.find((t: any) => t.period === '2026-04')
    const aprilBefore = after.trend.find((t: any) => t.period === '2026-04')
    assert.equal(april.recurringMinor - aprilBefore.recurringMinor, 2500)
    assert.deepInclude(
      withAddon.byCategory.map((c: any) => [c.category, c.amountMinor]),
      ['mi_addon', 2500]
    )

    // A rebuild from scratch gives the same recurring rollups.
    const snapshot = async () =>
      (
        await db
          .from('recurring_rollups')
          .where('customer_id', s.customer.id)
          .orderBy(['period', 'employee_id', 'category'])
          .select(
            'period',
            'department_id',
            'employee_id',
            'category',
            'charge_count',
            'price_e4',
            'cost_e4'
          )
      ).map((r: any) => ({ ...r, price_e4: Number(r.price_e4), cost_e4: Number(r.cost_e4) }))
    const refreshed = await snapshot()
    await db.from('recurring_rollups').delete()
    await rebuildRollups()
    assert.deepEqual(await snapshot(), refreshed)
  })

  test('a department move takes the licence along; the portal of another customer never sees it', async ({
    client,
    assert,
  }) => {
    const a = await seedWithLicences({ miAddon: true, name: 'Alpha Ltd' })
    const b = await seedCustomer({ miAddon: true, name: 'Bravo Ltd' })
    await addRecords(b.customer, [
      { period: '2026-03', employee: b.alice, category: 'calls', pounds: 7 },
    ])
    await refreshRollups(b.customer.id, ['2026-03'])

    // Bob moves to Sales through the employee form: his licence follows in the department breakdown.
    const admin = await makeUser('admin')
    const saved = await client
      .put(`/employees/${a.bob.id}`)
      .form({
        name: 'Bob Baker',
        email: 'bob@a.example',
        employeeNumber: 'E2',
        departmentId: a.sales.id,
        active: true,
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    saved.assertStatus(302)
    const moved = await db
      .from('recurring_rollups')
      .where('employee_id', a.bob.id)
      .distinct('department_id')
    assert.deepEqual(
      moved.map((r: any) => Number(r.department_id)),
      [a.sales.id]
    )

    const portalA = await makeUser('portal', { customerId: a.customer.id })
    const mine = await client.get('/portal?from=2026-02&to=2026-04').withInertia().loginAs(portalA)
    mine.assertStatus(200)
    assert.equal(
      mine.inertiaProps.data.totals.recurringMinor,
      6000 + minor(BOB_LICENCE, '2026-03') + minor(BOB_LICENCE, '2026-04')
    )

    const portalB = await makeUser('portal', { customerId: b.customer.id })
    const theirs = await client
      .get('/portal?from=2026-02&to=2026-04')
      .withInertia()
      .loginAs(portalB)
    theirs.assertStatus(200)
    const data = theirs.inertiaProps.data
    assert.deepEqual(
      [data.totals.amountMinor, data.totals.usageMinor, data.totals.recurringMinor],
      [700, 700, 0]
    )
    assert.notInclude(
      data.byCategory.map((c: any) => c.category),
      'licence'
    )
    const cross = await client.get(`/portal/employees/${a.bob.id}`).withInertia().loginAs(portalB)
    cross.assertStatus(404)
    const csv = await client
      .get('/portal?from=2026-02&to=2026-04&format=csv&table=category')
      .loginAs(portalB)
    assert.notInclude(csv.text(), 'licence')
  })
})
