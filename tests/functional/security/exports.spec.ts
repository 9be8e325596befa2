import { test } from '@japa/runner'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Connector from '#models/connector'
import { pollConnector } from '#connectors/poll_connector'
import { csvCell } from '#lib/csv'
import { toCsv } from '#insights/export'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { cleanSlate } from '#tests/helpers/clean_slate'
import { cdr } from '#tests/helpers/peers/master_csv'

const root = app.makePath('tmp', `security-exports-${process.pid}`)
const FORMULAS = [
  `=cmd|' /C calc'!A0`,
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "+cmd|' /C calc'!A0",
  '-2+3+cmd|x!A0',
]

/** A CSV line as a spreadsheet reads it: cells split on commas outside quotes, quotes removed. */
function cells(line: string) {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted && c === '"' && line[i + 1] === '"') ((cur += '"'), i++)
    else if (c === '"') quoted = !quoted
    else if (c === ',' && !quoted) (out.push(cur), (cur = ''))
    else cur += c
  }
  return [...out, cur]
}

/** Issue 13, M8: /imports/:id/rejected.csv neutralises formulas like every other export. */
test.group('Security M8: no formula reaches a spreadsheet', (group) => {
  cleanSlate(group, root)

  test('rejected rows whose cells start with =, @, + or - come out as text', async ({
    client,
    assert,
  }) => {
    const billing = await makeUser('billing')
    const customer = await makeCustomer()
    // A row rejected for its billsec, whose first cell (accountcode) is a formula, unquoted in the file.
    const lines = FORMULAS.map((f, i) => f.replace(/,/g, ';') + cdr(i + 1, { 13: '-1' }).slice(2))
    await writeFile(join(root, 'Master.csv'), lines.join('\n') + '\n')
    const connector = await Connector.create({
      name: 'Drop',
      type: 'asterisk',
      transport: 'folder',
      customerId: customer.id,
      enabled: true,
      settings: { path: root },
    })
    await pollConnector(connector.id)
    const imp = await db.from('imports').where('connector_id', connector.id).firstOrFail()
    const stored = await db.from('import_errors').where('import_id', imp.id).select('raw')
    assert.isAbove(stored.length, 0)

    const csv = await client.get(`/imports/${imp.id}/rejected.csv`).loginAs(billing)
    csv.assertStatus(200)
    const rows = csv.text().trim().split('\r\n').slice(1).map(cells)
    assert.isAbove(rows.length, 0)
    for (const row of rows) {
      for (const cell of row)
        assert.notMatch(cell, /^[=+\-@\t\r]/, `cell ${cell} would run as a formula`)
    }
    assert.isTrue(
      rows.some((r) => r[3].startsWith(`'=cmd`)),
      'the formula row is there, neutralised'
    )
  })

  test('one helper: the insights export and the rejected rows neutralise the same way', async ({
    assert,
  }) => {
    for (const value of [...FORMULAS, '\tx', 'plain', '-12.50', '42']) {
      const viaExport = toCsv({
        name: 't',
        columns: [{ key: 'v', label: 'v' }],
        rows: [{ v: value }],
      }).split('\r\n')[1]
      assert.equal(viaExport, csvCell(value), value)
    }
    assert.equal(csvCell('-12.50'), '-12.50')
    assert.equal(csvCell('=1+1'), `'=1+1`)
  })
})
