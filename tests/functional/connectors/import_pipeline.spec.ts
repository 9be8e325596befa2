import { test } from '@japa/runner'
import { mkdir, rm, writeFile, open } from 'node:fs/promises'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import app from '@adonisjs/core/services/app'
import MappingProfile from '#models/mapping_profile'
import { importFile } from '#connectors/import_file'
import { AsteriskParser } from '#connectors/asterisk'
import { parserForFormat } from '#connectors/registry'
import { makeCustomer } from '#tests/helpers/factories'
import { truncateAll } from '#tests/helpers/migrate'
import type Customer from '#models/customer'
import { cdr } from '#tests/helpers/peers/master_csv'

const run = promisify(execFile)
const dir = app.makePath('tmp', `connectors-pipeline-${process.pid}`)

async function importText(customer: Customer, name: string, text: string | Buffer) {
  const path = join(dir, name)
  await writeFile(path, text)
  return importFile({
    path,
    customer,
    format: 'asterisk',
    parser: new AsteriskParser('Europe/London', customer.timeZone),
  })
}

const countRecords = async (customerId: number) =>
  Number((await db.from('usage_records').where('customer_id', customerId).count('* as n'))[0].n)

test.group('Import pipeline', (group) => {
  group.each.setup(() => truncateAll())
  group.setup(async () => {
    await mkdir(dir, { recursive: true })
  })
  group.teardown(() => rm(dir, { recursive: true, force: true }))

  test('imports answered calls, skips unanswered, records rejected rows with line, field and reason', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const lines = [
      cdr(1),
      cdr(2, { 14: 'NO ANSWER', 13: '0' }),
      cdr(3, { 13: '-4' }),
      cdr(4, { 9: '2026-07-32 10:00:00' }),
      cdr(5),
      cdr(6, {}, 10),
    ]
    const summary = await importText(customer, 'a.csv', lines.join('\n') + '\n')
    assert.equal(summary.status, 'completed')
    assert.deepInclude(summary, { read: 6, imported: 2, duplicates: 0, rejected: 3 })
    assert.deepEqual(
      summary.errors.map((e) => [e.line, e.field]),
      [
        [3, 'billsec'],
        [4, 'start'],
        [6, null],
      ]
    )
    const errors = await db
      .from('import_errors')
      .where('import_id', summary.import_id)
      .orderBy('line')
    assert.lengthOf(errors, 3)
    assert.match(errors[0].message, /negative billsec/)
    assert.include(errors[0].raw, '1751360400.3')
    const imp = await db.from('imports').where('id', summary.import_id).first()
    assert.deepInclude(imp, {
      status: 'completed',
      rows_read: 6,
      rows_imported: 2,
      rows_rejected: 3,
      progress_pct: 100,
    })
    assert.match(imp.sha256, /^[0-9a-f]{64}$/)
    assert.isTrue(await drive.use().exists(`imports/${imp.sha256}`))
    const rec = await db
      .from('usage_records')
      .where('dedupe_key', 'ast:1751360400.1|2026-07-01 08:00:00|2001')
      .first()
    assert.deepInclude(rec, {
      source: `manual:asterisk:${customer.id}`,
      identifier: '2001',
      period: '2026-07',
      category: 'voice',
      duration_s: 60,
      destination: '442079460001',
      import_id: summary.import_id,
    })
  })

  test('the same file again is skipped; overlapping files count duplicates', async ({ assert }) => {
    const customer = await makeCustomer()
    const first = await importText(customer, 'b1.csv', [cdr(1), cdr(2)].join('\n') + '\n')
    const again = await importText(customer, 'b1-copy.csv', [cdr(1), cdr(2)].join('\n') + '\n')
    assert.equal(again.status, 'skipped')
    const imp = await db.from('imports').where('id', again.import_id).first()
    assert.include(imp.error_message, `#${first.import_id}`)
    const overlap = await importText(customer, 'b2.csv', [cdr(2), cdr(3), cdr(3)].join('\n') + '\n')
    assert.deepInclude(overlap, {
      status: 'completed',
      read: 3,
      imported: 1,
      duplicates: 2,
      rejected: 0,
    })
    assert.equal(await countRecords(customer.id), 3)
  })

  test('BOM, CRLF, quoted newlines and a truncated last line', async ({ assert }) => {
    const customer = await makeCustomer()
    // Row 2 spans lines 2-3; the last line stops after five fields with no newline.
    const text =
      '\ufeff' +
      [cdr(1), cdr(2, { 4: 'Multi\r\nline "name"' }), cdr(3), cdr(4), cdr(5, {}, 5)].join('\r\n')
    const summary = await importText(customer, 'c.csv', text)
    assert.deepInclude(summary, { status: 'completed', read: 5, imported: 4, rejected: 1 })
    assert.deepEqual(summary.errors, [
      { line: 6, field: null, message: 'expected 16 to 18 columns, found 5' },
    ])
    assert.equal(
      (
        await db
          .from('usage_records')
          .where('dedupe_key', 'ast:1751360400.2|2026-07-01 08:00:00|2002')
          .first()
      ).identifier,
      '2002'
    )
  })

  test('structurally broken files fail whole with a clear error and nothing written', async ({
    assert,
  }) => {
    const customer = await makeCustomer()
    const cases: [string, string | Buffer, RegExp][] = [
      ['empty.csv', '', /the file is empty/],
      ['blank.csv', '\n\r\n\n', /no data rows/],
      [
        'wrong-columns.csv',
        'a,b,c\nd,e,f\n',
        /every row has the wrong shape for asterisk \(line 1: expected 16 to 18 columns, found 3\)/,
      ],
      [
        'open-quote.csv',
        cdr(1) + '\n' + cdr(2) + '\n' + cdr(3).slice(0, 60),
        /line 3: a quoted field is not closed/,
      ],
    ]
    for (const [name, text, error] of cases) {
      const summary = await importText(customer, name, text)
      assert.equal(summary.status, 'failed', name)
      assert.match(summary.error!, error)
      const imp = await db.from('imports').where('id', summary.import_id).first()
      assert.equal(imp.status, 'failed')
      assert.match(imp.error_message, error)
      assert.equal(
        Number(
          (await db.from('import_errors').where('import_id', summary.import_id).count('* as n'))[0]
            .n
        ),
        0
      )
    }
    assert.equal(await countRecords(customer.id), 0)
  })

  test('a database failure mid-file rolls back every row of the file', async ({ assert }) => {
    const customer = await makeCustomer()
    // A value the database refuses (longer than the column) in the third batch.
    const rows = Array.from({ length: 4500 }, (_, i) => cdr(i + 1))
    const parser = new AsteriskParser('Europe/London', customer.timeZone)
    const original = parser.parse.bind(parser)
    let n = 0
    parser.parse = (fields, line) => {
      const out = original(fields, line)
      // (The period: longer text in the checked fields is a row error before it reaches the database.)
      if (++n === 4400 && out.kind === 'record') out.record.period = 'x'.repeat(500)
      return out
    }
    const path = join(dir, 'dbfail.csv')
    await writeFile(path, rows.join('\n'))
    const summary = await importFile({ path, customer, format: 'asterisk', parser })
    assert.equal(summary.status, 'failed')
    // LOAD DATA reports the refused value by row, which the import turns back into the file's line.
    assert.match(
      summary.error!,
      /^line 4400: field period: the database refused the value \(Data (too long|truncated) for column 'period'/
    )
    assert.equal(await countRecords(customer.id), 0)
  })

  test('a 50 MB file imports quickly in bounded memory', async ({ assert }) => {
    const customer = await makeCustomer()
    const path = join(dir, 'big.csv')
    const handle = await open(path, 'w')
    let bytes = 0
    let i = 0
    const chunk: string[] = []
    while (bytes < 50 * 1024 * 1024) {
      const line = cdr(i++, { 4: `"Caller ${'x'.repeat(1200)}" <2001>` }) + '\n'
      bytes += line.length
      chunk.push(line)
      if (chunk.length === 5000) await handle.write(chunk.splice(0).join(''))
    }
    await handle.write(chunk.join(''))
    await handle.close()
    const started = Date.now()
    const summary = await importFile({
      path,
      customer,
      format: 'asterisk',
      parser: new AsteriskParser('Europe/London', customer.timeZone),
      process: false,
    })
    assert.deepInclude(summary, { status: 'completed', read: i, imported: i, rejected: 0 })
    assert.isBelow(Date.now() - started, 30_000)
  }).timeout(90_000)

  test('carrier CSV through a named mapping profile', async ({ assert }) => {
    const customer = await makeCustomer({ timeZone: 'Europe/London' })
    await MappingProfile.create({
      name: 'carrier-x',
      config: {
        delimiter: ';',
        dateFormat: 'dd/MM/yyyy HH:mm:ss',
        columns: {
          number: 'CLI',
          date: 'When',
          destination: 'Dialled',
          duration: 'Secs',
          cost: 'Cost',
          category: 'Type',
          reference: 'Ref',
        },
        categoryMap: { gprs: 'data' },
      },
    })
    const parser = await parserForFormat('profile:carrier-x', { customer, settings: {} })
    const path = join(dir, 'carrier.csv')
    await writeFile(
      path,
      'CLI;When;Dialled;Secs;Cost;Type;Ref\n07700900123;01/07/2026 10:00:00;02079460000;61;0.0123;Voice;R1\n07700900123;01/07/2026 10:05:00;;0;0.50;GPRS;R2\n07700900123;99/07/2026 10:05:00;;0;0.50;GPRS;R3\n'
    )
    const summary = await importFile({ path, customer, format: 'profile:carrier-x', parser })
    assert.deepInclude(summary, { status: 'completed', read: 3, imported: 2, rejected: 1 })
    assert.deepEqual(
      summary.errors.map((e) => [e.line, e.field]),
      [[4, 'date']]
    )
    const recs = await db
      .from('usage_records')
      .where('customer_id', customer.id)
      .orderBy('dedupe_key')
    assert.deepEqual(
      recs.map((r) => [r.dedupe_key, r.identifier, r.category, r.cost_e4, r.duration_s, r.source]),
      [
        [
          'prof:carrier-x:R1',
          '+447700900123',
          'voice',
          123,
          61,
          `manual:profile:carrier-x:${customer.id}`,
        ],
        [
          'prof:carrier-x:R2',
          '+447700900123',
          'data',
          5000,
          0,
          `manual:profile:carrier-x:${customer.id}`,
        ],
      ]
    )
  })

  test('node ace usage:import --json', async ({ assert }) => {
    const customer = await makeCustomer()
    const path = join(dir, 'cli.csv')
    await writeFile(path, [cdr(1), cdr(2, { 13: 'x' })].join('\n') + '\n')
    const env = { ...process.env, NODE_ENV: 'test' }
    const { stdout } = await run(
      'node',
      [
        'ace',
        'usage:import',
        path,
        '--format',
        'asterisk',
        '--customer',
        customer.accountNumber,
        '--json',
      ],
      { cwd: app.makePath(), env }
    )
    const out = JSON.parse(stdout)
    assert.containsSubset(out, {
      read: 2,
      imported: 1,
      duplicates: 0,
      rejected: 1,
      errors: [{ line: 2, field: 'billsec' }],
    })
    assert.isNumber(out.import_id)
    // The same command in an Irish reseller's install reads national numbers as Irish.
    const irish = join(dir, 'cli-ie.csv')
    await writeFile(irish, cdr(3, { 1: '0871234567' }) + '\n')
    const ie = JSON.parse(
      (
        await run(
          'node',
          [
            'ace',
            'usage:import',
            irish,
            '--format',
            'asterisk',
            '--customer',
            customer.accountNumber,
            '--json',
          ],
          { cwd: app.makePath(), env: { ...env, DEFAULT_REGION: 'IE' } }
        )
      ).stdout
    )
    assert.containsSubset(ie, { imported: 1 })
    assert.equal(
      (await db.from('usage_records').where('import_id', ie.import_id).firstOrFail()).identifier,
      '+353871234567'
    )
    const bad = await run(
      'node',
      [
        'ace',
        'usage:import',
        path,
        '--format',
        'nope',
        '--customer',
        customer.accountNumber,
        '--json',
      ],
      { cwd: app.makePath(), env }
    ).catch((e) => e)
    assert.equal(bad.code, 1)
    assert.match(JSON.parse(bad.stdout).error, /unknown format/)
  }).timeout(60_000)
})
