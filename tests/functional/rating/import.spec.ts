import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/migrate'
import db from '@adonisjs/lucid/services/db'
import ace from '@adonisjs/core/services/ace'
import { importDeck } from '#rating/tariffs'
import { DeckImportError } from '#rating/deck_csv'
import { writeCsv } from './support.js'

const HEADER =
  'prefix,destination,category,peak,offpeak,weekend,connection,minimum,increments,effective_from\n'

function deck(rows: number) {
  let text = HEADER
  for (let i = 0; i < rows; i++)
    text += `${100000 + i},Dest ${i},international,0.${String(i % 1000).padStart(3, '0')}5,0.1,0.05,0.01,0,30/6,2026-01-01\n`
  return text
}

test.group('rating | rate deck import', (group) => {
  group.each.setup(() => truncateAll())

  test('imports a deck in one go, creating the tariff; a second import updates in place', async ({
    assert,
  }) => {
    const path = await writeCsv('deck5k.csv', deck(5000))
    const result = await importDeck({ path, tariffName: 'Wholesale' })
    assert.deepInclude(result, { rates: 5000, inserted: 5000, updated: 0 })
    const row = await db
      .from('rates')
      .where({ tariff_id: result.tariff_id, prefix: '100123' })
      .first()
    assert.deepInclude(row, {
      peak_micros: 123_500,
      offpeak_micros: 100_000,
      weekend_micros: 50_000,
      connection_micros: 10_000,
      initial_s: 30,
      subsequent_s: 6,
    })
    const ids = (await db.from('rates').orderBy('id').select('id')).map((r: any) => r.id)
    const again = await importDeck({ path, tariffName: 'Wholesale' })
    assert.deepInclude(again, { tariff_id: result.tariff_id, inserted: 0, updated: 5000 })
    assert.deepEqual(
      (await db.from('rates').orderBy('id').select('id')).map((r: any) => r.id),
      ids
    )
    const actions = (await db.from('audit_logs').orderBy('id').select('action')).map(
      (a: any) => a.action
    )
    assert.deepEqual(actions, ['tariff.created', 'tariff.rates_imported', 'tariff.rates_imported'])
  })

  test('any bad line fails the whole file with file, line and field; nothing is written', async ({
    assert,
  }) => {
    const path = await writeCsv(
      'bad.csv',
      HEADER +
        '44,UK,national,0.02,0.01,0.01,0,0,60/60,2026-01-01\n' +
        '33,France,international,abc,0.01,0.01,0,0,60/60,2026-01-01\n' +
        '34,Spain,international,0.1,0.1,0.1,0,0,60,2026-02-30\n'
    )
    try {
      await importDeck({ path, tariffName: 'Broken' })
      assert.fail('should have thrown')
    } catch (error) {
      assert.instanceOf(error, DeckImportError)
      const e = error as DeckImportError
      assert.include(e.message, 'bad.csv line 3, field peak')
      assert.deepEqual(
        e.errors.map((x) => [x.line, x.field]),
        [
          [3, 'peak'],
          [4, 'increments'],
          [4, 'effective_from'],
        ]
      )
    }
    assert.equal(Number((await db.from('rates').count('* as n').first()).n), 0)
    assert.isNull(await db.from('tariffs').where('name', 'Broken').first())
  })

  test('duplicate prefixes and a missing header column are reported', async ({ assert }) => {
    const dup = await writeCsv(
      'dup.csv',
      HEADER + '44,UK,national,1,1,1,,,,2026-01-01\n44,UK again,national,1,1,1,,,,2026-01-01\n'
    )
    await assert.rejects(
      () => importDeck({ path: dup, tariffName: 'Dup' }),
      /dup.csv line 3, field prefix: 44 effective 2026-01-01 is already on line 2/
    )
    const noHeader = await writeCsv('nohead.csv', '44,UK,national,1,1,1\n')
    await assert.rejects(
      () => importDeck({ path: noHeader, tariffName: 'NoHead' }),
      /nohead.csv line 1, field prefix: missing column/
    )
  })

  test('the tariffs:import command imports the file and fails cleanly on a bad one', async ({
    assert,
  }) => {
    const path = await writeCsv('cli.csv', deck(300))
    ace.ui.switchMode('raw')
    const ok = await ace.exec('tariffs:import', [path, '--tariff', 'CLI tariff'])
    assert.equal(ok.exitCode, 0)
    const tariff = await db.from('tariffs').where('name', 'CLI tariff').first()
    assert.equal(
      Number((await db.from('rates').where('tariff_id', tariff.id).count('* as n').first()).n),
      300
    )
    const bad = await writeCsv(
      'cli-bad.csv',
      HEADER + '4x,UK,national,1,1,1,0,0,60/60,2026-01-01\n'
    )
    const failed = await ace.exec('tariffs:import', [bad, '--tariff', 'CLI bad'])
    assert.equal(failed.exitCode, 1)
    const logs = JSON.stringify(failed.ui.logger.getLogs())
    assert.include(logs, 'cli-bad.csv line 2, field prefix')
    ace.ui.switchMode('normal')
  })
})
