import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import type User from '#models/user'
import { pollConnector } from '#connectors/poll_connector'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { cleanSlate } from '#tests/helpers/clean_slate'
import { waitFor } from '#tests/helpers/wait_for'
import { startSftpServer } from '#tests/helpers/peers/sftp_server'
import { startHttpFileServer } from '#tests/helpers/peers/http_file_server'
import { selfSignedCertificate } from '#tests/helpers/peers/self_signed_cert'
import { cdr } from '#tests/helpers/peers/master_csv'

const root = app.makePath('tmp', `routing-once-${process.pid}`)

/** Ten calls of two customers (by accountcode) and one number nobody owns. */
function master(eol = '\n', order: 'asc' | 'desc' = 'asc') {
  const rows = Array.from({ length: 10 }, (_, i) =>
    cdr(i + 1, { 0: i < 4 ? 'ACME001' : i < 8 ? 'BRIG002' : '' })
  )
  if (order === 'desc') rows.reverse()
  return rows.join(eol) + eol
}

const total = async (table = 'usage_records') => Number((await db.from(table).count('* as n'))[0].n)

async function uploadAll(client: ApiClient, user: User, path: string) {
  const posted = await client
    .post('/imports/upload')
    .field('scope', 'all')
    .field('format', 'asterisk')
    .file('file', path)
    .loginAs(user)
    .withCsrfToken()
    .redirects(0)
  posted.assertStatus(302)
  const id = Number(/^\/imports\/(\d+)$/.exec(posted.header('location') ?? '')?.[1])
  let row: any
  await waitFor(async () => {
    row = await db.from('imports').where('id', id).first()
    return !['pending', 'running'].includes(row.status)
  })
  return row
}

