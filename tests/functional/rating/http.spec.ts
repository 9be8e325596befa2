import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import db from '@adonisjs/lucid/services/db'
import { makeCustomer, makeUser, addRate, makeTariff, putOnTariff } from '#tests/helpers/factories'
import { rateUsage } from '#rating/rate_usage'
import { addUsage, record, writeCsv } from './support.js'

const HEADER =
  'prefix,destination,category,peak,offpeak,weekend,connection,minimum,increments,effective_from\n'

test.group('rating | tariff pages', (group) => {
  group.each.setup(() => truncateAll())

  test('create a tariff, upload a deck with a preview, import it and search its rates', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    const created = await client
      .post('/tariffs')
      .form({ name: 'Business', currency: 'gbp', defaultMarkup: '12.5' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    created.assertStatus(302)
    const tariff = await db.from('tariffs').where('name', 'Business').first()
    assert.equal(tariff.default_markup_bp, 1250)
    assert.equal(created.header('location'), `/tariffs/${tariff.id}`)

    let text = HEADER
    for (let i = 0; i < 2500; i++)
      text += `${44200000 + i},London ${i},national,0.02,0.01,0.005,0,0,60/60,2026-01-01\n`
    const path = await writeCsv('ui-deck.csv', text)
    const preview = await client
      .post(`/tariffs/${tariff.id}/upload`)
      .file('deck', path)
      .withInertia()
      .loginAs(user)
      .withCsrfToken()
    preview.assertStatus(200)
    const props = preview.inertiaProps
    preview.assertInertiaComponent('tariffs/preview')
    assert.equal(props.valid, 2500)
    assert.equal(props.errorCount, 0)
    assert.lengthOf(props.rows, 20)
    assert.deepEqual(props.changes, { added: 2500, replaced: 0, notInFile: 0 })
    assert.deepInclude(props.rows[0], {
      line: 2,
      prefix: '44200000',
      peak: '0.020000',
      increments: '60/60',
    })
    assert.equal(Number((await db.from('rates').count('* as n').first()).n), 0) // nothing before the confirmation

    const imported = await client
      .post(`/tariffs/${tariff.id}/import`)
      .form({ token: props.token, fileName: props.fileName })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    imported.assertStatus(302)
    assert.equal(
      Number((await db.from('rates').where('tariff_id', tariff.id).count('* as n').first()).n),
      2500
    )

    const page = await client.get(`/tariffs/${tariff.id}?q=4420012`).withInertia().loginAs(user)
    page.assertStatus(200)
    page.assertInertiaComponent('tariffs/show')
    assert.equal(page.inertiaProps.meta.total, 10) // 44200120 … 44200129
    assert.equal(page.inertiaProps.rates[0].prefix, '44200120')
    const byName = await client
      .get(`/tariffs/${tariff.id}?q=London 2499`)
      .withInertia()
      .loginAs(user)
    assert.deepEqual(
      byName.inertiaProps.rates.map((r: any) => r.prefix),
      ['44202499']
    )
    const all = await client.get(`/tariffs/${tariff.id}?page=3`).withInertia().loginAs(user)
    assert.deepInclude(all.inertiaProps.meta, { total: 2500, currentPage: 3, lastPage: 50 })

    const actions = (await db.from('audit_logs').orderBy('id').select('action', 'user_id')).map(
      (a: any) => [a.action, a.user_id]
    )
    assert.deepEqual(actions, [
      ['tariff.created', user.id],
      ['tariff.rates_imported', user.id],
    ])
  })

  test('a bad upload shows line-level errors and cannot be imported', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('admin')
    const tariffId = await makeTariff('Errors')
    const path = await writeCsv(
      'ui-bad.csv',
      HEADER +
        '44,UK,national,0.02,0.01,0.005,0,0,60/60,2026-01-01\n4a,Bad,national,x,0.01,0.005,0,0,60/60,2026-13-01\n'
    )
    const preview = await client
      .post(`/tariffs/${tariffId}/upload`)
      .file('deck', path)
      .withInertia()
      .loginAs(user)
      .withCsrfToken()
    const props = preview.inertiaProps
    assert.equal(props.valid, 1)
    assert.deepEqual(
      props.errors.map((e: any) => [e.line, e.field]),
      [
        [3, 'prefix'],
        [3, 'peak'],
        [3, 'effective_from'],
      ]
    )
    const imported = await client
      .post(`/tariffs/${tariffId}/import`)
      .form({ token: props.token, fileName: 'ui-bad.csv' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    imported.assertStatus(302)
    imported.assertFlashIncludes('ui-bad.csv line 3, field prefix')
    assert.equal(Number((await db.from('rates').count('* as n').first()).n), 0)
  })

  test('customers are put on tariffs from a date; the previous assignment is closed; audited', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    const customer = await makeCustomer()
    const a = await makeTariff('A')
    const b = await makeTariff('B')
    await client
      .post(`/tariffs/${a}/customers`)
      .form({ customerId: customer.id, startsOn: '2026-01-01' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    await client
      .post(`/tariffs/${b}/customers`)
      .form({ customerId: customer.id, startsOn: '2026-03-15' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    const rows = await db
      .from('customer_tariffs')
      .where('customer_id', customer.id)
      .orderBy('starts_on')
    assert.deepEqual(
      rows.map((r: any) => [
        r.tariff_id,
        String(r.starts_on instanceof Date ? r.starts_on.toISOString() : r.starts_on).slice(0, 10),
        r.ends_on
          ? String(r.ends_on instanceof Date ? r.ends_on.toISOString() : r.ends_on).slice(0, 10)
          : null,
      ]),
      [
        [a, '2026-01-01', '2026-03-15'],
        [b, '2026-03-15', null],
      ]
    )
    const list = await client.get('/tariffs').withInertia().loginAs(user)
    assert.deepEqual(
      list.inertiaProps.tariffs.map((t: any) => [t.name, t.customers]),
      [
        ['A', 1],
        ['B', 1],
      ]
    )
    assert.equal(
      await db
        .from('audit_logs')
        .where('action', 'customer_tariff.assigned')
        .count('* as n')
        .first()
        .then((r: any) => Number(r.n)),
      2
    )
  })

  test('a tariff in another currency than the customer is refused', async ({ client, assert }) => {
    const user = await makeUser('billing')
    const customer = await makeCustomer({ currency: 'EUR' })
    const gbp = await makeTariff('GBP deck')
    const refused = await client
      .post(`/tariffs/${gbp}/customers`)
      .form({ customerId: customer.id, startsOn: '2026-01-01' })
      .header('referer', `/tariffs/${gbp}`)
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(302)
    refused.assertFlashIncludes('is billed in EUR; this tariff is in GBP')
    assert.lengthOf(await db.from('customer_tariffs').where('customer_id', customer.id), 0)
  })

  test('a rate change then "re-rate" shows old and new totals', async ({ client, assert }) => {
    const user = await makeUser('billing')
    const customer = await makeCustomer()
    const tariffId = await makeTariff('Rerate UI')
    await addRate(tariffId, { prefix: '44', category: 'national', micros: 600_000 })
    await putOnTariff(customer.id, tariffId)
    const id = await addUsage(customer.id, {
      at: '2026-02-02T10:00:00Z',
      destination: '+442071234567',
      durationS: 120,
    })
    await rateUsage({ customerId: customer.id })
    assert.equal((await record(id)).price_e4, 12_000)
    const saved = await client
      .post(`/tariffs/${tariffId}/rates`)
      .form({
        prefix: '44',
        destination: 'UK',
        category: 'national',
        peak: '0.30',
        offpeak: '0.30',
        weekend: '0.30',
        increments: '60/60',
        effectiveFrom: '2026-01-01',
      })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    saved.assertStatus(302)
    const rerated = await client
      .post(`/tariffs/${tariffId}/rerate`)
      .form({ period: '2026-02' })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    rerated.assertStatus(302)
    const summary = rerated.flashMessages().rerate
    assert.deepInclude(summary, { records: 1, changed: 1, oldTotalE4: 12_000, newTotalE4: 6000 })
    assert.equal((await record(id)).price_e4, 6000)
  })

  test('viewers may read tariffs but not change them', async ({ client }) => {
    const viewer = await makeUser('viewer')
    const tariffId = await makeTariff('Read only')
    ;(await client.get(`/tariffs/${tariffId}`).withInertia().loginAs(viewer)).assertStatus(200)
    ;(
      await client
        .post('/tariffs')
        .form({ name: 'X', currency: 'GBP', defaultMarkup: '0' })
        .loginAs(viewer)
        .withCsrfToken()
    ).assertStatus(403)
    ;(
      await client.post(`/tariffs/${tariffId}/rerate`).loginAs(viewer).withCsrfToken()
    ).assertStatus(403)
  })
})

test.group('rating | exceptions', (group) => {
  group.each.setup(() => truncateAll())

  test('unrated records are grouped by reason and destination; adding a rate re-rates them', async ({
    client,
    assert,
  }) => {
    const user = await makeUser('billing')
    const customer = await makeCustomer()
    const orphan = await makeCustomer({ name: 'No Tariff Ltd' })
    const tariffId = await makeTariff('Exceptions')
    await addRate(tariffId, { prefix: '44', category: 'national', micros: 600_000 })
    await putOnTariff(customer.id, tariffId)
    const fr1 = await addUsage(customer.id, {
      at: '2026-02-02T10:00:00Z',
      destination: '+33123456789',
      durationS: 60,
    })
    await addUsage(customer.id, {
      at: '2026-02-02T11:00:00Z',
      destination: '+33987654321',
      durationS: 60,
    })
    await addUsage(customer.id, {
      at: '2026-02-02T12:00:00Z',
      destination: '+34911234567',
      durationS: 60,
    })
    await addUsage(orphan.id, {
      at: '2026-02-02T12:00:00Z',
      destination: '+442071234567',
      durationS: 60,
    })
    await rateUsage({ customerId: customer.id })
    await rateUsage({ customerId: orphan.id })

    const page = await client.get('/exceptions?digits=2').withInertia().loginAs(user)
    page.assertStatus(200)
    const groups = page.inertiaProps.groups.map((g: any) => [
      g.reason,
      g.prefix,
      g.records,
      g.tariffName,
    ])
    assert.sameDeepMembers(groups, [
      ['no rate for destination', '33', 2, 'Exceptions'],
      ['no rate for destination', '34', 1, 'Exceptions'],
      ['customer has no tariff', '44', 1, null],
    ])
    assert.deepEqual(
      page.inertiaProps.customersWithoutTariff.map((c: any) => c.name),
      ['No Tariff Ltd']
    )

    const fixed = await client
      .post('/exceptions/rates')
      .form({
        tariffId,
        prefix: '33',
        destination: 'France',
        category: 'international',
        peak: '0.90',
        offpeak: '0.90',
        weekend: '0.90',
        increments: '60/60',
        effectiveFrom: '2026-01-01',
        rerate: 'true',
      })
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    fixed.assertStatus(302)
    assert.deepInclude(fixed.flashMessages().rerate, {
      changed: 2,
      oldTotalE4: 0,
      newTotalE4: 18_000,
    })
    assert.deepInclude(await record(fr1), {
      rating_status: 'rated',
      price_e4: 9000,
      destination_name: 'France',
      category: 'international',
    })
    const after = await client.get('/exceptions?digits=2').withInertia().loginAs(user)
    assert.deepEqual(after.inertiaProps.groups.map((g: any) => g.prefix).sort(), ['34', '44'])

    await putOnTariff(orphan.id, tariffId)
    const rerated = await client
      .post('/exceptions/rerate')
      .loginAs(user)
      .withCsrfToken()
      .redirects(0)
    assert.deepInclude(rerated.flashMessages().rerate, { unrated: 1 })
    assert.equal(
      Number(
        (await db.from('usage_records').where('rating_status', 'unrated').count('* as n').first()).n
      ),
      1
    )
  })
})
