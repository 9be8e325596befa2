import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { formatScaled } from '#lib/money'
import { truncateAll } from '#tests/helpers/migrate'
import { startSmtpPeer } from '#tests/helpers/smtp_peer'
import { makeBillingFixture } from './fixtures.js'

const run = promisify(execFile)
/** The commands as a reseller's scripts run them: a process of their own against the test database. */
const ace = (args: string[]) =>
  run('node', ['ace', ...args], {
    cwd: app.makePath(),
    env: { ...process.env, NODE_ENV: 'test' },
    maxBuffer: 8 * 1024 * 1024,
  })

test.group('billing:run and invoices:send --json (the output scripts rely on)', (group) => {
  group.each.setup(() => truncateAll())

  test('billing:run --finalize --json, then invoices:send --json; errors are JSON with exit code 1', async ({
    assert,
    cleanup,
  }) => {
    const f = await makeBillingFixture({ employees: 2, recordsPerService: 3 })
    const peer = await startSmtpPeer()
    cleanup(() => peer.close())

    const { stdout } = await ace([
      'billing:run',
      '--period',
      f.period,
      '--customer',
      f.customer.accountNumber,
      '--finalize',
      '--json',
    ])
    const out = JSON.parse(stdout)
    const invoice = await db.from('invoices').where('customer_id', f.customer.id).firstOrFail()
    assert.deepEqual(Object.keys(out).sort(), ['invoices', 'period', 'run_id', 'skipped', 'status'])
    assert.containsSubset(out, {
      run_id: Number(invoice.billing_run_id),
      status: 'finalized',
      period: f.period,
      skipped: [],
    })
    assert.lengthOf(out.invoices, 1)
    assert.deepEqual(
      { ...out.invoices[0], pdf: undefined },
      {
        customer: f.customer.accountNumber,
        number: invoice.number,
        subtotal: formatScaled(Number(invoice.subtotal_minor), 2),
        tax: formatScaled(Number(invoice.tax_minor), 2),
        total: formatScaled(Number(invoice.total_minor), 2),
        pdf: undefined,
      }
    )
    assert.match(out.invoices[0].pdf, /\.pdf$/)

    const sent = JSON.parse(
      (
        await ace([
          'invoices:send',
          '--run',
          String(out.run_id),
          '--smtp',
          `127.0.0.1:${peer.port}`,
          '--json',
        ])
      ).stdout
    )
    assert.containsSubset(sent, { run_id: out.run_id, queued: 1, sent: 1, retrying: 0, failed: 0 })
    assert.containsSubset(sent.deliveries, [
      { invoice: invoice.number, status: 'sent', attempts: 1, error: null },
    ])
    assert.lengthOf(peer.messages, 1)
    // Again: nothing new is sent, and the output says so.
    const again = JSON.parse(
      (
        await ace([
          'invoices:send',
          '--run',
          String(out.run_id),
          '--smtp',
          `127.0.0.1:${peer.port}`,
          '--json',
        ])
      ).stdout
    )
    assert.containsSubset(again, { queued: 0, sent: 0 })
    assert.lengthOf(peer.messages, 1)

    const bad = await ace([
      'billing:run',
      '--period',
      f.period,
      '--customer',
      'NOPE',
      '--json',
    ]).catch((e) => e)
    assert.equal(bad.code, 1)
    assert.match(JSON.parse(bad.stdout).error, /no customer with account number "NOPE"/)
    const notFinal = await ace(['invoices:send', '--run', '999999', '--json']).catch((e) => e)
    assert.equal(notFinal.code, 1)
    assert.match(JSON.parse(notFinal.stdout).error, /no billing run #999999/)
  }).timeout(120_000)
})
