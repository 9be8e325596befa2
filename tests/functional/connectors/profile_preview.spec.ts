import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import {
  makeCustomer,
  makeUser,
  makeDepartment,
  makeEmployee,
  makeService,
  makeAssignment,
} from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'
import { assignCustomer, findOrCreateTariff, saveRate } from '#rating/tariffs'
import { DateTime } from 'luxon'

const config = {
  dateFormat: 'dd/MM/yyyy HH:mm:ss',
  durationFormat: 'hh:mm:ss',
  costUnit: 'pence',
  columns: {
    number: 'CLI',
    date: 'Date',
    time: 'Time',
    destination: 'Dialled',
    duration: 'Length',
    cost: 'Pence',
    account: 'Account',
  },
  filters: [{ column: 'Type', op: 'equals', value: 'I' }],
}
const sample = [
  'Type,Account,CLI,Dialled,Date,Time,Length,Pence',
  'V,ACME001,01632960001,02079460018,06/07/2026,10:00:00,00:01:30,1.25',
  'V,NOPE9,01632960001,*72*2010,06/07/2026,10:05:00,00:00:30,0',
  'I,ACME001,01632960001,01632960001,06/07/2026,10:06:00,00:00:30,0',
  'V,ACME001,01632960001,+33142685300,06/07/2026,10:07:00,00:01:00,9',
].join('\n')

test.group('Mapping profile live preview with prices', (group) => {
  group.each.setup(() => truncateAll())

  test('each row shows the customer its account names, the rate and the price it would get', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const customer = await makeCustomer({ accountNumber: 'ACME001', name: 'Acme Ltd' })
    const { id: tariffId } = await db.transaction((trx) =>
      findOrCreateTariff('Preview sell', { defaultMarkupBp: 5000 }, null, trx)
    )
    await saveRate(
      tariffId,
      {
        prefix: '44',
        destination: 'United Kingdom',
        category: 'national',
        peakMicros: 1_200_000,
        offpeakMicros: 600_000,
        weekendMicros: 300_000,
        connectionMicros: 0,
        minimumMicros: 0,
        initialS: 60,
        subsequentS: 60,
        effectiveFrom: '2026-01-01',
      },
      null
    )
    await assignCustomer(customer.id, tariffId, '2026-01-01', null)
    const res = await client
      .post('/mapping-profiles/preview')
      .json({ config, sample, customerId: customer.id })
      .header('accept', 'application/json')
      .loginAs(admin)
      .withCsrfToken()
    res.assertStatus(200)
    const rows = res.body().rows
    assert.deepEqual(res.body().problems, [])
    // Monday 10:00 BST is peak: 90 s → 120 s at 1.20/min = 2.40
    assert.deepEqual(rows[0].rating, {
      status: 'rated',
      rate: 'United Kingdom · GBP 1.20/min (peak)',
      price: 'GBP 2.4000',
      reason: null,
      customer: 'Acme Ltd (ACME001)',
    })
    assert.equal(rows[0].outcome.record.costE4, 125)
    assert.equal(rows[1].outcome.record.category, 'internal')
    assert.deepInclude(rows[1].rating, {
      status: 'internal',
      price: 'GBP 0.0000',
      customer: 'no customer with account NOPE9',
    })
    assert.deepEqual(rows[2].outcome, { kind: 'skip' })
    assert.isNull(rows[2].rating)
    // No rate for France: the supplier's 9p cost marked up by the tariff's 50%.
    assert.deepInclude(rows[3].rating, { status: 'markup', price: 'GBP 0.1350', rate: null })

    const noTariff = await client
      .post('/mapping-profiles/preview')
      .json({ config, sample })
      .header('accept', 'application/json')
      .loginAs(admin)
      .withCsrfToken()
    assert.equal(noTariff.body().rows[0].rating.status, 'no tariff')
    const byTariff = await client
      .post('/mapping-profiles/preview')
      .json({ config, sample, tariffId })
      .header('accept', 'application/json')
      .loginAs(admin)
      .withCsrfToken()
    assert.equal(byTariff.body().rows[0].rating.price, 'GBP 2.4000')
  })

  test('each row shows the employee holding its number then, routed as an import would route it', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const customer = await makeCustomer({ accountNumber: 'ACME001', name: 'Acme Ltd' })
    const sales = await makeDepartment(customer, { name: 'Sales' })
    const jane = await makeEmployee(customer, {
      departmentId: sales.id,
      name: 'Jane Doe',
      email: null,
      employeeNumber: 'E1',
      active: true,
    })
    const line = await makeService(customer, {
      kind: 'ddi',
      identifier: '+441632960001',
      label: null,
    })
    // Jane holds the number from 10:03 UTC on the day: the 10:00 local (09:00 UTC) call is before her time.
    await makeAssignment(line, jane, { startsAt: DateTime.fromISO('2026-07-06T09:03:00Z') })
    const withNumbers = [
      'Type,Account,CLI,Dialled,Date,Time,Length,Pence',
      'V,ACME001,01632960001,02079460018,06/07/2026,10:00:00,00:01:30,1.25',
      'V,ACME001,01632960001,02079460018,06/07/2026,10:07:00,00:01:30,1.25',
      'V,ACME001,01632960999,02079460018,06/07/2026,10:08:00,00:01:30,1.25',
      'V,NOPE9,01632960001,02079460018,06/07/2026,10:09:00,00:00:30,0',
    ].join('\n')
    for (const body of [
      { config, sample: withNumbers },
      { config, sample: withNumbers, customerId: customer.id },
    ]) {
      const res = await client
        .post('/mapping-profiles/preview')
        .json(body)
        .header('accept', 'application/json')
        .loginAs(admin)
        .withCsrfToken()
      res.assertStatus(200)
      const rows = res.body().rows
      assert.equal(rows[0].employee, 'unallocated: nobody holds the number then')
      assert.equal(rows[1].employee, 'Jane Doe (Sales)')
      assert.equal(rows[1].rating.customer, 'Acme Ltd (ACME001)')
      assert.equal(rows[2].employee, 'unallocated: no service with this number')
      if (!body.customerId) {
        assert.isNull(rows[3].employee)
        assert.equal(rows[3].rating.customer, 'no customer with account NOPE9')
      } else assert.equal(rows[3].employee, 'Jane Doe (Sales)')
    }
  })

  test('the form offers customers and tariffs to price the preview with', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    await makeCustomer({ accountNumber: 'ACME001', name: 'Acme Ltd' })
    await db.transaction((trx) => findOrCreateTariff('Carrier buy', { kind: 'buy' }, null, trx))
    const page = await client.get('/mapping-profiles/new').withInertia().loginAs(admin)
    page.assertStatus(200)
    const props = page.inertiaProps
    assert.deepEqual(
      props.options.customers.map((c: any) => c.label),
      ['Acme Ltd (ACME001)']
    )
    assert.deepEqual(
      props.options.tariffs.map((t: any) => t.label),
      ['Carrier buy (buy deck)']
    )
    assert.include(props.fields, 'account')
  })
})
