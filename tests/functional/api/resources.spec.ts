import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Invoice from '#models/invoice'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer } from '#tests/helpers/factories'
import { outbound, ukCdrFile } from '#tests/helpers/uk_cdr'
import { makeBillingFixture } from '../billing/fixtures.js'
import { userWithToken, writeTmp } from './_support.js'

test.group('api | resources', (group) => {
  group.each.setup(() => truncateAll())

  test('lists page with meta and filters; perPage above 100 is a 422 naming the field', async ({
    client,
    assert,
  }) => {
    const { token } = await userWithToken('viewer', ['read'])
    for (let i = 0; i < 7; i++) await makeCustomer({ name: `${i % 2 ? 'Acme' : 'Zenith'} ${i}` })
    const first = await client
      .get('/api/v1/customers')
      .qs({ perPage: 3, page: 2 })
      .bearerToken(token)
    first.assertStatus(200)
    assert.deepEqual(first.body().meta, { total: 7, perPage: 3, currentPage: 2, lastPage: 3 })
    assert.lengthOf(first.body().data, 3)
    const searched = await client.get('/api/v1/customers').qs({ search: 'acme' }).bearerToken(token)
    assert.equal(searched.body().meta.total, 3)
    assert.isTrue(searched.body().data.every((c: any) => c.name.startsWith('Acme')))
    const tooMany = await client.get('/api/v1/customers').qs({ perPage: 101 }).bearerToken(token)
    tooMany.assertStatus(422)
    assert.equal(tooMany.body().errors[0].field, 'perPage')
    const missing = await client.get('/api/v1/customers/999999').bearerToken(token)
    missing.assertStatus(404)
  })

  test('writes validate like the forms (422 with field names, nothing written) and keep customers apart', async ({
    client,
    assert,
  }) => {
    const { token, user } = await userWithToken('billing')
    const bad = await client
      .post('/api/v1/customers')
      .json({
        accountNumber: '!',
        name: 'A',
        taxRate: 'twenty',
        currency: 'XXX',
        timeZone: 'Mars/Base',
        paymentTermsDays: 30,
        billDay: 40,
        recurringBilling: 'advance',
      })
      .bearerToken(token)
    bad.assertStatus(422)
    const fields = bad.body().errors.map((e: any) => e.field)
    for (const f of ['accountNumber', 'name', 'taxRate', 'currency', 'timeZone', 'billDay'])
      assert.include(fields, f)
    assert.equal(Number((await db.from('customers').count('* as n').first()).n), 0)

    const a = await makeCustomer()
    const b = await makeCustomer()
    const dept = await client
      .post(`/api/v1/customers/${b.id}/departments`)
      .json({ name: 'Ops' })
      .bearerToken(token)
    dept.assertStatus(201)
    // A department of another customer is not found for this one's employee, and nothing is written.
    const cross = await client
      .post(`/api/v1/customers/${a.id}/employees`)
      .json({ name: 'Wrong', departmentId: dept.body().data.id })
      .bearerToken(token)
    cross.assertStatus(404)
    assert.equal(Number((await db.from('employees').count('* as n').first()).n), 0)
    const dup = await client
      .post(`/api/v1/customers/${b.id}/departments`)
      .json({ name: 'ops' })
      .bearerToken(token)
    dup.assertStatus(422)
    assert.equal(dup.body().errors[0].field, 'name')

    const badNumber = await client
      .post(`/api/v1/customers/${a.id}/services`)
      .json({ kind: 'mobile', identifier: 'not a number' })
      .bearerToken(token)
    badNumber.assertStatus(422)
    assert.equal(badNumber.body().errors[0].field, 'identifier')
    const log = await db.from('audit_logs').where('action', 'department.create').firstOrFail()
    assert.equal(log.user_id, user.id)
  })

  test('a usage file uploaded through the API is imported and answers with the summary', async ({
    client,
    assert,
  }) => {
    const { token } = await userWithToken('billing')
    const customer = await makeCustomer({ accountNumber: 'UP-1' })
    const path = await writeTmp(
      'upload.csv',
      ukCdrFile([
        outbound('UP-1', 'A-1'),
        outbound('UP-1', 'A-2', { 'Call Time': '11:00:00' }),
        outbound('UP-1', 'A-1'),
      ])
    )
    const res = await client
      .post('/api/v1/usage-imports')
      .fields({ format: 'uk-standard-cdr', customerId: String(customer.id) })
      .file('file', path)
      .bearerToken(token)
    res.assertStatus(201)
    const s = res.body().data
    assert.equal(s.status, 'completed')
    assert.equal(s.rowsRead, 3)
    assert.equal(s.rowsImported, 2)
    assert.equal(s.rowsDuplicate, 1)
    const records = await client
      .get('/api/v1/usage-records')
      .qs({ customerId: customer.id, period: '2026-07' })
      .bearerToken(token)
    assert.equal(records.body().meta.total, 2)
    // No tariff yet: stored unrated, without a price (never a made-up one).
    assert.equal(records.body().data[0].ratingStatus, 'unrated')
    assert.isNull(records.body().data[0].price)

    const unknownFormat = await client
      .post('/api/v1/usage-imports')
      .fields({ format: 'nonsense', customerId: String(customer.id) })
      .file('file', path)
      .bearerToken(token)
    unknownFormat.assertStatus(422)
    assert.equal(unknownFormat.body().errors[0].field, 'format')
  }).timeout(60_000)

  test('a billing run is created and finalized through the API; a second run for the month is a 409', async ({
    client,
    assert,
  }) => {
    const { token } = await userWithToken('billing')
    const f = await makeBillingFixture({ period: '2026-10' })
    const created = await client
      .post('/api/v1/billing-runs')
      .json({ period: '2026-10', customerIds: [f.customer.id] })
      .bearerToken(token)
    created.assertStatus(201)
    const run = created.body().data
    assert.equal(run.status, 'draft')
    const draft = await Invoice.findOrFail(run.invoiceIds[0])
    const again = await client
      .post('/api/v1/billing-runs')
      .json({ period: '2026-10', customerIds: [f.customer.id] })
      .bearerToken(token)
    again.assertStatus(409)
    const finalized = await client
      .post(`/api/v1/billing-runs/${run.id}/finalize`)
      .json({ acknowledge: 'reviewed in the API test' })
      .bearerToken(token)
    finalized.assertStatus(200)
    assert.equal(finalized.body().data.status, 'finalized')
    const invoice = await client.get(`/api/v1/invoices/${draft.id}`).bearerToken(token)
    assert.equal(invoice.body().data.number, 'INV-000001')
    assert.equal(invoice.body().data.total.minor, (await Invoice.findOrFail(draft.id)).totalMinor)
    assert.match(invoice.body().data.total.formatted, /^£/)
    const listed = await client
      .get('/api/v1/invoices')
      .qs({ customerId: f.customer.id, status: 'draft' })
      .bearerToken(token)
    assert.equal(listed.body().meta.total, 0)
    const badPeriod = await client
      .post('/api/v1/billing-runs')
      .json({ period: '2026-13' })
      .bearerToken(token)
    badPeriod.assertStatus(422)
    assert.equal(badPeriod.body().errors[0].field, 'period')
  }).timeout(60_000)
})
