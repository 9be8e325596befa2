import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { startSmtpPeer } from '#tests/helpers/smtp_peer'
import { ace } from '#tests/helpers/ace_process'
import { createRun, finalizeRun } from '#billing/runs'
import { queueDeliveries } from '#deliveries/deliveries'
import { sqlTime } from '#lib/db_helpers'
import { makeBillingFixture } from '../billing/fixtures.js'

test.group('Crash recovery: deliveries left in sending', (group) => {
  group.each.setup(() => truncateAll())

  test('invoices:send reports a delivery stuck in sending (exit 1, not resent) and the deliveries page offers the resend', async ({
    assert,
    client,
    cleanup,
  }) => {
    const f = await makeBillingFixture({ employees: 1, recordsPerService: 1 })
    const { run } = await createRun({ period: f.period, customerIds: [f.customer.id] })
    await finalizeRun(run.id)
    await queueDeliveries({ runId: run.id })
    // The state a sender killed between claiming the delivery and hearing back from SMTP leaves.
    await db.from('deliveries').update({
      status: 'sending',
      attempts: 1,
      updated_at: sqlTime(new Date(Date.now() - 20 * 60_000)),
    })
    const invoice = await db.from('invoices').where('billing_run_id', run.id).first()
    const peer = await startSmtpPeer()
    cleanup(() => peer.close())

    const sent = await ace([
      'invoices:send',
      '--run',
      String(run.id),
      '--smtp',
      `127.0.0.1:${peer.port}`,
      '--json',
    ])
    assert.equal(sent.code, 1, sent.stdout + sent.stderr)
    const out = JSON.parse(sent.stdout)
    assert.containsSubset(out, {
      sent: 0,
      stuck: [{ invoice: invoice.number, to: f.customer.billingEmail }],
    })
    assert.match(out.stuck[0].since, /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/)
    assert.lengthOf(peer.messages, 0, 'a stuck delivery is never resent automatically')

    const text = await ace([
      'invoices:send',
      '--run',
      String(run.id),
      '--smtp',
      `127.0.0.1:${peer.port}`,
    ])
    assert.equal(text.code, 1)
    assert.match(
      text.stdout + text.stderr,
      new RegExp(
        `${invoice.number} → .*: stuck in "sending" since .* Check with the customer, then resend it on the deliveries page`
      )
    )

    const page = await client
      .get('/deliveries?status=sending')
      .withInertia()
      .loginAs(await makeUser('billing'))
    page.assertStatus(200)
    assert.containsSubset(page.inertiaProps.deliveries, [
      { number: invoice.number, status: 'sending', canResend: true },
    ])
    assert.equal(page.inertiaProps.counts.sending, 1)
  }).timeout(120_000)
})
