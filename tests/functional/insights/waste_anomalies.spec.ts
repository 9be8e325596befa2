import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { pdfText } from '#tests/helpers/smtp_peer'
import RecurringCharge from '#models/recurring_charge'
import Customer from '#models/customer'
import AuditLog from '#models/audit_log'
import { findAnomalies } from '#insights/anomalies'
import { unusedLicences } from '#insights/waste'
import { binaryResponses, addRecords, addRollups, seedCustomer, seedFourMonths } from './seed.js'

async function m365User(customerId: number, employeeId: number, upn: string) {
  const [serviceId] = await db.table('services').insert({
    customer_id: customerId,
    kind: 'm365_user',
    identifier: upn,
    created_at: '2026-01-01 00:00:00',
  })
  await db.table('assignments').insert({
    service_id: serviceId,
    employee_id: employeeId,
    starts_at: '2025-01-01 00:00:00',
    created_at: '2026-01-01 00:00:00',
  })
  return Number(serviceId)
}

test.group('insights: unused licences', (group) => {
  group.each.setup(() => truncateAll())

  test('licences of users without 30 days of activity are waste; the saving is their monthly cost', async ({
    client,
    assert,
  }) => {
    const s = await seedCustomer()
    await m365User(s.customer.id, s.alice.id, 'alice@a.example')
    await m365User(s.customer.id, s.bob.id, 'bob@a.example')
    const carolService = await m365User(s.customer.id, s.carol.id, 'carol@a.example')
    const licence = (
      employeeId: number,
      description: string,
      priceE4: number,
      extra: Record<string, any> = {}
    ) => ({
      customer_id: s.customer.id,
      employee_id: employeeId,
      description,
      category: 'licence',
      quantity: 1,
      unit_price_e4: priceE4,
      unit_cost_e4: 0,
      starts_on: '2025-06-01',
      ends_on: null,
      origin: 'm365',
      created_at: '2026-01-01 00:00:00',
      ...extra,
    })
    await db.table('recurring_charges').multiInsert([
      licence(s.alice.id, 'Microsoft 365 E3', 312_000),
      licence(s.bob.id, 'Microsoft 365 E3', 312_000),
      licence(s.bob.id, 'Visio Plan 2', 118_000),
      licence(s.carol.id, 'Microsoft 365 Business Basic', 48_000, { service_id: carolService }),
      // ended: not counted
      licence(s.alice.id, 'Project Plan 3', 248_000, { ends_on: '2025-12-31' }),
    ])
    const at = (upn: string, last: string | null) => ({
      customer_id: s.customer.id,
      upn,
      concealed: false,
      report_refresh_date: '2026-11-20',
      last_activity_date: last,
      active_products: last ? 'Exchange,Teams' : null,
      created_at: '2026-11-21 00:00:00',
    })
    await db.table('m365_activity').multiInsert([
      at('alice@a.example', '2026-11-18'), // active
      at('bob@a.example', '2026-10-01'), // 50 days idle
      at('carol@a.example', null), // never active
    ])
    const waste = await unusedLicences(s.customer.id, DateTime.fromISO('2026-11-25'))
    assert.deepEqual(
      waste.licences.map((l) => [l.employeeName, l.licence, l.monthlyCostMinor, l.daysInactive]),
      [
        ['Bob Baker', 'Microsoft 365 E3', 3120, 50],
        ['Bob Baker', 'Visio Plan 2', 1180, 50],
        ['Carol Cole', 'Microsoft 365 Business Basic', 480, null],
      ]
    )
    assert.equal(waste.monthlySavingMinor, 4780)
    assert.equal(waste.annualSavingMinor, 57360)
    assert.equal(waste.licencesChecked, 4)
    assert.isFalse(waste.concealed)

    const page = await client
      .get(`/customers/${s.customer.id}/insights/waste`)
      .withInertia()
      .loginAs(await makeUser('viewer'))
    page.assertStatus(200)
    assert.equal(page.inertiaProps.waste.monthlySavingMinor, 4780)
    const csv = await client
      .get(`/customers/${s.customer.id}/insights/waste?format=csv`)
      .loginAs(await makeUser('viewer'))
    assert.include(
      csv.text(),
      'Bob Baker,Operations,bob@a.example,Microsoft 365 E3,1,2026-10-01,50,31.20'
    )
  })

  test('concealed reports are flagged', async ({ assert }) => {
    const s = await seedCustomer()
    await db.table('m365_activity').insert({
      customer_id: s.customer.id,
      upn: 'a1b2c3d4e5',
      concealed: true,
      report_refresh_date: '2026-11-20',
      created_at: '2026-11-21 00:00:00',
    })
    const waste = await unusedLicences(s.customer.id)
    assert.isTrue(waste.concealed)
  })
})

