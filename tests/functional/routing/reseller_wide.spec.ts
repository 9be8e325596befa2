import { test } from '@japa/runner'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { importFile } from '#connectors/import_file'
import { AsteriskParser } from '#connectors/asterisk'
import { assignUnknown, listUnknownServices } from '#consolidation/unknown_services'
import { addAlias, AliasConflict } from '#consolidation/account_aliases'
import { makeCustomer, makeEmployee, makeService } from '#tests/helpers/factories'
import { cleanSlate } from '#tests/helpers/clean_slate'
import { cdr } from '#tests/helpers/peers/master_csv'
import type Customer from '#models/customer'

const run = promisify(execFile)
const dir = app.makePath('tmp', `routing-reseller-${process.pid}`)

/** A Master.csv row: accountcode, src, start (London wall clock), billsec, uniqueid. */
function call(
  i: number,
  account: string,
  src: string,
  start = '2026-07-01 09:00:00',
  billsec = '60'
) {
  return cdr(i, { 0: account, 1: src, 4: `"x" <${src}>`, 9: start, 12: billsec, 13: billsec })
}

async function importAll(name: string, text: string, opts: { customer?: Customer | null } = {}) {
  const path = join(dir, name)
  await writeFile(path, text)
  const customer = opts.customer ?? null
  return importFile({
    path,
    customer,
    format: 'asterisk',
    parser: new AsteriskParser('Europe/London', customer?.timeZone ?? 'Europe/London'),
  })
}

const recordsOf = async (customerId: number) =>
  db
    .from('usage_records')
    .where('customer_id', customerId)
    .orderBy('occurred_at')
    .orderBy('id')
    .select('identifier', 'period', 'duration_s', 'occurred_at', 'rating_status', 'employee_id')
const count = async (table: string) => Number((await db.from(table).count('* as n'))[0].n)

