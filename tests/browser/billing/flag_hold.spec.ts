import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeUser } from '#tests/helpers/factories'
import { createRun } from '#billing/runs'
import { makeBillingFixture } from '../../functional/billing/fixtures.js'

test.group('browser: billing run review holds flagged invoices', (group) => {
  group.each.setup(() => truncateAll())

  test('a flagged invoice is held on the review page until a billing user acknowledges it with a reason', async ({
    visit,
    assert,
  }) => {
    const clean = await makeBillingFixture()
    const flagged = await makeBillingFixture()
    // a number that is none of the customer's services: "unknown services"
    await db.table('usage_records').insert({
      customer_id: flagged.customer.id,
      source: 'test:browser',
      dedupe_key: 'unknown-1',
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
    const { run } = await createRun({
      period: '2026-10',
      customerIds: [clean.customer.id, flagged.customer.id],
    })
    const user = await makeUser('billing', { email: 'reviewer@reseller.example' })

    const page = await visit('/login')
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.locator('#email').fill(user.email)
    await page.locator('#password').fill('secret-password')
    await page.locator('button[type=submit]').click()
    await page.waitForURL((url) => url.pathname === '/')
    await page.goto(page.url().replace(/\/$/, '') + `/billing-runs/${run.id}`)

    // flagged first, held, and finalize is disabled
    const card = page.locator('.flagged-invoice').first()
    await card.waitFor()
    assert.include(await card.innerText(), flagged.customer.accountNumber)
    assert.include(await card.innerText(), 'held: not acknowledged')
    assert.include(await card.innerText(), '+447700900321')
    const firstRow = page.locator('table').last().locator('tbody tr').first()
    assert.include(await firstRow.innerText(), flagged.customer.accountNumber)
    assert.include(await firstRow.innerText(), 'held')
    assert.isTrue(await page.locator('#finalize').isDisabled())
    assert.isTrue(await card.locator('.ack-button').isDisabled(), 'no reason, no acknowledgement')

    await card.locator('.ack-reason').fill('Number is being ported in; billed correctly')
    await card.locator('.ack-button').click()
    await page.locator('.flagged-invoice .badge.ok', { hasText: 'acknowledged' }).waitFor()
    assert.include(
      await page.locator('.flagged-invoice').first().innerText(),
      'Number is being ported in; billed correctly'
    )
    assert.isFalse(await page.locator('#finalize').isDisabled())

    page.on('dialog', (dialog) => dialog.accept())
    await page.locator('#finalize').click()
    await page.locator('.card.stat .value', { hasText: 'Finalised' }).waitFor()
    // the page rendered every state without a script error (a bad date format once blanked it)
    assert.deepEqual(
      errors.filter((e) => !/WebSocket/.test(e)),
      []
    )
    const statuses = (
      await db.from('invoices').where('billing_run_id', run.id).select('status')
    ).map((r: any) => r.status)
    assert.deepEqual(statuses, ['finalized', 'finalized'])
    const audit = await db.from('audit_logs').where('action', 'invoice.flags_acknowledged').first()
    assert.equal(Number(audit.user_id), user.id)
  })
})
