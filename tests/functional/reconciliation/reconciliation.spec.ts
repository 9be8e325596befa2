import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { createRun, finalizeRun } from '#billing/runs'
import { reconcile, differenceCounts, reconciliationCsv } from '#reconciliation/reconcile'
import { enterSupplierTotal, importSupplierBillCsv } from '#reconciliation/supplier_bills'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { importFile } from '#connectors/import_file'
import { parserForFormat } from '#connectors/registry'
import { ukCdrFile } from '#tests/helpers/uk_cdr'

const T = '2026-01-01 00:00:00'
let seq = 0

async function connector(
  name: string,
  type: string,
  customerId: number | null = null,
  settings: Record<string, any> = {}
) {
  const [id] = await db.table('connectors').insert({
    name,
    type,
    transport: 'local',
    customer_id: customerId,
    settings: JSON.stringify(settings),
    enabled: true,
    created_at: T,
  })
  return Number(id)
}

async function importOf(
  connectorId: number,
  customerId: number,
  format = 'csv',
  rawPath: string | null = null
) {
  const [id] = await db.table('imports').insert({
    connector_id: connectorId,
    customer_id: customerId,
    source_name: `file-${seq}`,
    format,
    sha256: `${'0'.repeat(60)}${String(seq++).padStart(4, '0')}`,
    raw_path: rawPath,
    status: 'done',
    created_at: '2026-10-20 00:00:00',
  })
  return Number(id)
}

async function service(customerId: number, kind: string, identifier: string) {
  const [id] = await db
    .table('services')
    .insert({ customer_id: customerId, kind, identifier, created_at: T })
  return Number(id)
}

async function record(
  customerId: number,
  importId: number,
  serviceId: number,
  identifier: string,
  costE4: number | null,
  priceE4: number | null,
  day = 10,
  period = '2026-10'
) {
  await db.table('usage_records').insert({
    customer_id: customerId,
    source: `connector:test`,
    dedupe_key: `r-${seq++}`,
    import_id: importId,
    service_id: serviceId,
    identifier,
    occurred_at: `${period}-${String(day).padStart(2, '0')} 11:00:00`,
    period,
    category: 'uk_landline',
    destination: '442079460000',
    duration_s: 60,
    quantity: 1,
    cost_e4: costE4,
    price_e4: priceE4,
    rating_status: priceE4 === null ? 'unrated' : 'rated',
  })
}

async function licence(
  customerId: number,
  skuId: string,
  upn: string,
  priceE4: number,
  costE4: number,
  startsOn = '2026-10-01'
) {
  await db.table('recurring_charges').insert({
    customer_id: customerId,
    description: 'Microsoft 365',
    category: 'licence',
    quantity: 1,
    unit_price_e4: priceE4,
    unit_cost_e4: costE4,
    starts_on: startsOn,
    origin: 'm365',
    external_ref: `${skuId}:${upn}`,
    created_at: T,
  })
}

/** A snapshot as the m365 connector keeps it on the drive (app/connectors/m365.ts). */
async function m365Snapshot(connectorId: number, customerId: number, skus: any[]) {
  const path = `imports/test-m365-${connectorId}-${seq++}`
  await drive.use().put(path, JSON.stringify({ users: [], skus, reports: {} }))
  await importOf(connectorId, customerId, 'm365', path)
}

