import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { makeCustomer, makeUser, makeEmployee } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'

async function queue(n: number) {
  const rows = Array.from({ length: n }, (_, i) => ({
    source: 'manual:asterisk:all',
    dedupe_key: `k${i}`,
    identifier: `+4477009${String(i).padStart(5, '0')}`,
    occurred_at: `2026-07-01 ${String(8 + (i % 10)).padStart(2, '0')}:00:00`,
    period: '2026-07',
    category: 'voice',
    cost_e4: 125,
  }))
  await db.table('unknown_usage_records').multiInsert(rows)
}

test.group('Routing: unknown services and alias pages', (group) => {
  group.each.setup(() => truncateAll())

  test('the queue pages 50 identifiers at a time, searches, and shows cost with its currency', async ({
    client,
    assert,
  }) => {
    const viewer = await makeUser('viewer')
    await queue(60)
    const first = await client.get('/unknown-services').withInertia().loginAs(viewer)
    first.assertStatus(200)
    const props = first.inertiaProps
    assert.lengthOf(props.rows, 50)
    assert.deepEqual(props.meta, { currentPage: 1, lastPage: 2, total: 60, perPage: 50 })
    assert.containsSubset(props.rows[0], {
      supplier: 'Upload',
      records: 1,
      cost: '£0.01',
      kindLabel: 'Mobile number',
    })
    const second = await client.get('/unknown-services?page=2').withInertia().loginAs(viewer)
    assert.lengthOf(second.inertiaProps.rows, 10)
    const found = await client.get('/unknown-services?q=00042').withInertia().loginAs(viewer)
    assert.deepEqual(
      found.inertiaProps.rows.map((r: any) => r.identifier),
      ['+447700900042']
    )
  })

  test('viewers cannot assign or edit aliases; a clerk can; a clashing alias and a bad assignment are refused', async ({
    client,
    assert,
  }) => {
    const viewer = await makeUser('viewer')
    const clerk = await makeUser('billing')
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const brig = await makeCustomer({ accountNumber: 'BRIG002' })
    await queue(1)
    const denied = await client
      .post('/unknown-services/assign')
      .json({ identifier: '+447700900000', customerId: acme.id, from: '2026-07-01' })
      .loginAs(viewer)
      .withCsrfToken()
      .redirects(0)
    denied.assertStatus(403)
    const noAlias = await client
      .post(`/customers/${acme.id}/account-aliases`)
      .json({ alias: 'PBX-1' })
      .loginAs(viewer)
      .withCsrfToken()
      .redirects(0)
    noAlias.assertStatus(403)
    assert.equal(Number((await db.from('unknown_usage_records').count('* as n'))[0].n), 1)

    const added = await client
      .post(`/customers/${acme.id}/account-aliases`)
      .json({ alias: 'PBX-1' })
      .loginAs(clerk)
      .withCsrfToken()
      .redirects(0)
    added.assertStatus(302)
    const clash = await client
      .post(`/customers/${brig.id}/account-aliases`)
      .json({ alias: 'pbx-1' })
      .loginAs(clerk)
      .withCsrfToken()
      .redirects(0)
    clash.assertStatus(302)
    clash.assertFlashIncludes(`already an alias of ${acme.name}`)
    assert.equal(Number((await db.from('supplier_account_aliases').count('* as n'))[0].n), 1)
    const page = await client.get(`/customers/${acme.id}`).withInertia().loginAs(viewer)
    assert.containsSubset(page.inertiaProps.accountAliases.aliases, [
      { alias: 'PBX-1', feed: 'Every feed and upload' },
    ])
    const alias = await db.from('supplier_account_aliases').first()
    // Another customer's alias is not found through this customer.
    const wrong = await client
      .delete(`/customers/${brig.id}/account-aliases/${alias.id}`)
      .loginAs(clerk)
      .withCsrfToken()
      .redirects(0)
    wrong.assertStatus(404)
    const removed = await client
      .delete(`/customers/${acme.id}/account-aliases/${alias.id}`)
      .loginAs(clerk)
      .withCsrfToken()
      .redirects(0)
    removed.assertStatus(302)
    assert.deepEqual(
      (await db.from('audit_logs').orderBy('id').select('action')).map((a) => a.action),
      ['account_alias.create', 'account_alias.delete']
    )

    const assigned = await client
      .post('/unknown-services/assign')
      .json({ identifier: '+447700900000', customerId: acme.id, from: '2026-07-01' })
      .loginAs(clerk)
      .withCsrfToken()
      .redirects(0)
    assigned.assertStatus(302)
    assert.equal(
      Number((await db.from('usage_records').where('customer_id', acme.id).count('* as n'))[0].n),
      1
    )
    const bad = await client
      .post('/unknown-services/assign')
      .json({ identifier: '+447700900000', customerId: 99999, from: '2026-02-30' })
      .loginAs(clerk)
      .withCsrfToken()
      .redirects(0)
      .header('referer', '/unknown-services')
    bad.assertStatus(302)
    bad.assertFlashIncludes('Enter a real date as YYYY-MM-DD')
    bad.assertFlashIncludes('No such customer')
    // An employee of another customer is refused under the field.
    const { id: otherEmployee } = await makeEmployee(brig, { name: 'Eve' })
    const stranger = await client
      .post('/unknown-services/assign')
      .json({
        identifier: '+447700900000',
        customerId: acme.id,
        employeeId: Number(otherEmployee),
        from: '2026-07-01',
      })
      .loginAs(clerk)
      .withCsrfToken()
      .redirects(0)
      .header('referer', '/unknown-services')
    stranger.assertStatus(302)
    stranger.assertFlashIncludes('Choose an employee of this customer')
    assert.lengthOf(await db.from('audit_logs').where('action', 'unknown_service.assign'), 1)
  })

  test('a file connector can serve all customers; a Microsoft 365 connector still needs its customer', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const drop = await client
      .post('/connectors')
      .json({
        name: 'Wholesale drop',
        type: 'asterisk',
        transport: 'folder',
        customerId: null,
        enabled: true,
        settings: { path: app.makePath('tmp') },
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    drop.assertStatus(302)
    const saved = await Connector.findByOrFail('name', 'Wholesale drop')
    assert.isNull(saved.customerId)
    const list = await client.get('/connectors').withInertia().loginAs(admin)
    assert.containsSubset(list.inertiaProps.connectors, [
      { name: 'Wholesale drop', customerName: null },
    ])
    const m365 = await client
      .post('/connectors')
      .json({
        name: 'Tenant',
        type: 'm365',
        transport: 'graph',
        customerId: null,
        enabled: true,
        settings: { tenantId: 't' },
      })
      .header('referer', '/connectors/new')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    m365.assertStatus(302)
    m365.assertFlashIncludes('choose the customer this connector bills')
    assert.isNull(await Connector.findBy('name', 'Tenant'))
  })
})
