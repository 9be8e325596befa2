import { test } from '@japa/runner'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { importFile } from '#connectors/import_file'
import { connectorType, parserForFormat } from '#connectors/registry'
import {
  assignCustomer,
  findOrCreateTariff,
  rerate,
  saveRate,
  TariffAssignmentError,
} from '#rating/tariffs'
import { rateUsage } from '#rating/rate_usage'
import { blockedCounts } from '#billing/compute'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'
import { outbound, ukCdrFile } from '#tests/helpers/uk_cdr'
import { UK_CDR_COLUMNS } from '#connectors/uk_standard_cdr_parser'
import type { RateFields } from '#rating/types'

const run = promisify(execFile)
const dir = app.makePath('tmp', `ukcdr-${process.pid}`)

const rate = (
  prefix: string,
  perMinuteMicros: number,
  category = 'national',
  destination = `Dest ${prefix}`
): RateFields => ({
  prefix,
  destination,
  category,
  peakMicros: perMinuteMicros,
  offpeakMicros: perMinuteMicros,
  weekendMicros: perMinuteMicros,
  connectionMicros: 0,
  minimumMicros: 0,
  initialS: 60,
  subsequentS: 60,
  effectiveFrom: '2026-01-01',
})

async function tariff(name: string, kind: 'sell' | 'buy', rates: RateFields[]) {
  const { id } = await db.transaction((trx) =>
    findOrCreateTariff(name, { kind, supplier: kind === 'buy' ? 'Carrier plc' : null }, null, trx)
  )
  for (const r of rates) await saveRate(id, r, null)
  return id
}

