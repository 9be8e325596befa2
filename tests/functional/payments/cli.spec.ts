import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdir, writeFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { saveProfile } from '#payments/bank_import'
import { customerWithInvoices } from './support.js'

const run = promisify(execFile)
const ace = (args: string[]) =>
  run('node', ['ace', ...args], { cwd: app.makePath(), env: { ...process.env, NODE_ENV: 'test' } })

test.group('payments:import --json', (group) => {
  group.each.setup(() => truncateAll())

  test('imports a statement once; a bad one is one JSON error with exit code 1', async ({
    assert,
  }) => {
    const { invoices } = await customerWithInvoices()
    await saveProfile({
      name: 'CLI',
      dateColumn: 'Date',
      amountColumn: 'Amount',
      referenceColumn: 'Reference',
      dateFormat: 'yyyy-MM-dd',
    })
    const dir = app.makePath('tmp', 'payments-cli')
    await mkdir(dir, { recursive: true })
    const file = `${dir}/stmt.csv`
    await writeFile(
      file,
      `Date,Amount,Reference\n2026-11-03,120.00,${invoices[0].number}\n2026-11-04,1.00,X\n`
    )
    const first = JSON.parse(
      (await ace(['payments:import', file, '--profile', 'CLI', '--json'])).stdout
    )
    assert.containsSubset(first, { ok: true, lines: 2, matched: 1, unmatched: 1, duplicates: 0 })
    const again = JSON.parse(
      (await ace(['payments:import', file, '--profile', 'CLI', '--json'])).stdout
    )
    assert.containsSubset(again, { ok: true, newLines: 0, duplicates: 2 })

    await writeFile(file, 'Date,Amount\n2026-11-03,120.00\n')
    const failed = await ace(['payments:import', file, '--profile', 'CLI', '--json']).catch(
      (e) => e
    )
    assert.equal(failed.code, 1)
    const out = JSON.parse(failed.stdout)
    assert.equal(out.ok, false)
    assert.deepEqual(out.problems, [
      {
        line: 1,
        field: 'Reference',
        message: 'no column "Reference" in the header (found: Date, Amount)',
      },
    ])
    assert.equal(Number((await db.from('payments').count('* as n').first()).n), 1)
  })
})