test.group('Routing: reseller-wide imports', (group) => {
  cleanSlate(group, dir)

  test('each record goes to its customer by account code, alias or number owner; unknowns are queued; an unknown account is a line error', async ({
    assert,
  }) => {
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const brig = await makeCustomer({ accountNumber: 'BRIG002', timeZone: 'Asia/Tokyo' })
    const carr = await makeCustomer({ accountNumber: 'CARR003' })
    await addAlias({ customerId: carr.id, connectorId: null, alias: 'carr-x' }, null)
    await makeService(acme, {
      kind: 'mobile',
      identifier: '+447700900111',
      label: null,
    })
    const lines = [
      call(1, 'ACME001', '2001'),
      // Matched case-insensitively; 20:00 in London on 31 July is 1 August in Tokyo.
      call(2, 'brig002', '2001', '2026-07-31 20:00:00'),
      call(3, 'CARR-X', '2002'),
      call(4, '', '07700900111'),
      call(5, '', '07700900999'),
      call(6, 'NOPE', '2003'),
      cdr(7, { 14: 'NO ANSWER', 13: '0' }),
      call(8, '', '07700900999', '2026-07-02 10:00:00'),
    ]
    const summary = await importAll('wholesale.csv', lines.join('\n') + '\n')
    assert.deepInclude(summary, {
      status: 'completed',
      read: 8,
      imported: 6,
      duplicates: 0,
      rejected: 1,
      unknown: 2,
    })
    assert.deepEqual(summary.routed, { ACME001: 2, BRIG002: 1, CARR003: 1 })
    assert.deepEqual(summary.errors, [
      {
        line: 6,
        field: 'accountcode',
        message: 'account "NOPE" is no customer\'s account number or supplier account alias',
      },
    ])

    assert.deepEqual(
      (await recordsOf(acme.id)).map((r) => [r.identifier, r.period]),
      [
        ['2001', '2026-07'],
        ['+447700900111', '2026-07'],
      ]
    )
    assert.deepEqual(
      (await recordsOf(brig.id)).map((r) => [r.identifier, r.period]),
      [['2001', '2026-08']]
    )
    assert.deepEqual(
      (await recordsOf(carr.id)).map((r) => r.identifier),
      ['2002']
    )
    // Routed records are mapped and rated like any import (no tariff here: unrated, not pending).
    assert.notInclude(
      (await recordsOf(acme.id)).map((r) => r.rating_status),
      'pending'
    )
    const imp = await db.from('imports').where('id', summary.import_id).first()
    assert.isNull(imp.customer_id)

    const queue = await listUnknownServices()
    assert.containsSubset(queue.rows, [
      {
        identifier: '+447700900999',
        supplier: 'Upload',
        records: 2,
        firstSeen: '2026-07-01 08:00:00',
        lastSeen: '2026-07-02 09:00:00',
        costE4: null,
      },
    ])
    assert.deepEqual(queue.totals, { identifiers: 1, records: 2 })
    assert.deepEqual((await listUnknownServices({ search: '0999' })).rows.length, 1)
    assert.deepEqual((await listUnknownServices({ search: '1234' })).rows.length, 0)

    // The same calls again, CRLF instead of LF and in another order: a new file, 0 new records.
    const copy = await importAll('wholesale-crlf.csv', [...lines].reverse().join('\r\n') + '\r\n')
    assert.deepInclude(copy, {
      status: 'completed',
      imported: 0,
      duplicates: 6,
      rejected: 1,
      unknown: 0,
    })
    // And read for one customer (as before this change): still stored once.
    const scoped = await importAll('acme-only.csv', [lines[0], lines[3], ''].join('\n'), {
      customer: acme,
    })
    assert.deepInclude(scoped, { status: 'completed', imported: 0, duplicates: 2 })
    assert.equal(await count('usage_records'), 4)
    assert.equal(await count('unknown_usage_records'), 2)
  }).timeout(60_000)

  test('the owner of a number on the record date gets it; two owners at once cannot be told apart', async ({
    assert,
  }) => {
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const brig = await makeCustomer({ accountNumber: 'BRIG002' })
    await makeService(acme, {
      kind: 'mobile',
      identifier: '+447700900200',
      label: null,
    })
    const moved = await makeService(brig, {
      kind: 'mobile',
      identifier: '+447700900200',
      label: null,
    })
    await db.from('services').where('id', moved.id).update({ owned_from: '2026-07-09 23:00:00' })
    await makeService(acme, {
      kind: 'extension',
      identifier: '2005',
      label: null,
    })
    await makeService(brig, {
      kind: 'extension',
      identifier: '2005',
      label: null,
    })
    const summary = await importAll(
      'owners.csv',
      [
        call(1, '', '07700900200', '2026-07-09 12:00:00'),
        call(2, '', '07700900200', '2026-07-10 12:00:00'),
        call(3, '', '2005', '2026-07-10 12:00:00'),
      ].join('\n') + '\n'
    )
    assert.deepInclude(summary, { imported: 3, unknown: 1 })
    assert.deepEqual(summary.routed, { ACME001: 1, BRIG002: 1 })
    assert.deepEqual(
      (await recordsOf(acme.id)).map((r) => r.identifier),
      ['+447700900200']
    )
    assert.deepEqual(
      (await recordsOf(brig.id)).map((r) => r.identifier),
      ['+447700900200']
    )
    assert.deepEqual(
      (await listUnknownServices()).rows.map((r) => r.identifier),
      ['2005']
    )
  }).timeout(60_000)

  test('assigning an unknown number from a date moves its later records to the customer (mapped to the employee) and routes new ones', async ({
    assert,
  }) => {
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const bob = await makeEmployee(acme, {
      name: 'Bob Jones',
      email: 'bob@acme.example',
      active: true,
    } as any)
    await importAll(
      'first.csv',
      [
        call(1, '', '07700900999', '2026-06-30 10:00:00'),
        call(2, '', '07700900999', '2026-07-15 10:00:00'),
        call(3, '', '07700900999', '2026-07-16 10:00:00'),
      ].join('\n') + '\n'
    )
    assert.equal(await count('unknown_usage_records'), 3)

    const result = await assignUnknown(
      { identifier: '+447700900999', customerId: acme.id, employeeId: bob.id, from: '2026-07-01' },
      null
    )
    assert.deepEqual(result, { customerId: acme.id, records: 2, periods: ['2026-07'] })
    const records = await recordsOf(acme.id)
    assert.deepEqual(
      records.map((r) => [r.identifier, r.period, r.employee_id]),
      [
        ['+447700900999', '2026-07', bob.id],
        ['+447700900999', '2026-07', bob.id],
      ]
    )
    assert.notInclude(
      records.map((r) => r.rating_status),
      'pending'
    )
    // The June call stays queued: the customer has the number from July on.
    const queue = await listUnknownServices()
    assert.deepEqual(
      queue.rows.map((r) => [r.identifier, r.records]),
      [['+447700900999', 1]]
    )
    const service = await db
      .from('services')
      .where('customer_id', acme.id)
      .where('identifier', '+447700900999')
      .first()
    assert.equal(service.kind, 'mobile')
    assert.isNotNull(service.owned_from)
    const audit = await db.from('audit_logs').where('action', 'unknown_service.assign').first()
    assert.containsSubset(audit, { subject_type: 'service', subject_id: service.id })

    // A later file routes the number to the customer directly.
    const later = await importAll(
      'later.csv',
      call(4, '', '07700900999', '2026-07-20 10:00:00') + '\n'
    )
    assert.deepInclude(later, { imported: 1, unknown: 0 })
    assert.deepEqual(later.routed, { ACME001: 1 })
    assert.lengthOf(await recordsOf(acme.id), 3)
  }).timeout(60_000)

  test("an alias for one feed routes only that feed's records", async ({ assert }) => {
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const brig = await makeCustomer({ accountNumber: 'BRIG002' })
    const feedA = await Connector.create({
      name: 'Carrier A',
      type: 'asterisk',
      transport: 'folder',
      customerId: null,
      enabled: true,
      settings: { path: '/a' },
    })
    const feedB = await Connector.create({
      name: 'Carrier B',
      type: 'asterisk',
      transport: 'folder',
      customerId: null,
      enabled: true,
      settings: { path: '/b' },
    })
    // Both carriers call their customer "100": ACME at A, BRIG at B.
    await addAlias({ customerId: acme.id, connectorId: feedA.id, alias: '100' }, null)
    await addAlias({ customerId: brig.id, connectorId: feedB.id, alias: '100' }, null)
    const viaA = join(dir, 'a.csv')
    const viaB = join(dir, 'b.csv')
    await writeFile(viaA, call(1, '100', '2001') + '\n')
    await writeFile(viaB, call(2, '100', '2001') + '\n')
    const parser = () => new AsteriskParser('Europe/London', 'Europe/London')
    const a = await importFile({
      path: viaA,
      customer: null,
      connector: feedA,
      format: 'asterisk',
      parser: parser(),
    })
    const b = await importFile({
      path: viaB,
      customer: null,
      connector: feedB,
      format: 'asterisk',
      parser: parser(),
    })
    assert.deepEqual([a.routed, b.routed], [{ ACME001: 1 }, { BRIG002: 1 }])
    // An upload knows neither feed's alias.
    const upload = await importAll('c.csv', call(3, '100', '2001') + '\n')
    assert.deepInclude(upload, { imported: 0, rejected: 1 })
  }).timeout(60_000)

  test('supplier account aliases are one customer per feed and never another account number', async ({
    assert,
  }) => {
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const brig = await makeCustomer({ accountNumber: 'BRIG002' })
    await addAlias({ customerId: acme.id, connectorId: null, alias: 'PBX-1' }, null)
    await assert.rejects(
      () => addAlias({ customerId: brig.id, connectorId: null, alias: 'pbx-1' }, null),
      /already an alias of/
    )
    await assert.rejects(
      () => addAlias({ customerId: brig.id, connectorId: null, alias: 'acme001' }, null),
      /is the account number of/
    )
    await assert.rejects(
      () => addAlias({ customerId: acme.id, connectorId: null, alias: 'PBX-1' }, null),
      AliasConflict
    )
    const audit = await db.from('audit_logs').where('action', 'account_alias.create')
    assert.lengthOf(audit, 1)
  })

  test('after adding an alias for an unknown account, reading the file again with force stores only the rejected rows', async ({
    assert,
  }) => {
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const path = join(dir, 'pbx.csv')
    await writeFile(
      path,
      [call(1, 'ACME001', '2001'), call(2, 'PBX-7', '2002'), call(3, 'PBX-7', '2003')].join('\n') +
        '\n'
    )
    const parser = () => new AsteriskParser('Europe/London', 'Europe/London')
    const first = await importFile({ path, customer: null, format: 'asterisk', parser: parser() })
    assert.deepInclude(first, { imported: 1, rejected: 2 })
    await addAlias({ customerId: acme.id, connectorId: null, alias: 'pbx-7' }, null)
    const again = await importFile({ path, customer: null, format: 'asterisk', parser: parser() })
    assert.deepInclude(again, { status: 'skipped', same_as_import_id: first.import_id })
    const forced = await importFile({
      path,
      customer: null,
      format: 'asterisk',
      parser: parser(),
      force: true,
    })
    assert.deepInclude(forced, { status: 'completed', imported: 2, duplicates: 1, rejected: 0 })
    assert.lengthOf(await recordsOf(acme.id), 3)
  }).timeout(60_000)

  test('a big file mixing routed and unknown records goes in whole (LOAD DATA streaming while unknowns wait, spilled to disk)', async ({
    assert,
  }) => {
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const rows = Array.from({ length: 14_000 }, (_, i) => {
      const at = new Date(Date.UTC(2026, 6, 1) + i * 60_000)
        .toISOString()
        .slice(0, 19)
        .replace('T', ' ')
      return call(
        i + 1,
        i % 2 ? 'ACME001' : '',
        i % 2 ? '2001' : `0780090${String(i % 1000).padStart(4, '0')}`,
        at
      )
    })
    const summary = await importAll('big.csv', rows.join('\n') + '\n')
    assert.deepInclude(summary, {
      status: 'completed',
      read: 14_000,
      imported: 14_000,
      unknown: 7000,
      rejected: 0,
    })
    assert.equal(summary.routed!.ACME001, 7000)
    assert.lengthOf(await recordsOf(acme.id), 7000)
    assert.equal((await listUnknownServices()).totals.identifiers, 500)
  }).timeout(120_000)

  test('node ace usage:import FILE --format asterisk without --customer is reseller-wide; --json has routed and unknown', async ({
    assert,
  }) => {
    await makeCustomer({ accountNumber: 'ACME001' })
    const path = join(dir, 'cli.csv')
    await writeFile(
      path,
      [call(1, 'ACME001', '2001'), call(2, '', '07700900999'), call(3, 'NOPE', '2001')].join('\n') +
        '\n'
    )
    const env = { ...process.env, NODE_ENV: 'test' }
    const { stdout } = await run(
      'node',
      ['ace', 'usage:import', path, '--format', 'asterisk', '--json'],
      { cwd: app.makePath(), env }
    ).catch((e) => e)
    const out = JSON.parse(stdout.trim().split('\n').pop())
    assert.containsSubset(out, {
      status: 'completed',
      read: 3,
      imported: 2,
      rejected: 1,
      routed: { ACME001: 1 },
      unknown: 1,
    })
    assert.containsSubset(out.errors, [{ line: 3, field: 'accountcode' }])
  }).timeout(90_000)
})
