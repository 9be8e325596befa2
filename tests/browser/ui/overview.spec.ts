import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/migrate'
import { makeCustomer, makeUser } from '#tests/helpers/factories'
import { assertAccessible, logIn, visibleText } from './helpers.js'

/** A finalised invoice issued on `issued` and a draft one for the next period, straight into the tables. */
async function invoices(customerId: number, issued: DateTime) {
  const now = DateTime.now().toSQL({ includeOffset: false })
  const [runId] = await db
    .table('billing_runs')
    .insert({ period: '2026-01', status: 'finalized', created_at: now })
  await db.table('invoices').insert({
    billing_run_id: runId,
    customer_id: customerId,
    period: '2026-01',
    number: 'INV-000001',
    status: 'finalized',
    issue_date: issued.toISODate(),
    currency: 'GBP',
    subtotal_minor: 123_456,
    tax_minor: 24_691,
    total_minor: 148_147,
    created_at: now,
  })
  const [draftRun] = await db
    .table('billing_runs')
    .insert({ period: '2026-02', status: 'draft', created_at: now })
  await db.table('invoices').insert({
    billing_run_id: draftRun,
    customer_id: customerId,
    period: '2026-02',
    status: 'draft',
    currency: 'GBP',
    subtotal_minor: 50_000,
    tax_minor: 10_000,
    total_minor: 60_000,
    created_at: now,
  })
}

test.group('browser ui: log in, the overview, log out', (group) => {
  group.each.setup(() => truncateAll())

  test('a clerk logs in, reads the month figures with currency and labels, and logs out', async ({
    visit,
    assert,
  }) => {
    const user = await makeUser('billing', {
      email: 'clerk@reseller.example',
      fullName: 'Carla Clerk',
    })
    const customer = await makeCustomer({ name: 'Overview Ltd' })
    await invoices(customer.id, DateTime.now().setZone('Europe/London'))
    await db.table('recurring_charges').insert({
      customer_id: customer.id,
      description: 'Line rental',
      category: 'line_rental',
      quantity: 3,
      unit_price_e4: 125_000,
      unit_cost_e4: 70_000,
      starts_on: '2025-01-01',
      origin: 'manual',
      created_at: DateTime.now().toSQL({ includeOffset: false }),
    })
    await db.table('imports').insert({
      source_name: 'carrier-bill.csv',
      format: 'asterisk',
      sha256: 'a'.repeat(64),
      status: 'failed',
      created_at: DateTime.now().toSQL({ includeOffset: false }),
    })

    const page = await visit('/login')
    await assertAccessible(page, 'login')
    await page.locator('#email').fill(user.email)
    await page.locator('#password').fill('wrong-password')
    await page.locator('button[type=submit]').click()
    await page.locator('.flash.error, [role=alert]').first().waitFor()
    await logIn(page, user)
    await page.locator('h1', { hasText: 'Overview' }).waitFor()
    await assertAccessible(page, 'overview')

    const text = await visibleText(page)
    const thisMonth = DateTime.now()
      .setZone('Europe/London')
      .setLocale('en-GB')
      .toFormat('LLLL yyyy')
    assert.include(text, `Billed in ${thisMonth} (net) £1,234.56`)
    // Three lines at £12.50 running today.
    assert.include(text, 'Recurring revenue (charges running today, per month) £37.50')
    assert.include(text, 'Draft invoices to review 1')
    assert.include(text, '£500.00 net')
    assert.include(text, 'Failed imports 1')
    assert.include(await page.locator('table[aria-label="Recent imports"]').innerText(), 'Failed')
    assert.notInclude(text, 'line_rental')
    // The trend table repeats the chart's figures.
    const trend = await page
      .locator('table[aria-label="Last 12 months"] tbody tr')
      .last()
      .innerText()
    assert.include(trend, thisMonth)
    assert.include(trend, '£1,234.56')

    await page.locator('button', { hasText: 'Log out' }).click()
    await page.waitForURL((url) => url.pathname === '/login')
    await page.goto(page.url().replace(/\/login$/, '/'))
    await page.waitForURL((url) => url.pathname === '/login')
    assert.include(await visibleText(page), 'Log in')
  }).timeout(240_000)
})
