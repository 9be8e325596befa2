import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import MappingProfile from '#models/mapping_profile'
import type Customer from '#models/customer'
import type User from '#models/user'
import { manualUploadDir } from '#connectors/manual_import'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'
import { cdr } from '#tests/helpers/peers/master_csv'
import { waitFor } from '#tests/helpers/wait_for'

const root = app.makePath('tmp', `connectors-upload-${process.pid}`)

/** The import once it has ended, and the upload folder once its file is gone. */
async function finished(importId: number) {
  let row: any
  await waitFor(async () => {
    row = await db.from('imports').where('id', importId).first()
    return !['pending', 'running'].includes(row.status)
  })
  await waitFor(async () => (await leftInUploadDir()).length === 0)
  return row
}

async function leftInUploadDir() {
  return readdir(manualUploadDir()).catch(() => [] as string[])
}

/** Posts the upload form as a browser does, without following the redirect. */
function postUpload(
  client: ApiClient,
  user: User,
  form: { customer: Customer; format: string; path: string }
) {
  return client
    .post('/imports/upload')
    .field('customerId', String(form.customer.id))
    .field('format', form.format)
    .file('file', form.path)
    .loginAs(user)
    .withCsrfToken()
    .redirects(0)
}

const importIdFrom = (location: string | undefined) =>
  Number(/^\/imports\/(\d+)$/.exec(location ?? '')?.[1])