test.group('insights: anomalies', (group) => {
  group.each.setup(() => truncateAll())

  test('employee spikes, roaming spikes and new high-cost destinations', async ({
    client,
    assert,
  }) => {
    const s = await seedCustomer()
    await seedFourMonths(s)
    // Carol roams a little every month: 10, 10, 10 then 25 (> 2× average but not above £25) → no roaming spike.
    await addRollups(s.customer, [
      ...['2026-01', '2026-02', '2026-03'].map((period) => ({
        period,
        employee: s.carol,
        category: 'roaming_calls',
        pounds: 10,
      })),
      { period: '2026-04', employee: s.carol, category: 'roaming_calls', pounds: 25 },
    ])
    await addRecords(s.customer, [
      {
        period: '2026-04',
        employee: s.bob,
        category: 'calls',
        pounds: 40,
        destinationName: 'Satellite Inmarsat',
      },
      { period: '2026-04', employee: s.alice, category: 'calls', pounds: 30, destination: '+33' },
      { period: '2026-02', employee: s.alice, category: 'calls', pounds: 1, destination: '+33' },
      {
        period: '2026-04',
        employee: s.alice,
        category: 'calls',
        pounds: 20,
        destinationName: 'Germany',
      },
    ])
    const anomalies = await findAnomalies(s.customer.id, '2026-04')
    assert.deepEqual(
      anomalies.map((a) => [a.kind, a.subject, a.amountMinor, a.baselineMinor]),
      [
        // Alice 400 vs average 110 (> 2×): spike. Bob 130 vs 50: his usage spiked too (roaming).
        ['employee_spike', 'Alice Able', 40000, 11000],
        ['employee_spike', 'Bob Baker', 13000, 5000],
        ['roaming_spike', 'Bob Baker', 8000, 0],
        ['new_destination', 'Satellite Inmarsat', 4000, 0],
      ]
    )
    assert.equal(anomalies[0].employeeId, s.alice.id)
    assert.include(anomalies[0].message, '£400.00')

    // The threshold comes from settings.
    await db.table('settings').insert({ key: 'insights.anomaly_threshold_minor', value: '20000' })
    const fewer = await findAnomalies(s.customer.id, '2026-04')
    assert.deepEqual(
      fewer.map((a) => a.subject),
      ['Alice Able']
    )

    const page = await client
      .get(`/customers/${s.customer.id}/insights/anomalies?period=2026-04`)
      .withInertia()
      .loginAs(await makeUser('viewer'))
    page.assertStatus(200)
    assert.lengthOf(page.inertiaProps.anomalies, 1)
    assert.equal(page.inertiaProps.previous, '2026-03')
  })

  test('an employee with no earlier usage is not a spike; a quiet month is not either', async ({
    assert,
  }) => {
    const s = await seedCustomer()
    await addRollups(s.customer, [
      { period: '2026-04', employee: s.alice, category: 'calls', pounds: 300 },
    ])
    assert.deepEqual(await findAnomalies(s.customer.id, '2026-04'), [])
    assert.deepEqual(await findAnomalies(s.customer.id, '2026-05'), [])
  })
})

test.group('insights: statement PDF and MI add-on', (group) => {
  binaryResponses(group)
  group.each.setup(() => truncateAll())

  test('the per-employee statement is a PDF with the employee, months and totals', async ({
    client,
    assert,
  }) => {
    const s = await seedCustomer()
    await seedFourMonths(s)
    const response = await client
      .get(
        `/customers/${s.customer.id}/employees/${s.alice.id}/statement.pdf?from=2026-01&to=2026-04`
      )
      .loginAs(await makeUser('viewer'))
    response.assertStatus(200)
    assert.equal(response.header('content-type'), 'application/pdf')
    const pdf = response.body() as Buffer
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-')
    const text = await pdfText(pdf)
    assert.include(text, 'Alice Able')
    assert.include(text, 'Sales')
    assert.include(text, '£730.00')
    assert.include(text, '2026-04')
    const other = await seedCustomer()
    const cross = await client
      .get(`/customers/${s.customer.id}/employees/${other.bob.id}/statement.pdf`)
      .loginAs(await makeUser('viewer'))
    cross.assertStatus(404)
  }).timeout(60000)

  test('switching the add-on on creates its recurring charge once; off ends it; viewers cannot switch', async ({
    client,
    assert,
  }) => {
    const s = await seedCustomer()
    const admin = await makeUser('admin')
    const on = await client
      .post(`/customers/${s.customer.id}/portal/mi-addon`)
      .form({ enabled: true })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    on.assertStatus(302)
    await client
      .post(`/customers/${s.customer.id}/portal/mi-addon`)
      .form({ enabled: true })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    const charges = await RecurringCharge.query()
      .where('customer_id', s.customer.id)
      .where('origin', 'mi_addon')
    assert.lengthOf(charges, 1)
    assert.equal(charges[0].description, 'Management information add-on')
    assert.equal(charges[0].unitPriceE4, 500_000)
    assert.isNull(charges[0].endsOn)
    assert.isTrue((await Customer.findOrFail(s.customer.id)).miAddon)

    const off = await client
      .post(`/customers/${s.customer.id}/portal/mi-addon`)
      .form({ enabled: false })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    off.assertStatus(302)
    await charges[0].refresh()
    assert.equal(charges[0].endsOn?.toISODate(), DateTime.utc().toISODate())
    assert.isFalse((await Customer.findOrFail(s.customer.id)).miAddon)
    assert.isAtLeast(
      Number(
        (await AuditLog.query().where('action', 'like', 'mi_addon.%').count('* as n'))[0].$extras.n
      ),
      2
    )

    const viewer = await makeUser('viewer')
    const refused = await client
      .post(`/customers/${s.customer.id}/portal/mi-addon`)
      .form({ enabled: true })
      .loginAs(viewer)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(403)

    const page = await client
      .get(`/customers/${s.customer.id}/portal`)
      .withInertia()
      .loginAs(viewer)
    page.assertStatus(200)
    assert.lengthOf(page.inertiaProps.charges, 1)
  })
})
