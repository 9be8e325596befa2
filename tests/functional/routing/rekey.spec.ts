import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import Connector from '#models/connector'
import { duplicateCallReport, rekeyUsage } from '#connectors/dedupe_rekey'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'

/**
 * The migration's re-keying, run on a table shaped as usage_records was before it (keys
 * unique per source), since the real table already has per-reseller keys.
 */
const LEGACY = 'legacy_usage_records'
const exec = promisify(execFile)

async function createLegacyTable() {
  await db.connection().schema.dropTableIfExists(LEGACY)
  await db.connection().schema.createTable(LEGACY, (table) => {
    table.bigIncrements('id')
    table.integer('customer_id').notNullable()
    table.string('source', 64).notNullable()
    table.string('dedupe_key', 128).notNullable()
    table.string('identifier', 254).notNullable()
    table.timestamp('occurred_at').notNullable()
    table.string('period', 7).notNullable()
    table.string('destination', 64).nullable()
    table.integer('duration_s').notNullable().defaultTo(0)
    table.bigInteger('volume_bytes').notNullable().defaultTo(0)
    table.integer('quantity').notNullable().defaultTo(1)
    table.bigInteger('price_e4').nullable()
    table.integer('invoice_id').nullable()
    table.unique(['source', 'dedupe_key'])
  })
}

test.group('Routing: re-keying records stored per route', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    await createLegacyTable()
  })
  group.each.teardown(() => db.connection().schema.dropTableIfExists(LEGACY))

  test('keys become per reseller; a call stored by two routes is kept once, billed twice is reported, distinct calls stay apart', async ({
    assert,
    client,
  }) => {
    const acme = await makeCustomer({ accountNumber: 'ACME001' })
    const folder = await Connector.create({
      name: 'Drop',
      type: 'asterisk',
      transport: 'folder',
      customerId: acme.id,
      enabled: true,
      settings: { path: '/x' },
    })
    const profiled = await Connector.create({
      name: 'Carrier',
      type: 'csv_profile',
      transport: 'folder',
      customerId: acme.id,
      enabled: true,
      settings: { path: '/y', profile: 'carrier-x' },
    })
    const [run] = await db.table('billing_runs').insert({
      period: '2026-07',
      status: 'finalized',
      created_at: '2026-08-01 00:00:00',
      updated_at: '2026-08-01 00:00:00',
    })
    // The second copy was billed as late usage on the next month's invoice.
    const invoice = async (number: string, period: string) =>
      Number(
        (
          await db.table('invoices').insert({
            billing_run_id: Number(run),
            customer_id: acme.id,
            period,
            number,
            status: 'final',
            currency: 'GBP',
            created_at: '2026-08-01 00:00:00',
            updated_at: '2026-08-01 00:00:00',
          })
        )[0]
      )
    const inv1 = await invoice('INV-0001', '2026-07')
    const inv2 = await invoice('INV-0002', '2026-08')
    const call = {
      customer_id: acme.id,
      identifier: '2001',
      occurred_at: '2026-07-01 08:00:00',
      period: '2026-07',
      destination: '442079460001',
      duration_s: 60,
      price_e4: 1234,
    }
    const manual = `manual:asterisk:${acme.id}`
    const rows = [
      // Call .1: uploaded, then delivered by the folder connector; both billed.
      { ...call, source: manual, dedupe_key: '1751360400.1', invoice_id: inv1 },
      { ...call, source: `connector:${folder.id}`, dedupe_key: '1751360400.1', invoice_id: inv2 },
      // Call .2: uploaded and billed, then delivered again and not billed yet.
      { ...call, source: manual, dedupe_key: '1751360400.2', invoice_id: inv1, identifier: '2002' },
      {
        ...call,
        source: `connector:${folder.id}`,
        dedupe_key: '1751360400.2',
        invoice_id: null,
        identifier: '2002',
      },
      // Call .3 on two routes with different durations: two calls (the key is the same, the call is not).
      { ...call, source: manual, dedupe_key: '1751360400.3', invoice_id: null, identifier: '2003' },
      {
        ...call,
        source: `connector:${folder.id}`,
        dedupe_key: '1751360400.3',
        invoice_id: null,
        identifier: '2003',
        duration_s: 61,
      },
      // Without a uniqueid (SHA-1 of the row) and through a mapping profile.
      { ...call, source: manual, dedupe_key: 'a'.repeat(40), invoice_id: null, identifier: '2004' },
      {
        ...call,
        source: `connector:${profiled.id}`,
        dedupe_key: 'R1',
        invoice_id: null,
        identifier: '+447700900123',
      },
      // A source of another kind keeps its key.
      { ...call, source: 'manual:test', dedupe_key: 'k-1', invoice_id: null },
    ]
    await db.table(LEGACY).multiInsert(rows)

    const outcome = await rekeyUsage(db.connection(), LEGACY)
    assert.deepEqual(outcome, { rekeyed: 8, removed: 1, billedTwice: 1, keptApart: 1 })
    const after = await db.from(LEGACY).orderBy('id').select('id', 'source', 'dedupe_key')
    const keys = after.map((r) => r.dedupe_key)
    assert.lengthOf(after, 8)
    assert.equal(new Set(keys).size, 8)
    assert.include(keys, 'ast:1751360400.1|2026-07-01 08:00:00|2001')
    assert.include(keys, 'ast:1751360400.2|2026-07-01 08:00:00|2002')
    assert.include(keys, `ast:h:${'a'.repeat(40)}`)
    assert.include(keys, 'prof:carrier-x:R1')
    assert.include(keys, 'k-1')
    assert.isTrue(keys.some((k) => /^ast:1751360400\.1\|.*#dup\d+$/.test(k)))
    assert.isTrue(keys.some((k) => /^ast:1751360400\.3\|2026-07-01 08:00:00\|2003#\d+$/.test(k)))

    // Idempotent.
    assert.deepEqual(await rekeyUsage(db.connection(), LEGACY), {
      rekeyed: 0,
      removed: 0,
      billedTwice: 0,
      keptApart: 0,
    })

    const report = await duplicateCallReport(db.connection())
    assert.deepEqual([report.billedTwice, report.removed], [1, 1])
    assert.containsSubset(report.rows[0], {
      kind: 'billed_twice',
      identifier: '2001',
      accountNumber: 'ACME001',
      invoiceNumber: 'INV-0001',
      secondInvoiceNumber: 'INV-0002',
      priceE4: 1234,
    })
    assert.containsSubset(report.rows[1], { kind: 'removed', identifier: '2002' })

    // The imports page shows the same list to staff.
    const viewer = await makeUser('viewer')
    const page = await client.get('/imports').withInertia().loginAs(viewer)
    page.assertStatus(200)
    // And `node ace usage:duplicates --json` prints it.
    const { stdout } = await exec('node', ['ace', 'usage:duplicates', '--json'], {
      cwd: app.makePath(),
      env: { ...process.env, NODE_ENV: 'test' },
    })
    assert.containsSubset(JSON.parse(stdout.trim().split('\n').pop()!), {
      billedTwice: 1,
      removed: 1,
    })
    assert.containsSubset(page.inertiaProps.duplicates, {
      billedTwice: 1,
      removed: 1,
      rows: [
        {
          kind: 'billed_twice',
          price: '£0.12',
          invoiceNumber: 'INV-0001',
          secondInvoiceNumber: 'INV-0002',
        },
      ],
    })
  }).timeout(60_000)
})
