import { test } from '@japa/runner'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { importFile } from '#connectors/import_file'
import { AsteriskParser } from '#connectors/asterisk'
import { makeCustomer } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'
import { cdr } from '#tests/helpers/peers/master_csv'
import { zipFile } from '#tests/helpers/zip_file'
import type Customer from '#models/customer'

const dir = app.makePath('tmp', `resilience-hostile-${process.pid}`)

async function importBytes(customer: Customer, name: string, data: string | Buffer) {
  const path = join(dir, name)
  await writeFile(path, data)
  return importFile({
    path,
    customer,
    format: 'asterisk',
    parser: new AsteriskParser('Europe/London', customer.timeZone),
    process: false,
  })
}

const errorsOf = (importId: number) =>
  db.from('import_errors').where('import_id', importId).orderBy('line')

test.group('Hostile files through the import pipeline', (group) => {
  group.each.setup(() => truncateAll())
  group.setup(async () => {
    await mkdir(dir, { recursive: true })
  })
  group.teardown(() => rm(dir, { recursive: true, force: true }))

  test('a 30-digit billsec or a 10,000-character field rejects its row with line and field; the rest of the file imports', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const text =
      [
        cdr(1),
        cdr(2, { 13: '9'.repeat(30) }),
        cdr(3, { 8: 'x'.repeat(10_000) }),
        cdr(4, { 2: '9'.repeat(70) }),
      ].join('\n') + '\n'
    const summary = await importBytes(customer, 'ranges.csv', text)
    assert.deepInclude(summary, { status: 'completed', read: 4, imported: 1, rejected: 3 })
    const errors = await errorsOf(summary.import_id)
    assert.deepEqual(
      errors.map((e) => [e.line, e.field]),
      [
        [2, 'billsec'],
        [3, 'column 9'],
        [4, 'destination'],
      ]
    )
    assert.match(errors[0].message, /billsec "9{30}" is out of range/)
    assert.equal(
      errors[1].message,
      'column 9 is 10,000 characters long, more than the 4,096 allowed'
    )
    assert.match(errors[2].message, /destination is 70 characters long, more than the 64 allowed/)
  })

  test('binary fails the import with one clear error and no rejected rows', async ({ assert }) => {
    const customer = await makeCustomer()
    const summary = await importBytes(customer, 'random.bin', randomBytes(300_000))
    assert.equal(summary.status, 'failed')
    assert.match(summary.error!, /^the file is binary, not text/)
    assert.lengthOf(await errorsOf(summary.import_id), 0)
    assert.isFalse(summary.retryable)
  })

  test('a 100 MB line fails the import naming the line, quickly', async ({ assert }) => {
    const customer = await makeCustomer()
    const started = Date.now()
    const summary = await importBytes(
      customer,
      'one-line.csv',
      cdr(1) + '\n' + 'y'.repeat(100 * 1024 * 1024)
    )
    assert.equal(summary.status, 'failed')
    assert.match(summary.error!, /^line 2 is longer than 65,536 characters/)
    assert.isBelow(Date.now() - started, 15_000)
  }).timeout(60_000)

  test('UTF-16, Windows-1252, .gz and .zip files import like plain UTF-8', async ({ assert }) => {
    const customer = await makeCustomer()
    const rows = (from: number) =>
      [cdr(from, { 4: '"José" <2001>' }), cdr(from + 1)].join('\r\n') + '\r\n'
    const utf16 = await importBytes(
      customer,
      'u16.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows(1), 'utf16le')])
    )
    const latin1 = await importBytes(customer, 'latin1.csv', Buffer.from(rows(3), 'latin1'))
    const gz = await importBytes(customer, 'cdr.csv.gz', gzipSync(Buffer.from(rows(5))))
    const zip = await importBytes(
      customer,
      'cdr.zip',
      zipFile([{ name: 'Master.csv', data: rows(7) }])
    )
    for (const s of [utf16, latin1, gz, zip])
      assert.deepInclude(s, { status: 'completed', read: 2, imported: 2, rejected: 0 })
    assert.equal(
      Number(
        (await db.from('usage_records').where('customer_id', customer.id).count('* as n'))[0].n
      ),
      8
    )
  })
})
