import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { createRun } from '#billing/runs'
import { makeBillingFixture } from './fixtures.js'

test.group('Billing guards: review page over HTTP', (group) => {
  group.each.setup(() => truncateAll())

  test('the review page shows held flags, takes an acknowledgement with a reason, then shows who acknowledged', async ({
    assert,
    client,
  }) => {
    const f = await makeBillingFixture()
    await db.table('usage_records').insert({
      customer_id: f.customer.id,
      source: 'test:http',
      dedupe_key: 'u-1',
      identifier: '+447700900321',
      occurred_at: '2026-10-14 10:00:00',
      period: '2026-10',
      category: 'uk_mobile',
      destination: '447700900123',
      duration_s: 60,
      quantity: 1,
      cost_e4: 100,
      price_e4: 300,
      rating_status: 'rated',
    })
    const { run, invoices } = await createRun({ period: '2026-10', customerIds: [f.customer.id] })
    const billing = await makeUser('billing')
    const viewer = await makeUser('viewer')

    const before = await client.get(`/billing-runs/${run.id}`).withInertia().loginAs(viewer)
    before.assertStatus(200)
    const inv = before.inertiaProps.invoices[0]
    assert.isTrue(inv.held)
    assert.deepEqual(
      inv.flags.map((x: any) => x.kind),
      ['unknown_services']
    )

    const denied = await client
      .post(`/billing-runs/${run.id}/invoices/${invoices[0].id}/acknowledge`)
      .json({ reason: 'viewer tries' })
      .loginAs(viewer)
      .withCsrfToken()
    denied.assertStatus(403)
    const bad = await client
      .post(`/billing-runs/${run.id}/invoices/${invoices[0].id}/acknowledge`)
      .json({ reason: 'x' })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    assert.notEqual(bad.status(), 500)
    assert.isNull((await db.from('invoice_flags').first()).acknowledged_at)

    await client
      .post(`/billing-runs/${run.id}/invoices/${invoices[0].id}/acknowledge`)
      .json({ reason: 'ported in' })
      .withInertia()
      .loginAs(billing)
      .withCsrfToken()
    const after = await client.get(`/billing-runs/${run.id}`).withInertia().loginAs(viewer)
    after.assertStatus(200)
    const acked = after.inertiaProps.invoices[0]
    assert.isFalse(acked.held)
    assert.equal(acked.flags[0].acknowledged.reason, 'ported in')
    assert.equal(acked.flags[0].acknowledged.by, 'billing user')
  })
})