test.group('UK Standard CDR import', (group) => {
  group.each.setup(() => truncateAll())
  group.setup(async () => {
    await mkdir(dir, { recursive: true })
  })
  group.teardown(() => rm(dir, { recursive: true, force: true }))

  test('a file with each record type lands: costs from Salesprice, account, charge codes, internal and inbound apart', async ({
    assert,
  }) => {
    const customer = await makeCustomer({ accountNumber: 'ACME001' })
    const sell = await tariff('Sell UK', 'sell', [
      rate('44', 1_200_000),
      rate('448', 0, 'inbound', 'Freephone inbound'),
    ])
    await assignCustomer(customer.id, sell, '2026-01-01', null)
    const rows = [
      outbound('ACME001', 'R-1'),
      outbound('ACME001', 'R-2', {
        'Call Type': 'I',
        'Telephone Number Dialled': '+441632960001',
        'DDI': '+441632960001',
        'Salesprice': '0',
      }),
      outbound('ACME001', 'R-3', {
        'Call Type': 'D',
        'Telephone Number Dialled': '',
        'Bytes Transmitted': '2048',
        'Bytes Received': '1024',
        'APN': 'internet',
        'Salesprice': '0.002',
      }),
      outbound('ACME001', 'R-4', {
        'Call Type': 'S',
        'Duration': '0',
        'Telephone Number Dialled': '+447700900999',
        'Salesprice': '0.03',
      }),
      outbound('ACME001', 'R-5', { 'Telephone Number Dialled': '*72*2010', 'Salesprice': '0' }),
      outbound('ACME001', 'DIVERTED_INBOUND_9', {
        'Call Type': 'I',
        'Telephone Number Dialled': '+441632960002',
        'DDI': '+441632960002',
        'Presentation Number': '+447700900555',
      }),
      outbound('ACME001', 'DIVERTED_OUTBOUND_9', {
        'Telephone Number Dialled': '+447700900321',
        'Diverted Number': '+441632960002',
        'Presentation Number': '+447700900555',
        'Salesprice': '0.0500',
      }),
      outbound('ACME001', 'R-8', { 'Call Date': '2026-07-03' }),
      outbound('ACME001', 'R-9', { Currency: 'EUR' }),
    ]
    const path = join(dir, 'calls.csv')
    await writeFile(path, ukCdrFile(rows))
    const parser = await parserForFormat('uk-standard-cdr', { customer, settings: {} })
    const summary = await importFile({ path, customer, format: 'uk-standard-cdr', parser })
    assert.equal(summary.status, 'completed')
    assert.deepInclude(summary, { read: 9, imported: 7, rejected: 2, internal: 1 })
    assert.deepEqual(
      summary.errors.map((e) => [e.line, e.field]),
      [
        [9, 'Call Date'],
        [10, 'Currency'],
      ]
    )
    const imp = await db.from('imports').where('id', summary.import_id).first()
    assert.equal(imp.rows_internal, 1)

    const byKey = Object.fromEntries(
      (await db.from('usage_records').where('customer_id', customer.id)).map((r: any) => [
        r.dedupe_key,
        r,
      ])
    )
    assert.deepInclude(byKey['ukcdr:R-1'], {
      identifier: '+441632960001',
      destination: '442079460018',
      cost_e4: 125,
      cost_origin: 'supplier',
      charge_code: 'UKGEO',
      time_band: 'Peak',
      duration_s: 125,
      rating_status: 'rated',
    })
    // 125 s → 180 s billable at 1.20/min = 3.60
    assert.equal(Number(byKey['ukcdr:R-1'].price_e4), 36_000)
    // Inbound is not billed unless the deck has an inbound rate for it.
    assert.deepInclude(byKey['ukcdr:R-2'], { category: 'inbound', rating_status: 'rated' })
    assert.equal(Number(byKey['ukcdr:R-2'].price_e4), 0)
    assert.equal(Number(byKey['ukcdr:R-3'].volume_bytes), 3072)
    assert.equal(byKey['ukcdr:R-4'].category, 'sms')
    assert.deepInclude(byKey['ukcdr:R-5'], {
      category: 'internal',
      destination: '*72*2010',
      rating_status: 'internal',
    })
    assert.equal(Number(byKey['ukcdr:R-5'].price_e4), 0)
    assert.equal(byKey['ukcdr:DIVERTED_OUTBOUND_9'].identifier, '+441632960002')
    // Internal calls never block the bill as if unrated.
    assert.deepEqual(await blockedCounts(db.connection(), customer.id, '2026-07'), {
      unrated: 0,
      pending: 0,
      late: 0,
    })
    assert.equal(byKey['ukcdr:DIVERTED_INBOUND_9'].category, 'inbound')

    // The same calls again (another file name, one byte changed by a trailing blank line): no new record.
    const again = join(dir, 'calls-again.csv')
    await writeFile(again, ukCdrFile(rows) + '\r\n')
    const second = await importFile({
      path: again,
      customer,
      format: 'uk-standard-cdr',
      parser: await parserForFormat('uk-standard-cdr', { customer, settings: {} }),
    })
    assert.deepInclude(second, { status: 'completed', imported: 0, duplicates: 7 })
  })

  test('a header without a required column fails the file naming line and field; nothing is written', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const header = UK_CDR_COLUMNS.filter((c) => c !== 'Record ID')
    const path = join(dir, 'missing.csv')
    await writeFile(path, ukCdrFile([outbound('ACME001', 'R-1').slice(0, header.length)], header))
    const summary = await importFile({
      path,
      customer,
      format: 'uk-standard-cdr',
      parser: await parserForFormat('uk-standard-cdr', { customer, settings: {} }),
    })
    assert.equal(summary.status, 'failed')
    assert.match(summary.error!, /^line 1: field Record ID: the header has no "Record ID" column/)
    assert.equal(Number((await db.from('usage_records').count('* as n'))[0].n), 0)
    assert.equal(Number((await db.from('import_errors').count('* as n'))[0].n), 0)
  })

  test('service charges are kept as supplier-cost lines, once', async ({ assert }) => {
    const customer = await makeCustomer({ accountNumber: 'ACME001' })
    const header = [
      'Charge Type',
      'Customer Identifier',
      'Telephone Number',
      'Description',
      'Chargecode',
      'Charge From Date',
      'Charge To Date',
      'Quantity',
      'Salesprice',
      'Currency',
      'Record ID',
    ]
    const text = ukCdrFile(
      [
        [
          'R',
          'ACME001',
          '01632 960001',
          'SIP trunk rental',
          'SIPT',
          '01/07/2026',
          '31/07/2026',
          '2',
          '9.50',
          'GBP',
          'S-1',
        ],
        ['O', 'ACME001', '', 'Installation', 'INST', '03/07/2026', '', '1', '45.00', 'GBP', 'S-2'],
        ['C', 'ACME001', '', 'Goodwill credit', '', '03/07/2026', '', '1', '-5.00', 'GBP', 'S-3'],
        ['R', 'ACME001', '', 'Bad', '', '31/13/2026', '', '1', '1.00', 'GBP', 'S-4'],
      ],
      header
    )
    const path = join(dir, 'charges.csv')
    await writeFile(path, text)
    const summary = await importFile({
      path,
      customer,
      format: 'uk-standard-cdr',
      parser: await parserForFormat('uk-standard-cdr', { customer, settings: {} }),
    })
    assert.deepInclude(summary, { status: 'completed', imported: 0, charges: 3, rejected: 1 })
    assert.deepEqual(
      summary.errors.map((e) => [e.line, e.field]),
      [[5, 'Charge From Date']]
    )
    const charges = await db.from('supplier_charges').orderBy('dedupe_key')
    assert.deepEqual(
      charges.map((c: any) => [c.dedupe_key, c.charge_type, Number(c.cost_e4), c.quantity]),
      [
        ['ukcdr:S-1', 'rental', 95_000, 2],
        ['ukcdr:S-2', 'one_off', 450_000, 1],
        ['ukcdr:S-3', 'credit', -50_000, 1],
      ]
    )
    assert.deepInclude(charges[0], {
      account: 'ACME001',
      identifier: '+441632960001',
      currency: 'GBP',
      import_id: summary.import_id,
      customer_id: customer.id,
    })
    assert.equal((await db.from('imports').where('id', summary.import_id).first()).rows_charges, 3)
    await writeFile(path + '2', text + '\r\n')
    const again = await importFile({
      path: path + '2',
      customer,
      format: 'uk-standard-cdr',
      parser: await parserForFormat('uk-standard-cdr', { customer, settings: {} }),
    })
    assert.equal(again.charges, 0)
    assert.equal(Number((await db.from('supplier_charges').count('* as n'))[0].n), 3)
  })

  test("records without a supplier cost get their cost from the connector's buy deck; a deck change re-costs them", async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const sell = await tariff('Sell', 'sell', [rate('44', 1_200_000)])
    const buy = await tariff('Carrier buy', 'buy', [rate('44', 600_000)])
    await assignCustomer(customer.id, sell, '2026-01-01', null)
    await assert.rejects(() => assignCustomer(customer.id, buy, '2026-02-01', null), /buy deck/)
    const connector = await Connector.create({
      name: 'PBX',
      type: 'asterisk',
      transport: 'folder',
      customerId: customer.id,
      settings: { path: dir, buyTariff: 'Carrier buy', internalLengths: '4' },
      enabled: true,
    })
    const row = (id: string, dst: string, billsec: string) =>
      [
        '',
        '2001',
        dst,
        'from-internal',
        '',
        'SIP/2001-1',
        '',
        'Dial',
        '',
        '2026-07-01 09:00:00',
        '2026-07-01 09:00:05',
        '2026-07-01 09:01:35',
        billsec,
        billsec,
        'ANSWERED',
        'DOCUMENTATION',
        '',
        id,
      ].join(',')
    const path = join(dir, 'Master.csv')
    await writeFile(
      path,
      [row('u1', '02079460018', '90'), row('u2', '2005', '30'), row('u3', '*72*2010', '30')].join(
        '\n'
      ) + '\n'
    )
    const parser = await connectorType('asterisk').createParser!({
      customer,
      connector,
      settings: connector.settings!,
    })
    const summary = await importFile({ path, customer, connector, format: 'asterisk', parser })
    assert.deepInclude(summary, { imported: 3, internal: 2 })
    const recs = Object.fromEntries(
      (await db.from('usage_records').where('customer_id', customer.id)).map((r: any) => [
        r.dedupe_key.split('|')[0].replace('ast:', ''),
        r,
      ])
    )
    // 90 s → 120 s: cost at 0.60/min = 1.20, price at 1.20/min = 2.40
    assert.deepInclude(recs.u1, { cost_origin: 'deck', rating_status: 'rated' })
    assert.equal(Number(recs.u1.cost_e4), 12_000)
    assert.equal(Number(recs.u1.price_e4), 24_000)
    for (const k of ['u2', 'u3']) {
      assert.deepInclude(recs[k], { rating_status: 'internal', cost_e4: null })
      assert.equal(Number(recs[k].price_e4), 0)
    }
    await saveRate(buy, rate('44', 900_000), null)
    const summaryRerate = await rerate({ tariffId: buy })
    assert.equal(summaryRerate.changed, 1)
    const u1 = await db.from('usage_records').where('dedupe_key', 'like', 'ast:u1|%').first()
    assert.equal(Number(u1.cost_e4), 18_000)
    assert.equal((await rateUsage({ customerId: customer.id })).changed, 0)
    assert.instanceOf(new TariffAssignmentError('x'), Error)
  })

  test('the import page counts internal calls and service charges apart', async ({
    client,
    assert,
  }) => {
    const customer = await makeCustomer()
    const viewer = await makeUser('viewer')
    const path = join(dir, 'page.csv')
    await writeFile(
      path,
      ukCdrFile([
        outbound('ACME001', 'P-1'),
        outbound('ACME001', 'P-2', { 'Telephone Number Dialled': '#31#' }),
      ])
    )
    const summary = await importFile({
      path,
      customer,
      format: 'uk-standard-cdr',
      parser: await parserForFormat('uk-standard-cdr', { customer, settings: {} }),
    })
    const page = await client.get(`/imports/${summary.import_id}`).withInertia().loginAs(viewer)
    page.assertStatus(200)
    assert.deepInclude(page.inertiaProps.import, {
      rows_imported: 2,
      rows_internal: 1,
      rows_charges: 0,
    })
  })

  test('usage:import --format uk-standard-cdr from the command line', async ({ assert }) => {
    const customer = await makeCustomer()
    const path = join(dir, 'cli.csv')
    await writeFile(
      path,
      ukCdrFile([
        outbound('ACME001', 'C-1'),
        outbound('ACME001', 'C-2', { 'Telephone Number Dialled': 'voicemail*101' }),
      ])
    )
    const { stdout } = await run(
      'node',
      [
        'ace',
        'usage:import',
        path,
        '--customer',
        customer.accountNumber,
        '--format',
        'uk-standard-cdr',
        '--json',
      ],
      { cwd: app.makePath(), env: process.env }
    )
    const out = JSON.parse(stdout)
    assert.deepInclude(out, { status: 'completed', imported: 2, internal: 1 })
  }).timeout(60_000)
})
