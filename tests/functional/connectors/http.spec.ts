import { test } from '@japa/runner'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { cleanSlate } from '#tests/helpers/clean_slate'
import { cdr } from '#tests/helpers/peers/master_csv'
import { waitFor } from '#tests/helpers/wait_for'

const root = app.makePath('tmp', `connectors-http-${process.pid}`)

test.group('Connectors and imports pages', (group) => {
  cleanSlate(group, root)

  test('create and edit a connector: credentials encrypted, never sent back, blank keeps them', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const customer = await makeCustomer()
    const created = await client
      .post('/connectors')
      .json({
        name: 'Carrier SFTP',
        type: 'asterisk',
        transport: 'sftp',
        customerId: customer.id,
        schedule: '15m',
        enabled: true,
        settings: { host: 'sftp.carrier.example', port: '22', username: 'reseller', path: '/out' },
        credentials: { password: 'super-secret-pw' },
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    created.assertStatus(302)
    const connector = await Connector.findByOrFail('name', 'Carrier SFTP')
    assert.equal(connector.credentials.password, 'super-secret-pw')
    assert.notInclude(connector.credentialsEncrypted!, 'super-secret-pw')
    const raw = await db.from('connectors').where('id', connector.id).first()
    assert.notInclude(JSON.stringify(raw), 'super-secret-pw')
    for (const path of [
      `/connectors/${connector.id}`,
      `/connectors/${connector.id}/edit`,
      '/connectors',
    ]) {
      const page = await client.get(path).withInertia().loginAs(admin)
      page.assertStatus(200)
      assert.notInclude(page.text(), 'super-secret-pw', path)
      assert.notInclude(page.text(), connector.credentialsEncrypted!, path)
    }
    const show = await client.get(`/connectors/${connector.id}`).withInertia().loginAs(admin)
    assert.deepEqual(show.inertiaProps.connector.credentialKeys, ['password'])

    const edited = await client
      .put(`/connectors/${connector.id}`)
      .json({
        name: 'Carrier SFTP 2',
        type: 'asterisk',
        transport: 'sftp',
        customerId: customer.id,
        schedule: '1h',
        enabled: true,
        settings: { host: 'sftp.carrier.example', username: 'reseller' },
        credentials: { password: '' },
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    edited.assertStatus(302)
    await connector.refresh()
    assert.equal(connector.name, 'Carrier SFTP 2')
    assert.equal(connector.credentials.password, 'super-secret-pw')
    const audit = await db.from('audit_logs').where('subject_type', 'connector').orderBy('id')
    assert.lengthOf(audit, 2)
    assert.notInclude(JSON.stringify(audit), 'super-secret-pw')

    const invalid = await client
      .post('/connectors')
      .json({
        name: 'Bad',
        type: 'm365',
        transport: 'sftp',
        customerId: customer.id,
        schedule: 'whenever',
      })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    invalid.assertStatus(302)
    assert.isNull(await Connector.findBy('name', 'Bad'))
  })

  test('viewers read, only admin and billing change or run', async ({ client }) => {
    const viewer = await makeUser('viewer')
    const customer = await makeCustomer()
    const connector = await Connector.create({
      name: 'Drop',
      type: 'asterisk',
      transport: 'folder',
      customerId: customer.id,
      enabled: true,
      settings: { path: root },
    })
    ;(await client.get('/connectors').loginAs(viewer)).assertStatus(200)
    ;(await client.get('/imports').loginAs(viewer)).assertStatus(200)
    ;(
      await client
        .post(`/connectors/${connector.id}/run`)
        .loginAs(viewer)
        .withCsrfToken()
        .redirects(0)
    ).assertStatus(403)
    ;(await client.get('/connectors/new').loginAs(viewer)).assertStatus(403)
    ;(await client.get('/connectors').redirects(0)).assertStatus(302)
  })

  test('test connection, run now in the background, then the import with its errors and rejected rows', async ({
    client,
    assert,
  }) => {
    const billing = await makeUser('billing')
    const customer = await makeCustomer()
    await writeFile(
      join(root, 'Master.csv'),
      [cdr(1), cdr(2, { 13: '-1' }), cdr(3, { 9: 'yesterday' })].join('\n') + '\n'
    )
    const connector = await Connector.create({
      name: 'Drop',
      type: 'asterisk',
      transport: 'folder',
      customerId: customer.id,
      enabled: true,
      settings: { path: root },
    })

    const tested = await client
      .post(`/connectors/${connector.id}/test`)
      .header('accept', 'application/json')
      .loginAs(billing)
      .withCsrfToken()
    tested.assertStatus(200)
    assert.deepEqual(tested.body(), {
      ok: true,
      message: `folder ${root} readable: 1 file(s) waiting`,
    })

    const run = await client
      .post(`/connectors/${connector.id}/run`)
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    run.assertStatus(302)
    assert.equal(run.header('location'), `/connectors/${connector.id}?running=1`)
    await waitFor(async () => {
      await connector.refresh()
      return connector.lastStatus !== null && connector.lastStatus !== 'running'
    })
    assert.equal(connector.lastStatus, 'ok')
    const imp = await db.from('imports').where('connector_id', connector.id).first()
    assert.deepInclude(imp, { status: 'completed', rows_imported: 1, rows_rejected: 2 })
    const show = await client.get(`/imports/${imp.id}`).withInertia().loginAs(billing)
    show.assertStatus(200)
    assert.deepEqual(
      show.inertiaProps.errors.map((e: any) => [e.line, e.field]),
      [
        [2, 'billsec'],
        [3, 'start'],
      ]
    )
    const partial = await client
      .get(`/imports/${imp.id}`)
      .withInertiaPartialReload('imports/show', ['import'])
      .loginAs(billing)
    assert.equal(partial.inertiaProps.import.progress_pct, 100)
    assert.notProperty(partial.inertiaProps, 'errors')

    const csv = await client.get(`/imports/${imp.id}/rejected.csv`).loginAs(billing)
    csv.assertStatus(200)
    const lines = csv.text().trim().split('\r\n')
    assert.equal(lines[0], 'line,field,message,row')
    assert.match(lines[1], /^2,billsec,"negative billsec ""-1""",/)
    assert.include(lines[2], '1751360400.3')

    const rawFile = await client.get(`/imports/${imp.id}/raw`).loginAs(billing)
    rawFile.assertStatus(200)
    assert.include(rawFile.text(), '1751360400.1')

    const list = await client.get('/imports').withInertia().loginAs(billing)
    assert.equal(list.inertiaProps.imports[0].id, imp.id)
  }).timeout(30_000)

  test('mapping profile: live preview and save', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const config = {
      delimiter: ',',
      hasHeader: true,
      dateFormat: 'dd/MM/yyyy HH:mm',
      columns: { number: 'CLI', date: 'Date', duration: 'Secs' },
    }
    const preview = await client
      .post('/mapping-profiles/preview')
      .json({
        config,
        sample: 'CLI,Date,Secs\n07700900123,01/07/2026 10:00,61\n07700900123,bad,1\n',
      })
      .header('accept', 'application/json')
      .loginAs(admin)
      .withCsrfToken()
    preview.assertStatus(200)
    const body = preview.body()
    assert.deepEqual(body.header, ['CLI', 'Date', 'Secs'])
    assert.equal(body.rows[0].outcome.kind, 'record')
    assert.equal(body.rows[0].outcome.record.durationS, 61)
    assert.equal(body.rows[1].outcome.field, 'date')

    const saved = await client
      .post('/mapping-profiles')
      .json({ name: 'carrier-y', config })
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    saved.assertStatus(302)
    const row = await db.from('mapping_profiles').where('name', 'carrier-y').first()
    assert.deepEqual(JSON.parse(row.config).columns, config.columns)
  })
})