test.group('Imports: upload a file', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    await rm(root, { recursive: true, force: true })
    await mkdir(root, { recursive: true })
    await rm(manualUploadDir(), { recursive: true, force: true })
  })
  group.teardown(async () => {
    await rm(root, { recursive: true, force: true })
  })

  test('an Asterisk file uploaded by a billing user is imported in the background; the same file again is skipped', async ({
    client,
    assert,
  }) => {
    const billing = await makeUser('billing')
    const customer = await makeCustomer()
    const other = await makeCustomer()
    const path = join(root, 'Master.csv')
    // Two billable calls, one unanswered (read, not billable), one with a negative billsec (rejected).
    await writeFile(
      path,
      [cdr(1), cdr(2), cdr(3, { 14: 'NO ANSWER' }), cdr(4, { 13: '-1' })].join('\n') + '\n'
    )

    const page = await client.get('/imports').withInertia().loginAs(billing)
    page.assertStatus(200)
    const upload = page.inertiaProps.upload
    assert.deepEqual(upload.formats, [
      { value: 'asterisk', label: 'Asterisk Master.csv' },
      { value: 'uk-standard-cdr', label: 'UK Standard CDR v3.01 (FCS)' },
    ])
    assert.sameMembers(
      upload.customers.map((c: any) => c.id),
      [customer.id, other.id]
    )

    const posted = await postUpload(client, billing, { customer, format: 'asterisk', path })
    posted.assertStatus(302)
    const importId = importIdFrom(posted.header('location'))
    assert.isAbove(importId, 0, posted.header('location'))

    const imp = await finished(importId)
    assert.containsSubset(imp, {
      connector_id: null,
      customer_id: customer.id,
      source_name: 'Master.csv',
      format: 'asterisk',
      status: 'completed',
      rows_read: 4,
      rows_imported: 2,
      rows_duplicate: 0,
      rows_rejected: 1,
      progress_pct: 100,
    })
    assert.match(imp.sha256, /^[0-9a-f]{64}$/)
    const records = await db
      .from('usage_records')
      .where('import_id', importId)
      .orderBy('dedupe_key')
      .select(
        'customer_id',
        'source',
        'dedupe_key',
        'identifier',
        'occurred_at',
        'duration_s',
        'category'
      )
    assert.deepEqual(
      records.map((r) => [
        r.customer_id,
        r.source,
        r.dedupe_key,
        r.identifier,
        Number(r.duration_s),
        r.category,
      ]),
      [
        [
          customer.id,
          `manual:asterisk:${customer.id}`,
          'ast:1751360400.1|2026-07-01 08:00:00|2001',
          '2001',
          60,
          'voice',
        ],
        [
          customer.id,
          `manual:asterisk:${customer.id}`,
          'ast:1751360400.2|2026-07-01 08:00:00|2002',
          '2002',
          60,
          'voice',
        ],
      ]
    )
    const errors = await db
      .from('import_errors')
      .where('import_id', importId)
      .select('line', 'field')
    assert.deepEqual(
      errors.map((e) => [e.line, e.field]),
      [[4, 'billsec']]
    )
    assert.deepEqual(await leftInUploadDir(), [])

    // Its page (the one the form redirects to) shows it with its progress.
    const show = await client.get(`/imports/${importId}`).withInertia().loginAs(billing)
    show.assertStatus(200)
    assert.containsSubset(show.inertiaProps.import, {
      id: importId,
      status: 'completed',
      progress_pct: 100,
      connector_id: null,
      customer_name: customer.name,
    })
    const audit = await db.from('audit_logs').where('action', 'import.uploaded')
    assert.lengthOf(audit, 1)
    assert.containsSubset(audit[0], {
      user_id: billing.id,
      subject_type: 'import',
      subject_id: importId,
    })

    // The same file again for the same customer and format: recorded as skipped, nothing read.
    const again = await postUpload(client, billing, { customer, format: 'asterisk', path })
    again.assertStatus(302)
    const secondId = importIdFrom(again.header('location'))
    assert.notEqual(secondId, importId)
    const skipped = await finished(secondId)
    assert.containsSubset(skipped, {
      status: 'skipped',
      rows_read: 0,
      rows_imported: 0,
      sha256: imp.sha256,
      error_message: `same file as import #${importId}`,
    })
    assert.equal(
      Number(
        (await db.from('usage_records').where('customer_id', customer.id).count('* as n'))[0].n
      ),
      2
    )

    // For another customer too: any route's import of the file counts, and the skip links to it.
    const forOther = await postUpload(client, billing, {
      customer: other,
      format: 'asterisk',
      path,
    })
    const otherImport = await finished(importIdFrom(forOther.header('location')))
    assert.containsSubset(otherImport, {
      status: 'skipped',
      customer_id: other.id,
      rows_imported: 0,
      same_as_import_id: importId,
    })
    assert.equal(Number((await db.from('usage_records').count('* as n'))[0].n), 2)
  }).timeout(60_000)

  test('a carrier file through a saved mapping profile', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const customer = await makeCustomer()
    await MappingProfile.create({
      name: 'carrier-x',
      config: {
        delimiter: ',',
        hasHeader: true,
        dateFormat: 'dd/MM/yyyy HH:mm',
        columns: { number: 'CLI', date: 'Date', duration: 'Secs' },
      },
    })
    const path = join(root, 'carrier-x.txt')
    await writeFile(
      path,
      'CLI,Date,Secs\n07700900123,01/07/2026 10:00,61\n07700900124,02/07/2026 11:30,5\n07700900125,bad date,9\n'
    )

    const page = await client.get('/imports').withInertia().loginAs(admin)
    assert.deepInclude(page.inertiaProps.upload.formats, {
      value: 'profile:carrier-x',
      label: 'Mapping profile: carrier-x',
    })

    const posted = await postUpload(client, admin, { customer, format: 'profile:carrier-x', path })
    posted.assertStatus(302)
    const imp = await finished(importIdFrom(posted.header('location')))
    assert.containsSubset(imp, {
      status: 'completed',
      format: 'profile:carrier-x',
      source_name: 'carrier-x.txt',
      rows_read: 3,
      rows_imported: 2,
      rows_rejected: 1,
    })
    const records = await db
      .from('usage_records')
      .where('import_id', imp.id)
      .orderBy('identifier')
      .select('identifier', 'duration_s', 'source')
    assert.deepEqual(
      records.map((r) => [r.identifier, Number(r.duration_s), r.source]),
      [
        ['+447700900123', 61, `manual:profile:carrier-x:${customer.id}`],
        ['+447700900124', 5, `manual:profile:carrier-x:${customer.id}`],
      ]
    )
  }).timeout(60_000)

  test('a file that cannot be imported is recorded as failed and its upload removed all the same', async ({
    client,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const customer = await makeCustomer()
    const path = join(root, 'wrong-shape.csv')
    await writeFile(path, 'a,b\nc,d\n')
    const posted = await postUpload(client, admin, { customer, format: 'asterisk', path })
    posted.assertStatus(302)
    const imp = await finished(importIdFrom(posted.header('location')))
    assert.equal(imp.status, 'failed')
    assert.match(imp.error_message, /every row has the wrong shape for asterisk/)
    assert.deepEqual(await leftInUploadDir(), [])
    assert.lengthOf(await db.from('usage_records'), 0)
  }).timeout(30_000)

  test('validation errors name the field and leave nothing behind', async ({ client, assert }) => {
    const admin = await makeUser('admin')
    const customer = await makeCustomer()
    const csv = join(root, 'Master.csv')
    await writeFile(csv, cdr(1) + '\n')
    const pdf = join(root, 'bill.pdf')
    await writeFile(pdf, '%PDF-1.4 not a csv')
    const post = () =>
      client
        .post('/imports/upload')
        .header('accept', 'application/json')
        .loginAs(admin)
        .withCsrfToken()
    const fields = (response: { body(): any }) =>
      (response.body().errors ?? []).map((e: any) => e.field)

    const badFormat = await post()
      .field('customerId', String(customer.id))
      .field('format', 'profile:nope')
      .file('file', csv)
    badFormat.assertStatus(422)
    assert.deepEqual(fields(badFormat), ['format'])
    assert.include(badFormat.body().errors[0].message, 'mapping profile')

    const noFile = await post().field('customerId', String(customer.id)).field('format', 'asterisk')
    noFile.assertStatus(422)
    assert.deepEqual(fields(noFile), ['file'])
    assert.equal(noFile.body().errors[0].message, 'Choose a file to upload')

    const wrongType = await post()
      .field('customerId', String(customer.id))
      .field('format', 'asterisk')
      .file('file', pdf)
    wrongType.assertStatus(422)
    assert.deepEqual(fields(wrongType), ['file'])
    assert.match(wrongType.body().errors[0].message, /extension/i)

    const noCustomer = await post()
      .field('customerId', '999999')
      .field('format', 'asterisk')
      .file('file', csv)
    noCustomer.assertStatus(422)
    assert.deepEqual(fields(noCustomer), ['customerId'])

    // A profile that exists but cannot be used: the error is on the format, after the parser is built.
    await MappingProfile.create({ name: 'half-done', config: { columns: { date: 'Date' } } })
    const broken = await client
      .post('/imports/upload')
      .field('customerId', String(customer.id))
      .field('format', 'profile:half-done')
      .file('file', csv)
      .header('referer', '/imports')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    broken.assertStatus(302)
    assert.equal(broken.header('location'), '/imports')
    const errorsBag = broken.flashMessages()?.errorsBag as Record<string, string> | undefined
    assert.match(String(errorsBag?.format), /^mapping profile: .*number/)

    // Through Inertia, as the page sends it: back to the form with the error under the field.
    const viaInertia = await client
      .post('/imports/upload')
      .field('customerId', String(customer.id))
      .field('format', 'asterisk')
      .withInertia()
      .header('referer', '/imports')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    viaInertia.assertStatus(302)
    assert.equal(viaInertia.header('location'), '/imports')
    assert.property(viaInertia.flashMessages()?.inputErrorsBag ?? {}, 'file')

    assert.lengthOf(await db.from('imports'), 0)
    assert.lengthOf(await db.from('usage_records'), 0)
    assert.deepEqual(await leftInUploadDir(), [])
  }).timeout(60_000)

  test('viewers get 403 and no upload form; nothing is read or stored', async ({
    client,
    assert,
  }) => {
    const viewer = await makeUser('viewer')
    const customer = await makeCustomer()
    const path = join(root, 'Master.csv')
    // Big enough to be still on its way when the refusal is decided: the client must get the answer, not a broken pipe.
    await writeFile(path, Array.from({ length: 3000 }, (_, i) => cdr(i)).join('\n') + '\n')
    const page = await client.get('/imports').withInertia().loginAs(viewer)
    page.assertStatus(200)
    assert.isNull(page.inertiaProps.upload)

    const posted = await postUpload(client, viewer, { customer, format: 'asterisk', path })
    posted.assertStatus(403)
    const anonymous = await client
      .post('/imports/upload')
      .field('format', 'asterisk')
      .file('file', path)
      .withCsrfToken()
      .redirects(0)
    anonymous.assertStatus(302)
    assert.equal(anonymous.header('location'), '/login')
    assert.lengthOf(await db.from('imports'), 0)
    assert.deepEqual(await leftInUploadDir(), [])
  }).timeout(30_000)
})