test.group('Routing: every call stored once, whatever the route', (group) => {
  let tls: { key: string; cert: string }
  group.setup(async () => {
    tls = await selfSignedCertificate()
  })
  cleanSlate(group, root)

  test('one file via upload, folder, SFTP and HTTPS is stored once; a byte-changed copy adds nothing', async ({
    client,
    assert,
    cleanup,
  }) => {
    const billing = await makeUser('billing')
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const brig = await makeCustomer({ accountNumber: 'BRIG002' })
    const body = master()
    const path = join(root, 'Master.csv')
    await writeFile(path, body)

    // 1. Uploaded by hand for all customers.
    const uploaded = await uploadAll(client, billing, path)
    assert.containsSubset(uploaded, {
      status: 'completed',
      customer_id: null,
      rows_read: 10,
      rows_imported: 10,
      rows_duplicate: 0,
    })
    assert.equal(await total(), 8)
    assert.equal(await total('unknown_usage_records'), 2)

    // 2. The same file dropped in a folder a connector for all customers reads: skipped, linked to the upload.
    const inbox = join(root, 'inbox')
    await mkdir(inbox)
    await writeFile(join(inbox, 'Master.csv'), body)
    const folder = await Connector.create({
      name: 'Drop',
      type: 'asterisk',
      transport: 'folder',
      customerId: null,
      enabled: true,
      settings: { path: inbox },
    })
    const viaFolder = await pollConnector(folder.id)
    assert.equal(viaFolder.status, 'ok', viaFolder.message)
    assert.deepEqual(
      viaFolder.imports.map((i) => [i.status, i.same_as_import_id]),
      [['skipped', uploaded.id]]
    )

    // 3. Over SFTP, the same calls in another order with CRLF line ends: read, 0 new.
    const served = join(root, 'sftp')
    await mkdir(join(served, 'cdr'), { recursive: true })
    await writeFile(join(served, 'cdr', 'Master-crlf.csv'), master('\r\n', 'desc'))
    const sftp = await startSftpServer(served)
    cleanup(() => sftp.close())
    const viaSftp = new Connector()
    viaSftp.merge({
      name: 'PBX SFTP',
      type: 'asterisk',
      transport: 'sftp',
      customerId: null,
      enabled: true,
      settings: { host: '127.0.0.1', port: sftp.port, username: sftp.username, path: '/cdr' },
    })
    viaSftp.credentials = { password: sftp.password }
    await viaSftp.save()
    const polledSftp = await pollConnector(viaSftp.id)
    assert.equal(polledSftp.status, 'ok', polledSftp.message)
    assert.deepEqual(
      polledSftp.imports.map((i) => [i.status, i.read, i.imported, i.duplicates]),
      [['completed', 10, 0, 10]]
    )

    // 4. Over HTTPS, for one customer (a connector with a customer, as before): its calls are already stored.
    const https = await startHttpFileServer({
      tls,
      files: { '/Master.csv': body + cdr(11, { 0: 'ACME001' }) + '\n' },
      bearer: 'tok',
    })
    cleanup(() => https.close())
    const viaHttps = new Connector()
    viaHttps.merge({
      name: 'Carrier HTTPS',
      type: 'asterisk',
      transport: 'https',
      customerId: acme.id,
      enabled: true,
      settings: { url: `${https.url}/Master.csv`, caCertificate: tls.cert },
    })
    viaHttps.credentials = { token: 'tok' }
    await viaHttps.save()
    const polledHttps = await pollConnector(viaHttps.id)
    assert.equal(polledHttps.status, 'ok', polledHttps.message)
    // 11 calls read: the 8 stored for a customer are duplicates; the 2 queued as unknown are
    // ACME's now (the file is read for ACME) and leave the queue; one is new.
    assert.deepEqual(
      polledHttps.imports.map((i) => [i.status, i.read, i.imported, i.duplicates]),
      [['completed', 11, 3, 8]]
    )

    assert.equal(await total(), 11)
    assert.equal(await total('unknown_usage_records'), 0)
    assert.equal(
      Number((await db.from('usage_records').where('customer_id', acme.id).count('* as n'))[0].n),
      7
    )
    assert.equal(
      Number((await db.from('usage_records').where('customer_id', brig.id).count('* as n'))[0].n),
      4
    )
    const keys = await db.from('usage_records').select('dedupe_key')
    assert.equal(new Set(keys.map((k) => k.dedupe_key)).size, 11)

    // The skipped import's page links to the first import.
    const skipped = await db.from('imports').where('status', 'skipped').first()
    const page = await client.get(`/imports/${skipped.id}`).withInertia().loginAs(billing)
    assert.equal(page.inertiaProps.import.same_as_import_id, uploaded.id)
    assert.deepEqual(await readdir(join(served, 'cdr', 'processed')), ['Master-crlf.csv'])
  }).timeout(120_000)

  test('the upload form asks for a customer or "all customers"; its page says where the records went', async ({
    client,
    assert,
  }) => {
    const billing = await makeUser('billing')
    await makeCustomer({ accountNumber: 'ACME001' })
    const path = join(root, 'Master.csv')
    await writeFile(path, master())
    const refused = await client
      .post('/imports/upload')
      .field('format', 'asterisk')
      .file('file', path)
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(302)
    assert.equal(await total('imports'), 0)

    const done = await uploadAll(client, billing, path)
    // BRIG002 is nobody's account: its four rows are rejected with line and field.
    assert.containsSubset(done, { status: 'completed', rows_imported: 6, rows_rejected: 4 })
    const errors = await db.from('import_errors').where('import_id', done.id).orderBy('line')
    assert.deepEqual(
      errors.map((e) => [e.line, e.field]),
      [
        [5, 'accountcode'],
        [6, 'accountcode'],
        [7, 'accountcode'],
        [8, 'accountcode'],
      ]
    )
    const page = await client.get(`/imports/${done.id}`).withInertia().loginAs(billing)
    assert.containsSubset(page.inertiaProps.routing, {
      customers: [{ accountNumber: 'ACME001', records: 4 }],
      unknown: 2,
    })
  }).timeout(60_000)
})