test.group('Three-way reconciliation', (group) => {
  group.each.setup(() => truncateAll())

  test('planted leakage — an unbilled number, an unpaid seat, a supplier total off by £10.00 — is found exactly, and nothing else', async ({
    assert,
    client,
  }) => {
    const customer = await makeCustomer()
    const carrier = await connector('Carrier X wholesale', 'csv')
    const imp = await importOf(carrier, customer.id)
    const mobile = await service(customer.id, 'mobile', '+447700900001')
    const ddi = await service(customer.id, 'ddi', '+442070000002')
    for (let i = 0; i < 3; i++)
      await record(customer.id, imp, mobile, '+447700900001', 1_000, 2_000, 10 + i)
    // the unbilled number: the supplier charges for its calls, the tariff prices them at nothing
    for (let i = 0; i < 2; i++)
      await record(customer.id, imp, ddi, '+442070000002', 5_000, 0, 12 + i)

    const m365 = await connector('Contoso Microsoft 365', 'm365', customer.id)
    await m365Snapshot(m365, customer.id, [
      { skuId: 'sku-e3', skuPartNumber: 'SPE_E3', prepaidUnits: { enabled: 3 }, consumedUnits: 2 },
    ])
    await licence(customer.id, 'sku-e3', 'ann@contoso.example', 300_000, 250_000)
    await licence(customer.id, 'sku-e3', 'bob@contoso.example', 300_000, 250_000)

    const run = await createRun({ period: '2026-10', customerIds: [customer.id] })
    await finalizeRun(run.run.id)

    // imported cost £1.30; the supplier's bill says £11.30
    const billing = await makeUser('billing')
    const saved = await client
      .post(`/reconciliation/suppliers/${carrier}/total`)
      .json({ period: '2026-10', total: '£11.30' })
      .loginAs(billing)
      .withCsrfToken()
      .redirects(0)
    saved.assertStatus(302)

    const r = await reconcile('2026-10')
    assert.deepEqual(differenceCounts(r), {
      supplier_totals: 1,
      cost_no_price: 0,
      leakage: 1,
      billed_no_cost: 0,
      seats: 1,
      idle: 0,
      right_size: 0,
    })
    assert.deepEqual(
      r.supplierTotals.map((d) => [d.connector, d.supplierMinor, d.importedMinor, d.deltaMinor]),
      [['Carrier X wholesale', 1130, 130, 1000]]
    )
    assert.deepEqual(
      r.leakage.map((d) => [d.identifier, d.records, d.costMinor, d.billedMinor]),
      [['+442070000002', 2, 100, 0]]
    )
    assert.deepEqual(
      r.seats.map((d) => [d.connector, d.sku, d.paid, d.billed, d.delta]),
      [['Contoso Microsoft 365', 'SPE_E3', 3, 2, 1]]
    )

    const carrierLine = r.suppliers.find((s) => s.connectorId === carrier)!
    assert.deepEqual(
      [
        carrierLine.importedCostMinor,
        carrierLine.ratedSellMinor,
        carrierLine.billedMinor,
        carrierLine.supplierDeltaMinor,
      ],
      [130, 60, 60, 1000]
    )
    const m365Line = r.suppliers.find((s) => s.connectorId === m365)!
    // October's licences (from 1 Oct): 2 × £25.00 cost, 2 × £30.00 sell, billed on the October invoice (in advance, it also carries November)
    assert.deepEqual(
      [m365Line.importedCostMinor, m365Line.ratedSellMinor, m365Line.billedMinor],
      [5000, 6000, 6000]
    )

    // the page and its CSV
    const viewer = await makeUser('viewer')
    const page = await client.get('/reconciliation?period=2026-10').withInertia().loginAs(viewer)
    page.assertStatus(200)
    page.assertInertiaComponent('reconciliation/show')
    assert.equal(page.inertiaProps.view.leakage[0].cost, '£1.00')
    assert.equal(page.inertiaProps.view.supplierTotals[0].delta, '£10.00')
    const csv = await client
      .get('/reconciliation?period=2026-10&format=csv&section=leakage')
      .loginAs(viewer)
    csv.assertStatus(200)
    const lines = csv.text().trim().split('\r\n')
    assert.lengthOf(lines, 2)
    assert.include(lines[1], '+442070000002')
    // viewers read, never write
    const denied = await client
      .post(`/reconciliation/suppliers/${carrier}/total`)
      .json({ period: '2026-10', total: '1.30' })
      .loginAs(viewer)
      .withCsrfToken()
    denied.assertStatus(403)

    // fixing the tariff and the supplier total clears the list: the page is recomputed from the records
    await enterSupplierTotal(carrier, '2026-10', '1.30', billing.id)
    const fixed = await reconcile('2026-10')
    assert.equal(differenceCounts(fixed).supplier_totals, 0)
    assert.include(reconciliationCsv(fixed), 'Carrier X wholesale')
  })

  test('a supplier bill CSV is summed exactly; a bad cell names its line and column', async ({
    assert,
  }) => {
    const carrier = await connector('Carrier Y', 'csv')
    const ok = await importSupplierBillCsv(
      carrier,
      '2026-10',
      'Number,Description,Amount\n+441,Line rental,10.005\n+442,Calls,"1,234.50"\n+443,Credit,-0.005\n',
      'bill.csv',
      null
    )
    assert.deepEqual([ok.totalMinor, ok.lines], [124_450, 3])
    const stored = await db.from('supplier_bills').where('connector_id', carrier).first()
    assert.equal(stored.source, 'csv')
    await assert.rejects(
      () =>
        importSupplierBillCsv(
          carrier,
          '2026-10',
          'Number,Amount\n+441,12.00\n+442,twelve\n',
          'bad.csv',
          null
        ),
      'bad.csv, line 3, column "Amount": "twelve" is not an amount'
    )
    await assert.rejects(
      () =>
        importSupplierBillCsv(carrier, '2026-10', 'Number,Price\n+441,12.00\n', 'nocol.csv', null),
      /nocol.csv, line 1: no amount column/
    )
    // the failed files changed nothing
    assert.equal(
      Number((await db.from('supplier_bills').where('connector_id', carrier).first()).total_minor),
      124_450
    )
  })

  test('idle numbers and E5 licences with only E3-level activity are listed', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const carrier = await connector('Carrier Z', 'csv')
    const imp = await importOf(carrier, customer.id)
    const idle = await service(customer.id, 'sim', '8944000000000000001')
    const busy = await service(customer.id, 'mobile', '+447700900010')
    for (const s of [idle, busy]) {
      await db.table('recurring_charges').insert({
        customer_id: customer.id,
        service_id: s,
        description: 'Line rental',
        category: 'line_rental',
        quantity: 1,
        unit_price_e4: 100_000,
        unit_cost_e4: 60_000,
        starts_on: '2026-01-01',
        origin: 'manual',
        created_at: T,
      })
    }
    await record(customer.id, imp, idle, '8944000000000000001', 100, 200, 15, '2026-08') // 15 Aug: more than 60 days before 31 Oct
    await record(customer.id, imp, busy, '+447700900010', 100, 200, 20, '2026-10')

    const m365 = await connector('Fabrikam Microsoft 365', 'm365', customer.id, {
      skuPrices: { SPE_E5: { price: '54.75', cost: '50' }, SPE_E3: { price: '33.75', cost: '30' } },
    })
    await m365Snapshot(m365, customer.id, [
      { skuId: 'sku-e5', skuPartNumber: 'SPE_E5', prepaidUnits: { enabled: 2 } },
    ])
    await licence(customer.id, 'sku-e5', 'mail.only@fabrikam.example', 547_500, 500_000)
    await licence(customer.id, 'sku-e5', 'power.user@fabrikam.example', 547_500, 500_000)
    await db.table('m365_activity').multiInsert([
      {
        customer_id: customer.id,
        upn: 'mail.only@fabrikam.example',
        report_refresh_date: '2026-10-30',
        last_activity_date: '2026-10-29',
        active_products: 'Exchange,Teams',
        created_at: T,
      },
      {
        customer_id: customer.id,
        upn: 'power.user@fabrikam.example',
        report_refresh_date: '2026-10-30',
        last_activity_date: '2026-10-29',
        active_products: 'Exchange,Power BI',
        created_at: T,
      },
    ])

    const r = await reconcile('2026-10')
    assert.deepEqual(
      r.idle.map((d) => [d.identifier, d.kind, d.rentalMinor, d.lastUsage]),
      [['8944000000000000001', 'sim', 1000, '2026-08-15']]
    )
    assert.deepEqual(
      r.rightSize.map((d) => [d.upn, d.sku, d.activeProducts, d.savingMinor]),
      [['mail.only@fabrikam.example', 'SPE_E5', 'Exchange, Teams', 2100]]
    )
    assert.lengthOf(r.seats, 0, 'two E5 seats paid, two billed')
  })

  test("a feed's service-charge records state the supplier total; a rental never billed is leakage", async ({
    assert,
  }) => {
    const customer = await makeCustomer({ accountNumber: 'ACME001' })
    const billedLine = await service(customer.id, 'ddi', '+441632960001')
    await service(customer.id, 'ddi', '+441632960002')
    await db.table('recurring_charges').insert({
      customer_id: customer.id,
      service_id: billedLine,
      description: 'SIP trunk',
      category: 'line_rental',
      quantity: 1,
      unit_price_e4: 150_000,
      unit_cost_e4: 95_000,
      starts_on: '2026-10-01',
      origin: 'manual',
      created_at: T,
    })
    const carrierId = await connector('Carrier plc (UK Standard CDR)', 'folder')
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
          '01/10/2026',
          '31/10/2026',
          '1',
          '9.50',
          'GBP',
          'S-1',
        ],
        [
          'R',
          'ACME001',
          '01632 960002',
          'DDI rental',
          'DDI',
          '01/10/2026',
          '31/10/2026',
          '1',
          '4.00',
          'GBP',
          'S-2',
        ],
        ['O', 'ACME001', '', 'Installation', 'INST', '03/10/2026', '', '1', '45.00', 'GBP', 'S-3'],
        // September's rental is September's bill, not October's
        [
          'R',
          'ACME001',
          '01632 960002',
          'DDI rental',
          'DDI',
          '01/09/2026',
          '30/09/2026',
          '1',
          '4.00',
          'GBP',
          'S-0',
        ],
      ],
      header
    )
    const dir = app.makePath('tmp', `reconcile-${process.pid}`)
    await mkdir(dir, { recursive: true })
    const path = join(dir, 'charges.csv')
    await writeFile(path, text)
    const carrier = await Connector.findOrFail(carrierId)
    const summary = await importFile({
      path,
      customer: null,
      connector: carrier,
      format: 'uk-standard-cdr',
      parser: await parserForFormat('uk-standard-cdr', { customer: null, settings: {} }),
    })
    await rm(dir, { recursive: true, force: true })
    assert.deepInclude(summary, { status: 'completed', charges: 4, rejected: 0 })

    const run = await createRun({ period: '2026-10', customerIds: [customer.id] })
    await finalizeRun(run.run.id)

    const r = await reconcile('2026-10')
    const line = r.suppliers.find((s) => s.connectorId === carrierId)!
    // £9.50 + £4.00 + £45.00 of October; no calls
    assert.deepEqual(
      [
        line.importedCostMinor,
        line.serviceChargesMinor,
        line.serviceCharges,
        line.supplierTotalMinor,
        line.supplierDeltaMinor,
      ],
      [0, 5850, 3, 5850, 0]
    )
    assert.match(line.supplierSource!, /3 service-charge records/)
    assert.deepEqual(differenceCounts(r), {
      supplier_totals: 0,
      cost_no_price: 0,
      leakage: 1,
      billed_no_cost: 0,
      seats: 0,
      idle: 0,
      right_size: 0,
    })
    assert.deepEqual(
      r.leakage.map((d) => [
        d.connector,
        d.account,
        d.identifier,
        d.records,
        d.costMinor,
        d.billedMinor,
      ]),
      [['Carrier plc (UK Standard CDR)', 'ACME001', '+441632960002', 1, 400, 0]]
    )

    // a supplier bill entered by hand wins over the feed, and is checked against calls + charges
    await enterSupplierTotal(carrierId, '2026-10', '68.50', null)
    const entered = await reconcile('2026-10')
    assert.deepEqual(
      entered.supplierTotals.map((d) => [d.supplierMinor, d.importedMinor, d.deltaMinor]),
      [[6850, 5850, 1000]]
    )
    assert.match(
      reconciliationCsv(entered),
      /Carrier plc \(UK Standard CDR\),folder,68\.50,0\.00,58\.50,/
    )
  })
})
